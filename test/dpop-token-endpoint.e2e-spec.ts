import { createHmac } from 'node:crypto';
import { RefreshTokenEntity, TokenFamilyEntity } from 'nest-oauth-server';
import { CodeFlow, codeFlowEnv, pkcePair } from './support/code-flow';
import { DpopKey, TOKEN_URL } from './support/dpop';
import { decodeJwtPayload, introspect, postAs } from './support/oauth-requests';
import { TestApp, TestClient } from './support/test-app';

/** RFC 9449 at the token endpoint: proofs (§4.3), bound tokens (§5, §6), dpop_jkt (§10). */
describe('DPoP at the token endpoint (RFC 9449)', () => {
  let t: TestApp;
  let key: DpopKey;
  let otherKey: DpopKey;

  beforeAll(async () => {
    t = await TestApp.create({ env: { ...codeFlowEnv, REFRESH_TOKEN_REUSE_INTERVAL: '30', REFRESH_TOKEN_RETRY_LIMIT: '3' } });
    key = await DpopKey.generate('ES256');
    otherKey = await DpopKey.generate('EdDSA');
  });
  afterAll(() => t.close());

  const clientCredentials = (client: TestClient, proof?: string | string[]) => {
    const req = postAs(t, '/oauth/token', client, { grant_type: 'client_credentials' });
    // An array sends one DPoP header line per value.
    return proof === undefined ? req : req.set('DPoP', proof as string);
  };
  const refresh = (client: TestClient, refreshToken: string, proof?: string) => {
    const req = t.refresh(client, refreshToken);
    return proof === undefined ? req : req.set('DPoP', proof);
  };
  const confidential = () => t.createClient({ grantTypes: ['client_credentials', 'refresh_token'], allowIntrospection: true });
  const publicClient = () => t.createClient({ tokenEndpointAuthMethod: 'none', grantTypes: ['refresh_token', 'authorization_code'], redirectUris: ['https://app.example/callback'] });
  const familyOf = (client: TestClient) => t.dataSource().getRepository(TokenFamilyEntity).findOneByOrFail({ clientId: client.clientId });

  it('binds the access token to the proof key: token_type DPoP, cnf.jkt, introspected with cnf', async () => {
    const client = await confidential();
    const res = await clientCredentials(client, await key.proof(t)).expect(200);
    expect(res.body.token_type).toBe('DPoP');
    expect(decodeJwtPayload(res.body.access_token).cnf).toEqual({ jkt: key.jkt });
    const info = await introspect(t, client, { token: res.body.access_token }).expect(200);
    expect(info.body).toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt: key.jkt } });
    // Without a proof: a plain Bearer token, as before.
    const bearer = await clientCredentials(client).expect(200);
    expect(bearer.body.token_type).toBe('Bearer');
    expect(decodeJwtPayload(bearer.body.access_token).cnf).toBeUndefined();
    expect((await introspect(t, client, { token: bearer.body.access_token })).body.cnf).toBeUndefined();
  });

  it('accepts every configured algorithm (ES256, EdDSA, RS256, PS256) and htu normalised per §4.3', async () => {
    const client = await confidential();
    for (const alg of ['ES256', 'EdDSA', 'RS256', 'PS256']) {
      const k = await DpopKey.generate(alg);
      const res = await clientCredentials(client, await k.proof(t)).expect(200);
      expect(decodeJwtPayload(res.body.access_token).cnf).toEqual({ jkt: k.jkt });
    }
    // Scheme and host case, the default port of another scheme is not ours, query and fragment ignored.
    await clientCredentials(client, await key.proof(t, { htu: 'HTTP://LocalHost:3000/oauth/token?x=1#frag' })).expect(200);
  });

  describe('refuses a proof failing any §4.3 check with 400 invalid_dpop_proof', () => {
    const now = () => Math.floor(t.clock.now() / 1000);
    const cases: [string, () => Promise<string | string[]>][] = [
      ['two DPoP headers (§4.3 step 1)', async () => [await key.proof(t), await key.proof(t)]],
      ['not a JWS', async () => 'not-a-jwt'],
      ['typ is not dpop+jwt', () => key.proof(t, { typ: 'JWT' })],
      ['alg none', async () => unsigned({ alg: 'none', typ: 'dpop+jwt', jwk: key.publicJwk }, claims())],
      ['alg HS256 (symmetric)', async () => hmacSigned({ alg: 'HS256', typ: 'dpop+jwt', jwk: { kty: 'oct', k: 'c2VjcmV0' } }, claims())],
      ['alg not in DPOP_SIGNING_ALGS (ES384)', async () => (await DpopKey.generate('ES384')).proof(t)],
      ['jwk with private members', () => key.proof(t, { jwk: key.privateMembersJwk })],
      ['signature by another key than the jwk', () => key.proof(t, { jwk: otherKeyEs256Jwk })],
      ['htm differs', () => key.proof(t, { htm: 'GET' })],
      ['htu of another host', () => key.proof(t, { htu: 'http://evil.example:3000/oauth/token' })],
      ['htu of another path', () => key.proof(t, { htu: 'http://localhost:3000/oauth/introspect' })],
      ['htu with userinfo', () => key.proof(t, { htu: 'http://user@localhost:3000/oauth/token' })],
      ['iat too old (DPOP_PROOF_MAX_AGE + skew)', () => key.proof(t, { iat: now() - 66 })],
      ['iat in the future beyond the skew', () => key.proof(t, { iat: now() + 6 })],
      ['no jti', () => key.proof(t, { jti: null })],
    ];
    let otherKeyEs256Jwk: Record<string, unknown>;
    beforeAll(async () => {
      otherKeyEs256Jwk = (await DpopKey.generate('ES256')).publicJwk as Record<string, unknown>;
    });
    function claims() {
      return { htm: 'POST', htu: TOKEN_URL, iat: now(), jti: `j-${Math.random()}` };
    }

    it.each(cases)('%s', async (_name, make) => {
      const client = await confidential();
      const res = await clientCredentials(client, await make()).expect(400);
      expect(res.body.error).toBe('invalid_dpop_proof');
      expect(res.headers['cache-control']).toBe('no-store');
    });

    it('a proof within the window is accepted (the boundaries above are the window)', async () => {
      const client = await confidential();
      await clientCredentials(client, await key.proof(t, { iat: now() - 60 })).expect(200);
      await clientCredentials(client, await key.proof(t, { iat: now() + 5 })).expect(200);
    });
  });

  it('refuses a replayed proof (same jti), whatever the request', async () => {
    const client = await confidential();
    const proof = await key.proof(t);
    await clientCredentials(client, proof).expect(200);
    const replay = await clientCredentials(client, proof).expect(400);
    expect(replay.body.error).toBe('invalid_dpop_proof');
  });

  describe('refresh tokens of a public client (§5)', () => {
    async function boundFamily() {
      const client = await publicClient();
      const first = await t.issueTokens(client);
      // The first proof binds the family (it was started without one, by tokens:issue).
      const second = await refresh(client, first.refresh_token!, await key.proof(t)).expect(200);
      expect(second.body.token_type).toBe('DPoP');
      expect((await familyOf(client)).dpopJkt).toBe(key.jkt);
      return { client, first: first.refresh_token!, second: second.body.refresh_token as string };
    }

    it('every refresh must prove the family key: without a proof or with another key invalid_grant, nothing changes', async () => {
      const { client, second } = await boundFamily();
      expect((await refresh(client, second).expect(400)).body.error).toBe('invalid_grant');
      expect((await refresh(client, second, await otherKey.proof(t)).expect(400)).body.error).toBe('invalid_grant');
      // Nothing changed: the token was not rotated and the family is live; the key holder goes on.
      const family = await familyOf(client);
      expect(family.revokedAt).toBeNull();
      const third = await refresh(client, second, await key.proof(t)).expect(200);
      expect(decodeJwtPayload(third.body.access_token).cnf).toEqual({ jkt: key.jkt });
      const fourth = await refresh(client, third.body.refresh_token, await key.proof(t)).expect(200);
      // RFC 7662 with RFC 9449 §6.2: the bound refresh token introspects with its cnf.
      const introspector = await t.createClient({ allowIntrospection: true });
      const info = await introspect(t, introspector, { token: fourth.body.refresh_token }).expect(200);
      expect(info.body).toMatchObject({ active: true, cnf: { jkt: key.jkt } });
      expect(info.body.token_type).toBeUndefined(); // RFC 7662 §2.2: no registered type for a refresh token
    });

    it('an invalid proof is invalid_dpop_proof and changes nothing', async () => {
      const { client, second } = await boundFamily();
      expect((await refresh(client, second, await key.proof(t, { htm: 'GET' })).expect(400)).body.error).toBe('invalid_dpop_proof');
      await refresh(client, second, await key.proof(t)).expect(200);
    });

    it('a retry with the same key inside the window gets the same successor; a retired token for another key is reuse', async () => {
      const { client, first, second } = await boundFamily();
      t.clock.advance(5);
      const retry = await refresh(client, first, await key.proof(t)).expect(200);
      expect(retry.body.refresh_token).toBe(second);
      const stolen = await refresh(client, first, await otherKey.proof(t)).expect(400);
      expect(stolen.body.error).toBe('invalid_grant');
      expect((await familyOf(client)).revokedReason).toBe('reuse_detected');
      expect((await refresh(client, second, await key.proof(t)).expect(400)).body.error).toBe('invalid_grant');
    });

    it('a retired bound token presented without any proof is reuse too', async () => {
      const { client, first } = await boundFamily();
      await refresh(client, first).expect(400);
      expect((await familyOf(client)).revokedReason).toBe('reuse_detected');
    });

    it('20 concurrent refreshes of one bound token, same key, distinct proofs: one rotation, retries served up to the limit, family kept', async () => {
      const { client, second } = await boundFamily();
      const proofs = await Promise.all(Array.from({ length: 20 }, () => key.proof(t)));
      const results = await Promise.all(proofs.map((proof) => refresh(client, second, proof)));
      const ok = results.filter((res) => res.status === 200);
      // One rotation plus REFRESH_TOKEN_RETRY_LIMIT (3) retries served; the rest refused without revoking.
      expect(ok).toHaveLength(4);
      expect(new Set(ok.map((res) => res.body.refresh_token)).size).toBe(1);
      expect(ok.every((res) => decodeJwtPayload(res.body.access_token).cnf !== undefined)).toBe(true);
      expect(results.filter((res) => res.status === 400).every((res) => res.body.error === 'invalid_grant')).toBe(true);
      const family = await familyOf(client);
      expect(family.revokedAt).toBeNull();
      const generations = await t.dataSource().getRepository(RefreshTokenEntity).countBy({ familyId: family.id, generation: 2 });
      expect(generations).toBe(1);
      await refresh(client, ok[0].body.refresh_token, await key.proof(t)).expect(200);
    });
  });

  it('confidential clients: access tokens bound, refresh tokens not (§5)', async () => {
    const client = await confidential();
    const first = await t.issueTokens(client);
    const second = await refresh(client, first.refresh_token!, await key.proof(t)).expect(200);
    expect(second.body.token_type).toBe('DPoP');
    expect((await familyOf(client)).dpopJkt).toBeNull();
    const third = await refresh(client, second.body.refresh_token).expect(200);
    expect(third.body.token_type).toBe('Bearer');
  });

  it('dpop_bound_access_tokens clients need a proof on every token request (§5.2), and their refresh tokens are bound', async () => {
    const client = await t.createClient({ grantTypes: ['client_credentials', 'refresh_token'], dpopBoundAccessTokens: true });
    expect((await clientCredentials(client).expect(400)).body.error).toBe('invalid_dpop_proof');
    await clientCredentials(client, await key.proof(t)).expect(200);
    const first = await t.issueTokens(client);
    expect((await refresh(client, first.refresh_token!).expect(400)).body.error).toBe('invalid_dpop_proof');
    const second = await refresh(client, first.refresh_token!, await key.proof(t)).expect(200);
    expect((await familyOf(client)).dpopJkt).toBe(key.jkt);
    expect((await refresh(client, second.body.refresh_token, await otherKey.proof(t)).expect(400)).body.error).toBe('invalid_grant');
  });

  describe('dpop_jkt at the authorization endpoint (§10)', () => {
    const flow = () => new CodeFlow(t);
    async function boundCode(client: TestClient, jkt: string) {
      const { verifier, challenge } = pkcePair();
      const login = await flow().loginChallenge(client, challenge, { dpop_jkt: jkt });
      const accepted = await flow().accept(login).expect(200);
      return { code: new URL(accepted.body.redirect_to).searchParams.get('code')!, verifier };
    }

    it('the code exchange must prove that key, else invalid_grant and the code stays usable', async () => {
      const client = await publicClient();
      const { code, verifier } = await boundCode(client, key.jkt);
      expect((await flow().exchange(client, code, verifier).expect(400)).body.error).toBe('invalid_grant');
      expect((await flow().exchange(client, code, verifier).set('DPoP', await otherKey.proof(t)).expect(400)).body.error).toBe('invalid_grant');
      const res = await flow().exchange(client, code, verifier).set('DPoP', await key.proof(t)).expect(200);
      expect(res.body.token_type).toBe('DPoP');
      // A public client's code exchange with a proof starts a bound family.
      expect((await familyOf(client)).dpopJkt).toBe(key.jkt);
    });

    it('a malformed dpop_jkt is invalid_request at the redirect', async () => {
      const client = await publicClient();
      const res = await flow().authorize(flow().authorizeQuery(client, pkcePair().challenge, { dpop_jkt: 'short' })).expect(302);
      expect(new URL(res.headers.location).searchParams.get('error')).toBe('invalid_request');
    });
  });

  it('metadata lists dpop_signing_alg_values_supported', async () => {
    const res = await t.http().get('/.well-known/oauth-authorization-server').expect(200);
    expect(res.body.dpop_signing_alg_values_supported).toEqual(['ES256', 'EdDSA', 'RS256', 'PS256']);
  });
});

/** The same race in strict mode: docs/retry-window.md, "strict mode (0)": any second presentation is reuse. */
describe('DPoP refresh race in strict mode (REFRESH_TOKEN_REUSE_INTERVAL=0)', () => {
  let t: TestApp;
  let key: DpopKey;

  beforeAll(async () => {
    t = await TestApp.create({ env: { REFRESH_TOKEN_REUSE_INTERVAL: '0' } });
    key = await DpopKey.generate('ES256');
  });
  afterAll(() => t.close());

  it('20 concurrent refreshes of one bound token, valid distinct proofs of its key: exactly one success, 19 invalid_grant, the family revoked as reuse', async () => {
    const client = await t.createClient({ tokenEndpointAuthMethod: 'none', grantTypes: ['refresh_token'] });
    const first = await t.issueTokens(client);
    const bound = await t.refresh(client, first.refresh_token!).set('DPoP', await key.proof(t)).expect(200);
    const family = () => t.dataSource().getRepository(TokenFamilyEntity).findOneByOrFail({ clientId: client.clientId });
    expect((await family()).dpopJkt).toBe(key.jkt);

    const proofs = await Promise.all(Array.from({ length: 20 }, () => key.proof(t)));
    expect(new Set(proofs).size).toBe(20);
    const results = await Promise.all(proofs.map((proof) => t.refresh(client, bound.body.refresh_token).set('DPoP', proof)));
    const ok = results.filter((res) => res.status === 200);
    expect(ok).toHaveLength(1);
    expect(ok[0].body.token_type).toBe('DPoP');
    expect(decodeJwtPayload(ok[0].body.access_token).cnf).toEqual({ jkt: key.jkt });
    const refused = results.filter((res) => res.status !== 200);
    expect(refused).toHaveLength(19);
    expect(refused.every((res) => res.status === 400 && res.body.error === 'invalid_grant')).toBe(true);

    // Strict mode has no retries: the 19 are second presentations of a rotated token, i.e. reuse
    // (RFC 9700 §4.14.2), even with the right key. The family is revoked, so the one successor
    // minted by the winner is dead too; exactly one was minted (one rotation, no double issue).
    const revoked = await family();
    expect(revoked.revokedAt).not.toBeNull();
    expect(revoked.revokedReason).toBe('reuse_detected');
    expect(await t.dataSource().getRepository(RefreshTokenEntity).countBy({ familyId: revoked.id, generation: 2 })).toBe(1);
    expect((await t.refresh(client, ok[0].body.refresh_token).set('DPoP', await key.proof(t)).expect(400)).body.error).toBe('invalid_grant');
  });
});

function unsigned(header: Record<string, unknown>, payload: Record<string, unknown>): string {
  const encode = (part: unknown) => Buffer.from(JSON.stringify(part)).toString('base64url');
  return `${encode(header)}.${encode(payload)}.`;
}

function hmacSigned(header: Record<string, unknown>, payload: Record<string, unknown>): string {
  const encode = (part: unknown) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const input = `${encode(header)}.${encode(payload)}`;
  return `${input}.${createHmac('sha256', 'secret').update(input).digest('base64url')}`;
}
