import { Logger } from '@nestjs/common';
import * as secureRandom from '../common/secure-random';
import { SecurityEvents } from '../events/security-events.service';
import { OAuthError } from '../oauth/oauth-error';
import { OAuthParams } from '../oauth/oauth-params';
import type { ClientAuthFailures } from '../rate-limit/client-auth-failures.service';
import { ClientAuthenticator, parseBasicAuthorization } from './client-authenticator.service';
import { ClientEntity } from './client.entity';
import { ClientSecret } from './client-secret';
import type { ClientsRepository } from './clients.repository';

const SECRET = 'the-right-secret';
// Ids of the shape ClientsService makes, so the logged id is the id itself in every case.
const KNOWN = 'a'.repeat(32);
const DISABLED = 'd'.repeat(32);
const NOBODY = '0'.repeat(32);

function client(clientId: string, disabledAt: number | null): ClientEntity {
  return Object.assign(new ClientEntity(), {
    clientId,
    secretHash: ClientSecret.hash(SECRET),
    tokenEndpointAuthMethod: 'client_secret_basic',
    grantTypes: ['refresh_token'],
    disabledAt,
  });
}

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

/**
 * No client enumeration (issue #7 §3): a wrong secret, an unknown client and a disabled client must
 * be indistinguishable to the caller — same error, status and description — and cost the same
 * work: one lookup, one SHA-256 of the presented secret, one constant-time compare, one failure
 * recorded for the limiter. Timing side by side: `npm run bench:client-auth`.
 */
describe('ClientAuthenticator: no client enumeration', () => {
  beforeAll(() => Logger.overrideLogger(false));

  // Issue 10 item 7: unknown, disabled, wrong-secret and missing-secret (a confidential client sending
  // only its id) must not be told apart, by the answer or by the work done.
  const cases = {
    'wrong secret': { authorization: basic(KNOWN, 'wrong'), params: OAuthParams.empty(), stored: client(KNOWN, null) },
    'unknown client': { authorization: basic(NOBODY, 'wrong'), params: OAuthParams.empty(), stored: null },
    'disabled client': { authorization: basic(DISABLED, SECRET), params: OAuthParams.empty(), stored: client(DISABLED, 1) },
    'missing secret': { authorization: undefined, params: OAuthParams.fromEntries({ client_id: KNOWN }), stored: client(KNOWN, null) },
  };

  async function attempt({ authorization, params, stored }: (typeof cases)[keyof typeof cases]) {
    const lookups = jest.fn(async () => stored);
    const record = jest.fn(async (_clientId: string, _address: string) => undefined);
    const blockedFor = jest.fn(async () => 0);
    const sha256 = jest.spyOn(secureRandom, 'sha256Hex');
    const compare = jest.spyOn(secureRandom, 'digestsEqual');
    const matches = jest.spyOn(ClientSecret, 'matches');
    const events = new SecurityEvents();
    const emit = jest.spyOn(events, 'emit');
    const authenticator = new ClientAuthenticator(
      { findForAuthentication: lookups } as unknown as ClientsRepository,
      events,
      { record, blockedFor } as unknown as ClientAuthFailures,
    );
    const error = await authenticator.authenticate({ authorization, params, address: '203.0.113.7' }).then(
      () => null,
      (caught: unknown) => caught as OAuthError,
    );
    const work = {
      lookups: lookups.mock.calls.length,
      secretHashes: sha256.mock.calls.length,
      compares: compare.mock.calls.length,
      matches: matches.mock.calls.length,
      blockChecks: blockedFor.mock.calls,
      recorded: record.mock.calls.map(([, address]) => address),
      events: emit.mock.calls.map(([event]) => Object.keys(event).sort()),
    };
    jest.restoreAllMocks();
    return { error, work };
  }

  it('gives all four the same response and does the same work', async () => {
    const results = [];
    for (const input of Object.values(cases)) results.push(await attempt(input));
    for (const { error } of results) {
      expect(error).toBeInstanceOf(OAuthError);
      expect({ status: error!.status, body: error!.toJSON() }).toEqual({
        status: 401,
        body: { error: 'invalid_client', error_description: 'Client authentication failed' },
      });
    }
    // Two compares: the current secret and a rotated-out one (or the dummy digest), always both.
    expect(results[0].work).toMatchObject({ lookups: 1, secretHashes: 1, compares: 2, matches: 1, recorded: ['203.0.113.7'] });
    expect(results[0].work.events).toEqual([['clientId', 'reason', 'type']]);
    expect(results[0].work.blockChecks).toHaveLength(1);
    for (const { work } of results.slice(1)) {
      expect({ ...work, blockChecks: work.blockChecks.length }).toEqual({ ...results[0].work, blockChecks: 1 });
    }
  });

  it('compares an unknown client against the dummy hash, not against nothing', async () => {
    const spy = jest.spyOn(ClientSecret, 'matches');
    const authenticator = new ClientAuthenticator({ findForAuthentication: async () => null } as unknown as ClientsRepository, new SecurityEvents());
    await authenticator.authenticate({ authorization: basic(NOBODY, 'x'), params: OAuthParams.empty() }).catch(() => undefined);
    expect(spy).toHaveBeenCalledWith('x', ClientSecret.DUMMY_HASH);
    spy.mockRestore();
  });
});

describe('parseBasicAuthorization', () => {
  // Regression: found by test/hostile-input.e2e-spec.ts on PostgreSQL — `Basic ADo=` ("\0:") put a
  // NUL into the client lookup, which PostgreSQL rejects: a 500 instead of invalid_client.
  it.each(['\u0000', 'a\u0000b', 'line\nbreak', '\u007f'])('rejects control characters in the client id %j as invalid_client', (id) => {
    const header = `Basic ${Buffer.from(`${encodeURIComponent(id)}:secret`).toString('base64')}`;
    expect(() => parseBasicAuthorization(header)).toThrow(expect.objectContaining({ code: 'invalid_client', status: 401 }));
    const raw = `Basic ${Buffer.from(`${id}:secret`).toString('base64')}`;
    expect(() => parseBasicAuthorization(raw)).toThrow(expect.objectContaining({ code: 'invalid_client' }));
  });

  it('accepts unicode client ids (they simply match no client)', () => {
    const header = `Basic ${Buffer.from(`${encodeURIComponent('клиент😀')}:s`).toString('base64')}`;
    expect(parseBasicAuthorization(header)).toEqual({ clientId: 'клиент😀', secret: 's' });
  });
});
