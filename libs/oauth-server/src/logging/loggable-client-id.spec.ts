import { randomBytes } from 'node:crypto';
import { ClientSecret } from '../clients/client-secret';
import { CLIENT_ID_SHAPE, loggableClientId } from './loggable-client-id';

describe('loggableClientId', () => {
  it('keeps an id of the shape our ids have (as ClientsService makes them)', () => {
    const id = randomBytes(16).toString('hex');
    expect(id).toMatch(CLIENT_ID_SHAPE);
    expect(loggableClientId(id)).toBe(id);
  });

  it.each([
    ['a client secret', ClientSecret.generate()],
    ['an upper-case id', randomBytes(16).toString('hex').toUpperCase()],
    ['anything else', 'ghost-client'],
  ])('logs %s as a short hash only', (_name, value) => {
    const logged = loggableClientId(value);
    expect(logged).toMatch(/^sha256:[0-9a-f]{8}$/);
    expect(logged).not.toContain(value);
    expect(loggableClientId(value)).toBe(logged);
  });
});
