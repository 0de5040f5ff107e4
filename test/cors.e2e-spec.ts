import { ClientsService, hashRefreshToken } from 'nest-oauth-server';
import { CodeFlow, codeFlowEnv, pkcePair } from './support/code-flow';
import { postAs, revoke } from './support/oauth-requests';
import { TestApp, TestClient } from './support/test-app';

const SPA = 'https://spa.example';
const EVIL = 'https://evil.example';
const ISSUER = 'https://auth.example';

/** CORS of the OAuth endpoints: registered origins per client, refused origins change nothing. */
describe('CORS (allowed_cors_origins)', () => {
  let t: TestApp;
  let flow: CodeFlow;
  let spa: TestClient;
  let backend: TestClient;

  beforeAll(async () => {
    // Strict rotation: with the retry window a refused request that had rotated the token would
    // go unnoticed (the follow-up refresh would be served as a retry), so "not rotated" could not fail.
    t = await TestApp.create({ env: { ...codeFlowEnv, ISSUER, REFRESH_TOKEN_REUSE_INTERVAL: '0' } });
    flow = new CodeFlow(t);
    spa = await flow.createClient({ tokenEndpointAuthMethod: 'none', allowedCorsOrigins: [SPA] });
    backend = await t.createClient({ allowedCorsOrigins: [] });
  });
  afterAll(() => t.close());

  const consumedAt = async (token: string) =>
    (await t.dataSource().query(`SELECT consumed_at FROM refresh_tokens WHERE token_hash = '${hashRefreshToken(token)}'`))[0].consumed_at; // a hex digest

  const refreshFrom = (client: TestClient, token: string, origin?: string) => {
    const req = t.refresh(client, token);
    return origin === undefined ? req : req.set('Origin', origin);
  };

  describe('the token endpoint, refresh grant', () => {
    it.each([
      ['a registered origin', SPA, 200, SPA],
      ['no Origin (a server-side client)', undefined, 200, undefined],
      ['the service its own origin (same-origin)', ISSUER, 200, undefined],
    ])('%s', async (_name, origin, status, allowOrigin) => {
      const tokens = await t.issueTokens(spa);
      const res = await refreshFrom(spa, tokens.refresh_token!, origin).expect(status);
      expect(res.body.refresh_token).toEqual(expect.any(String));
      expect(res.headers['access-control-allow-origin']).toBe(allowOrigin);
      if (origin !== undefined) expect(res.headers.vary).toMatch(/Origin/);
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    });

    it.each([
      ['an unregistered origin', EVIL],
      ['the opaque origin null', 'null'],
      ['a registered origin written differently', 'https://SPA.example'],
      ['a registered origin with a path', `${SPA}/`],
    ])('%s → 400 unauthorized_client, no CORS headers, and the token was not rotated', async (_name, origin) => {
      const tokens = await t.issueTokens(spa);
      const res = await refreshFrom(spa, tokens.refresh_token!, origin).expect(400);
      expect(res.body).toEqual({ error: 'unauthorized_client', error_description: expect.any(String) });
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      // Nothing changed: the stored token is unconsumed, it still rotates once, and its successor works (no reuse).
      expect(await consumedAt(tokens.refresh_token!)).toBeNull();
      const next = await refreshFrom(spa, tokens.refresh_token!, SPA).expect(200);
      await refreshFrom(spa, next.body.refresh_token, SPA).expect(200);
    });

    it('a client without registered origins is refused from any origin, and still works without one', async () => {
      const tokens = await t.issueTokens(backend);
      await refreshFrom(backend, tokens.refresh_token!, SPA).expect(400);
      await refreshFrom(backend, tokens.refresh_token!).expect(200);
    });

    it('errors of a registered origin are readable by the page (ACAO on the §5.2 answer)', async () => {
      const res = await refreshFrom(spa, 'no-such-token', SPA).expect(400);
      expect(res.body.error).toBe('invalid_grant');
      expect(res.headers['access-control-allow-origin']).toBe(SPA);
      expect(res.headers['access-control-expose-headers']).toMatch(/WWW-Authenticate/);
    });
  });

  describe('the token endpoint, authorization_code grant', () => {
    it('an unregistered origin is refused and the code is not consumed; the registered origin then redeems it', async () => {
      const { verifier, challenge } = pkcePair();
      const code = await flow.code(spa, challenge);
      const refused = await flow.exchange(spa, code, verifier).set('Origin', EVIL).expect(400);
      expect(refused.body.error).toBe('unauthorized_client');
      expect(refused.headers['access-control-allow-origin']).toBeUndefined();
      const ok = await flow.exchange(spa, code, verifier).set('Origin', SPA).expect(200);
      expect(ok.headers['access-control-allow-origin']).toBe(SPA);
      expect(ok.body.refresh_token).toEqual(expect.any(String));
    });
  });

  describe('the revocation endpoint', () => {
    it('an unregistered origin is refused and nothing is revoked; the registered origin revokes with ACAO', async () => {
      const tokens = await t.issueTokens(spa);
      const refused = await revoke(t, spa, { token: tokens.refresh_token! }).set('Origin', EVIL).expect(400);
      expect(refused.body.error).toBe('unauthorized_client');
      expect(refused.headers['access-control-allow-origin']).toBeUndefined();
      const next = await refreshFrom(spa, tokens.refresh_token!).expect(200);
      const revoked = await revoke(t, spa, { token: next.body.refresh_token }).set('Origin', SPA).expect(200);
      expect(revoked.headers['access-control-allow-origin']).toBe(SPA);
      await refreshFrom(spa, next.body.refresh_token).expect(400);
    });
  });

  describe('preflight', () => {
    it.each(['/oauth/token', '/oauth/revoke'])('OPTIONS %s answers the CORS preflight', async (path) => {
      const res = await t
        .http()
        .options(path)
        .set('Origin', SPA)
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'authorization, content-type, dpop')
        .expect(204);
      expect(res.headers['access-control-allow-origin']).toBe(SPA);
      expect(res.headers['access-control-allow-methods']).toBe('POST');
      expect(res.headers['access-control-allow-headers']).toBe('Authorization, Content-Type, DPoP');
      expect(Number(res.headers['access-control-max-age'])).toBeGreaterThan(0);
      expect(res.headers.vary).toMatch(/Origin/);
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    });

    it('allows any origin that could be registered (the client is unknown); the POST decides', async () => {
      const res = await t.http().options('/oauth/token').set('Origin', EVIL).set('Access-Control-Request-Method', 'POST').expect(204);
      expect(res.headers['access-control-allow-origin']).toBe(EVIL);
    });

    it.each(['null', 'http://plain.example', 'https://spa.example/path'])('answers no CORS to Origin %s', async (origin) => {
      const res = await t.http().options('/oauth/token').set('Origin', origin).set('Access-Control-Request-Method', 'POST').expect(204);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('OPTIONS without Origin is answered with Allow, not 404', async () => {
      const res = await t.http().options('/oauth/token').expect(204);
      expect(res.headers.allow).toBe('POST, OPTIONS');
    });
  });

  describe('public documents and the authorization endpoint', () => {
    it.each(['/.well-known/oauth-authorization-server', '/.well-known/jwks.json'])('%s is readable from any origin', async (path) => {
      const res = await t.http().get(path).set('Origin', SPA).expect(200);
      expect(res.headers['access-control-allow-origin']).toBe('*');
    });

    it('the authorization endpoint never answers CORS (RFC 9700 §2.6)', async () => {
      const { challenge } = pkcePair();
      const res = await flow.authorize(flow.authorizeQuery(spa, challenge)).set('Origin', SPA).expect(302);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      const preflight = await t.http().options('/oauth/authorize').set('Origin', SPA).set('Access-Control-Request-Method', 'GET');
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('registration', () => {
    it('shows allowed_cors_origins in the client views', async () => {
      const listed = (await t.get(ClientsService).list()).find((view) => view.client_id === spa.clientId)!;
      expect(listed.allowed_cors_origins).toEqual([SPA]);
      // The view of a fresh registration is an array too (not the column's raw default text).
      const created = await t.get(ClientsService).create({ name: 'plain', tokenEndpointAuthMethod: 'none', grantTypes: ['refresh_token'], scope: '' });
      expect(created.allowed_cors_origins).toEqual([]);
    });

    it.each(['https://spa.example/', 'https://*.example', 'http://spa.example', 'null'])('refuses to register %s', async (origin) => {
      await expect(t.createClient({ allowedCorsOrigins: [origin] })).rejects.toThrow(/origin/);
    });
  });

  it('confidential clients get the same check (Basic auth from a browser)', async () => {
    const web = await t.createClient({ allowedCorsOrigins: [SPA] });
    const tokens = await t.issueTokens(web);
    await postAs(t, '/oauth/token', web, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }).set('Origin', EVIL).expect(400);
    const ok = await postAs(t, '/oauth/token', web, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }).set('Origin', SPA).expect(200);
    expect(ok.headers['access-control-allow-origin']).toBe(SPA);
  });
});

/**
 * Review M4: errors raised before (or inside) client authentication carry CORS headers for an origin
 * the preflight would allow, so a registered SPA can read them; preflights are under the per-IP limit.
 */
describe('CORS on errors before client authentication', () => {
  let t: TestApp;
  let spa: TestClient;

  const readable = (res: { headers: Record<string, string> }, origin = SPA) => {
    expect(res.headers['access-control-allow-origin']).toBe(origin);
    expect(res.headers['access-control-expose-headers']).toBe('WWW-Authenticate, Retry-After, DPoP-Nonce');
    expect(res.headers.vary).toMatch(/Origin/);
  };

  beforeEach(async () => {
    t = await TestApp.create({ env: { ISSUER, RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_PER_IP: '3', REFRESH_TOKEN_REUSE_INTERVAL: '0' } });
    spa = await t.createClient({ tokenEndpointAuthMethod: 'none', allowedCorsOrigins: [SPA] });
  });
  afterEach(() => t.close());

  it('a disabled SPA client gets 401 invalid_client with ACAO (and WWW-Authenticate exposed); so does an unknown one', async () => {
    await t.get(ClientsService).disable(spa.clientId);
    const disabled = await t.refresh(spa, 'x'.repeat(43)).set('Origin', SPA).expect(401);
    expect(disabled.body.error).toBe('invalid_client');
    expect(disabled.headers['www-authenticate']).toMatch(/^Basic/);
    readable(disabled);
    const unknown = await revoke(t, { clientId: 'no-such-client' }, { token: 'x' }).set('Origin', SPA).expect(401);
    readable(unknown);
  });

  it('an origin the preflight would refuse gets no CORS headers on the error either', async () => {
    const res = await t.refresh({ clientId: 'no-such-client' }, 'x'.repeat(43)).set('Origin', 'http://plain.example').expect(401);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers.vary).toMatch(/Origin/);
  });

  it('a per-IP 429 carries ACAO and Retry-After; a body too large (413) carries ACAO', async () => {
    const big = await t.http().post('/oauth/token').set('Origin', SPA).type('form').send({ grant_type: 'refresh_token', pad: 'x'.repeat(20_000) }).expect(413);
    readable(big);
    for (let i = 0; i < 2; i++) await t.refresh(spa, 'x'.repeat(43)).set('Origin', SPA).expect(400);
    const limited = await t.refresh(spa, 'x'.repeat(43)).set('Origin', SPA).expect(429);
    readable(limited);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });

  it('an authenticated client from an origin it did not register still gets no CORS headers', async () => {
    const tokens = await t.issueTokens(spa);
    const res = await t.refresh(spa, tokens.refresh_token!).set('Origin', EVIL).expect(400);
    expect(res.body.error).toBe('unauthorized_client');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers['access-control-expose-headers']).toBeUndefined();
  });

  it('counts preflights against the per-IP limit', async () => {
    const preflight = () => t.http().options('/oauth/token').set('Origin', SPA).set('Access-Control-Request-Method', 'POST');
    for (let i = 0; i < 3; i++) await preflight().expect(204);
    await preflight().expect(429);
    await t.refresh(spa, 'x'.repeat(43)).set('Origin', SPA).expect(429);
  });
});
