import * as secureRandom from '../common/secure-random';
import { ClientEntity } from './client.entity';
import { ClientSecret } from './client-secret';

const NOW = Date.UTC(2026, 0, 1);

function client(fields: Partial<ClientEntity>): ClientEntity {
  return Object.assign(new ClientEntity(), { secretHash: ClientSecret.hash('current'), previousSecretHash: null, previousSecretExpiresAt: null, ...fields });
}

describe('ClientEntity.secretMatches (current secret, or the previous one during its overlap)', () => {
  const overlapping = client({ previousSecretHash: ClientSecret.hash('previous'), previousSecretExpiresAt: NOW + 1000 });

  it('the current secret', () => {
    expect(client({}).secretMatches('current', NOW)).toBe(true);
    expect(client({}).secretMatches('previous', NOW)).toBe(false);
  });

  it('the previous secret until its expiry, not at or after it', () => {
    expect(overlapping.secretMatches('previous', NOW + 999)).toBe(true);
    expect(overlapping.secretMatches('previous', NOW + 1000)).toBe(false);
    expect(overlapping.secretMatches('current', NOW + 5000)).toBe(true);
  });

  it('a public client (no secret) matches nothing, not even the dummy digest input', () => {
    expect(client({ secretHash: null }).secretMatches('no-such-client', NOW)).toBe(false);
    expect(ClientEntity.secretCheckForUnknownClient('no-such-client')).toBe(false);
  });

  it('does the same work whatever matches: one digest, two constant-time comparisons', () => {
    const spy = jest.spyOn(secureRandom, 'digestsEqual');
    try {
      const counts = [
        () => client({}).secretMatches('current', NOW),
        () => client({}).secretMatches('wrong', NOW),
        () => overlapping.secretMatches('previous', NOW),
        () => overlapping.secretMatches('previous', NOW + 2000),
        () => ClientEntity.secretCheckForUnknownClient('anything'),
      ].map((check) => {
        spy.mockClear();
        check();
        return spy.mock.calls.length;
      });
      expect(counts).toEqual([2, 2, 2, 2, 2]);
    } finally {
      spy.mockRestore();
    }
  });
});
