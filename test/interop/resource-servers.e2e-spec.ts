import { decodeJwt } from '../support/jwt';
import { freePort } from '../support/free-port';
import { signJwt } from '../support/oauth-requests';
import { TestApp } from '../support/test-app';
import { FakeClock } from '../support/fake-clock';
import { realTimeClock, runFlow } from './run-flow';

type Verdict = { ok: boolean; sub?: string; code?: string; status?: number };

/**
 * Resource servers on mainstream libraries verify the service's access tokens from its jwks_uri:
 * jose (createRemoteJWKSet + jwtVerify) and passport-jwt + jwks-rsa 4 (with algorithms: ['ES256']).
 * Both must accept a real token and refuse altered, foreign and expired ones.
 */
describe('interop: resource servers verify access tokens (jose, passport-jwt + jwks-rsa)', () => {
  let t: TestApp;
  let issuer: string;
  let clock: FakeClock;

  beforeAll(async () => {
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    const real = realTimeClock();
    clock = real.clock;
    t = await TestApp.create({ env: { ISSUER: issuer }, override: real.override });
    await t.app.listen(port, '127.0.0.1');
  });
  afterAll(() => t.close());

  it('accepts a fresh token and refuses altered, foreign-key and expired ones', async () => {
    const client = await t.createClient();
    const fresh = await t.issueTokens(client, 'alice', 'read');
    const refreshed = (await t.refresh(client, fresh.refresh_token!).expect(200)).body.access_token as string;
    const { header, payload } = decodeJwt(fresh.access_token);
    const [h, , s] = fresh.access_token.split('.');
    const altered = `${h}.${Buffer.from(JSON.stringify({ ...payload, sub: 'mallory' })).toString('base64url')}.${s}`;
    const foreign = signJwt({ typ: 'at+jwt', kid: header.kid }, payload);
    clock.advance(-3600); // issued an hour ago: expired for a verifier on the real time (TTL 900 s)
    const expired = (await t.issueTokens(client, 'alice', 'read')).access_token;
    clock.advance(3600);

    const [ok, ok2, bad1, bad2, bad3] = await runFlow<Array<{ jose: Verdict; passport: Verdict }>>('resource-servers', {
      ISSUER: issuer,
      AUDIENCE: issuer,
      TOKENS: JSON.stringify([fresh.access_token, refreshed, altered, foreign, expired]),
    });
    expect(ok).toEqual({ jose: { ok: true, sub: 'alice', typ: 'at+jwt' }, passport: { ok: true, sub: 'alice' } });
    expect(ok2.jose.ok && ok2.passport.ok).toBe(true);
    expect(bad1).toEqual({ jose: { ok: false, code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' }, passport: { ok: false, status: 401 } });
    expect(bad2).toEqual({ jose: { ok: false, code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' }, passport: { ok: false, status: 401 } });
    expect(bad3).toEqual({ jose: { ok: false, code: 'ERR_JWT_EXPIRED' }, passport: { ok: false, status: 401 } });
  });
});
