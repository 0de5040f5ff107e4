import { SharedSecret } from './shared-secret';

describe('SharedSecret', () => {
  const secret = new SharedSecret('k'.repeat(40));

  it('matches the configured secret only', () => {
    expect(secret.matches('k'.repeat(40))).toBe(true);
    for (const presented of ['k'.repeat(39), 'k'.repeat(41), '', undefined, 42, ['k'.repeat(40)]]) expect(secret.matches(presented)).toBe(false);
  });

  it('carriedBy: an object payload with the secret in its `secret` member', () => {
    expect(secret.carriedBy({ secret: 'k'.repeat(40), token: 't' })).toBe(true);
    for (const data of [{ token: 't' }, 'k'.repeat(40), ['k'.repeat(40)], null, undefined]) expect(secret.carriedBy(data)).toBe(false);
  });

  it('an empty configured secret matches nothing', () => {
    expect(new SharedSecret('').matches('')).toBe(false);
  });
});
