import 'reflect-metadata';
import { ConfigurationError, loadEnvironment } from './environment';

describe('ADMIN_API_KEY validation at boot', () => {
  const strong = 'q8Jx2mLz7RkT0vWn4bYc9HdFs1GpAeU6';

  it('accepts a random key', () => {
    expect(loadEnvironment({ ADMIN_API_KEY: strong }).ADMIN_API_KEY).toBe(strong);
  });

  it.each([
    ['a space inside', `${strong.slice(0, 16)} ${strong.slice(16)}`, 'must not contain whitespace'],
    ['a tab inside', `${strong}\t${strong}`, 'must not contain whitespace'],
    ['a trailing newline', `${strong}\n`, 'must not contain whitespace'],
    ['fewer than 16 distinct characters', 'abcdefghijklmnoabcdefghijklmnoabcdefghijklmno', 'must have at least 16 distinct characters'],
    ['one character repeated', 'a'.repeat(64), 'must have at least 16 distinct characters'],
  ])('refuses %s, in one line', (_name, key, message) => {
    let error: unknown;
    try {
      loadEnvironment({ ADMIN_API_KEY: key });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toContain(`ADMIN_API_KEY ${message}`);
    expect((error as Error).message).not.toContain('\n');
  });
});
