import { decodeJwt, verifyWithJwks } from './support/jwt';
import { TestApp, TestClient } from './support/test-app';

describe('refresh_token grant (RFC 6749 §6, RFC 9700 §4.14.2)', () => {
  let t: TestApp;
  let client: TestClient;

  beforeAll(async () => {
    // Strict rotation pinned here (the retry window, on by default, is test/refresh-retry.e2e-spec.ts).
    t = await TestApp.create({ env: { REFRESH_TOKEN_ABSOLUTE_TTL: '1000', REFRESH_TOKEN_IDLE_TTL: '300', REFRESH_TOKEN_REUSE_INTERVAL: '0' } });
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    client = await t.createClient();
  });

  const expectInvalidGrant = (res: { status: number; body: unknown }) => {
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'invalid_grant', error_description: expect.any(String) });
  };

  it('rotates: a new access token and a new refresh token, the old one retired', async () => {
    const first = await t.issueTokens(client);
    const res = await t.refresh(client, first.refresh_token!).expect(200);
    expect(res.body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 900,
      refresh_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      scope: 'read write',
    });
    expect(res.body.refresh_token).not.toBe(first.refresh_token);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['pragma']).toBe('no-cache');
    expect(res.headers['content-type']).toMatch(/^application\/json/);
  });

  it('chains: each successor is usable once, for many generations', async () => {
    let token = (await t.issueTokens(client)).refresh_token!;
    for (let i = 0; i < 5; i++) token = (await t.refresh(client, token).expect(200)).body.refresh_token;
    await t.refresh(client, token).expect(200);
  });

  it('reuse of a retired token → invalid_grant and the whole family is revoked', async () => {
    const first = await t.issueTokens(client);
    const second = (await t.refresh(client, first.refresh_token!).expect(200)).body.refresh_token;
    const third = (await t.refresh(client, second).expect(200)).body.refresh_token;
    const other = await t.issueTokens(client, 'bob');

    expectInvalidGrant(await t.refresh(client, first.refresh_token!));
    // The live successor stops working too...
    expectInvalidGrant(await t.refresh(client, third));
    // ...while other families are untouched.
    await t.refresh(client, other.refresh_token!).expect(200);
  });

  it('20 concurrent refreshes of one token → exactly one 200, the rest invalid_grant, no 5xx', async () => {
    const { refresh_token } = await t.issueTokens(client);
    const responses = await Promise.all(Array.from({ length: 20 }, () => t.refresh(client, refresh_token!)));
    const statuses = responses.map((res) => res.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    for (const res of responses.filter((r) => r.status !== 200)) expectInvalidGrant(res);
  });

  it('a token presented by another client → invalid_grant, and it stays usable by its own client', async () => {
    const { refresh_token } = await t.issueTokens(client);
    const intruder = await t.createClient();
    expectInvalidGrant(await t.refresh(intruder, refresh_token!));
    await t.refresh(client, refresh_token!).expect(200);
  });

  it('unknown and malformed refresh tokens → invalid_grant', async () => {
    expectInvalidGrant(await t.refresh(client, 'A'.repeat(43)));
    expectInvalidGrant(await t.refresh(client, 'not a token'));
  });

  describe('lifetimes', () => {
    it('idle lifetime counts from the token issue: past it → invalid_grant', async () => {
      const { refresh_token } = await t.issueTokens(client);
      t.clock.advance(299);
      const next = (await t.refresh(client, refresh_token!).expect(200)).body.refresh_token;
      t.clock.advance(300);
      expectInvalidGrant(await t.refresh(client, next));
    });

    it('absolute lifetime counts from the family creation and is not extended by rotation', async () => {
      let token = (await t.issueTokens(client)).refresh_token!;
      for (let elapsed = 0; elapsed < 960; elapsed += 240) {
        t.clock.advance(240);
        token = (await t.refresh(client, token).expect(200)).body.refresh_token;
      }
      t.clock.advance(40); // 1000 s after creation, 40 s after the last rotation
      expectInvalidGrant(await t.refresh(client, token));
    });
  });

  describe('scope (RFC 6749 §6)', () => {
    it('omitted → the originally granted scope', async () => {
      const { refresh_token } = await t.issueTokens(client, 'alice', 'read write');
      const res = await t.refresh(client, refresh_token!).expect(200);
      expect(res.body.scope).toBe('read write');
      expect(decodeJwt(res.body.access_token).payload.scope).toBe('read write');
    });

    it('a subset narrows the access token but not the family', async () => {
      const { refresh_token } = await t.issueTokens(client, 'alice', 'read write');
      const narrowed = await t.refresh(client, refresh_token!, { scope: 'read' }).expect(200);
      expect(narrowed.body.scope).toBe('read');
      expect(decodeJwt(narrowed.body.access_token).payload.scope).toBe('read');
      const next = await t.refresh(client, narrowed.body.refresh_token).expect(200);
      expect(next.body.scope).toBe('read write');
    });

    it.each([
      ['beyond the grant', 'read admin'],
      ['malformed', 'read "quoted"'],
    ])('%s → invalid_scope, and the token stays usable', async (_name, scope) => {
      const { refresh_token } = await t.issueTokens(client, 'alice', 'read write');
      const res = await t.refresh(client, refresh_token!, { scope }).expect(400);
      expect(res.body).toEqual({ error: 'invalid_scope', error_description: expect.any(String) });
      await t.refresh(client, refresh_token!).expect(200);
    });
  });

  describe('request validation', () => {
    it('missing refresh_token → invalid_request', async () => {
      const res = await t.http().post('/oauth/token').type('form').auth(client.clientId, client.clientSecret!).send({ grant_type: 'refresh_token' });
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_request');
    });

    it('missing grant_type → invalid_request', async () => {
      const res = await t.http().post('/oauth/token').type('form').auth(client.clientId, client.clientSecret!).send({ refresh_token: 'x' });
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_request');
    });

    it('unknown grant_type → unsupported_grant_type', async () => {
      const res = await t.http().post('/oauth/token').type('form').auth(client.clientId, client.clientSecret!).send({ grant_type: 'urn:example:magic' });
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('unsupported_grant_type');
    });

    it('a client not registered for refresh_token → unauthorized_client, token untouched', async () => {
      const { refresh_token } = await t.issueTokens(client);
      const limited = await t.createClient({ grantTypes: [] });
      const res = await t.refresh(limited, refresh_token!);
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('unauthorized_client');
      await t.refresh(client, refresh_token!).expect(200);
    });
  });

  describe('access token (RFC 9068)', () => {
    it('is an at+jwt signed with a published ES256 key, with the required claims', async () => {
      const { refresh_token } = await t.issueTokens(client, 'alice', 'read');
      const res = await t.refresh(client, refresh_token!).expect(200);
      const jwks = (await t.http().get('/.well-known/jwks.json').expect(200)).body;
      const { header, payload } = decodeJwt(res.body.access_token);
      expect(header).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: expect.any(String) });
      expect(verifyWithJwks(res.body.access_token, jwks)).toBe(true);
      const now = Math.floor(t.clock.now() / 1000);
      expect(payload).toEqual({
        iss: 'http://localhost:3000',
        sub: 'alice',
        aud: 'http://localhost:3000',
        iat: now,
        exp: now + 900,
        jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
        client_id: client.clientId,
        scope: 'read',
        family_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
    });
  });
});

describe('access token configuration', () => {
  it('RS256, a custom audience, issuer and TTL are honoured', async () => {
    const t = await TestApp.create({
      env: { ACCESS_TOKEN_SIGNING_ALG: 'RS256', ACCESS_TOKEN_AUDIENCE: 'https://api.example', ISSUER: 'https://auth.example/', ACCESS_TOKEN_TTL: '60' },
    });
    try {
      const client = await t.createClient();
      const { refresh_token } = await t.issueTokens(client);
      const res = await t.refresh(client, refresh_token!).expect(200);
      expect(res.body.expires_in).toBe(60);
      const { header, payload } = decodeJwt(res.body.access_token);
      expect(header.alg).toBe('RS256');
      expect(payload).toMatchObject({ aud: 'https://api.example', iss: 'https://auth.example' });
      expect(verifyWithJwks(res.body.access_token, (await t.http().get('/.well-known/jwks.json')).body)).toBe(true);
      const metadata = (await t.http().get('/.well-known/oauth-authorization-server')).body;
      expect(metadata.issuer).toBe('https://auth.example');
    } finally {
      await t.close();
    }
  });
});
