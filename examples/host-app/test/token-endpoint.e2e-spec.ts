import { claims, Client, HostTestApp, ISSUER, TOKEN_PATH } from './support/host-test-app';

/** RFC 6749 §5.2: exactly `error` and `error_description`, never the host's own error shape. */
const oauthError = (error: string) => ({ error, error_description: expect.any(String) });

describe('the token endpoint under the host’s global prefix, with Nest’s default body parser on', () => {
  let t: HostTestApp;
  let client: Client;

  beforeAll(async () => {
    t = await HostTestApp.start();
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    client = await t.client();
  });

  it('rotates refresh tokens at /api/oauth/token (RFC 6749 §6), answered with no-store', async () => {
    const first = await t.startFamily(client, 'alice', 'read');
    const rotated = await t.refresh(client, first.refresh_token).expect(200);
    expect(rotated.headers['cache-control']).toBe('no-store');
    expect(rotated.body).toMatchObject({ token_type: 'Bearer', scope: 'read', refresh_token: expect.any(String) });
    expect(rotated.body.refresh_token).not.toBe(first.refresh_token);
    expect(claims(rotated.body.access_token)).toMatchObject({ iss: ISSUER, sub: 'alice', client_id: client.clientId });
    await t.refresh(client, rotated.body.refresh_token).expect(200);
  });

  it('revokes the whole family when a retired refresh token comes back (RFC 9700 §4.14.2)', async () => {
    const first = await t.startFamily(client);
    const second = (await t.refresh(client, first.refresh_token).expect(200)).body;
    const third = (await t.refresh(client, second.refresh_token).expect(200)).body;
    // `second` was retired by a rotation that succeeded long ago: outside the retry window, reuse.
    t.clock.advance(120);
    const reuse = await t.refresh(client, second.refresh_token).expect(400);
    expect(reuse.body).toEqual(oauthError('invalid_grant'));
    // The live successor died with its family.
    expect((await t.refresh(client, third.refresh_token).expect(400)).body).toEqual(oauthError('invalid_grant'));
  });

  it('lets a refresh token expire after the idle lifetime the host configured', async () => {
    const idle = await HostTestApp.start({ OAUTH_REFRESH_TOKEN_IDLE_TTL: '3600' });
    try {
      const c = await idle.client();
      const family = await idle.startFamily(c);
      idle.clock.advance(3601);
      expect((await idle.refresh(c, family.refresh_token).expect(400)).body).toEqual(oauthError('invalid_grant'));
    } finally {
      await idle.close();
    }
  });

  it('answers errors in the RFC 6749 §5.2 shape, not the host filter’s', async () => {
    const wrongSecret = await t.refresh({ clientId: client.clientId, clientSecret: 'wrong' }, 'x'.repeat(43)).expect(401);
    expect(wrongSecret.body).toEqual(oauthError('invalid_client'));
    expect(wrongSecret.headers['www-authenticate']).toMatch(/^Basic/);
    expect(wrongSecret.headers['cache-control']).toBe('no-store');

    const unsupported = await t.token(client, { grant_type: 'urn:example:unknown' }).expect(400);
    expect(unsupported.body).toEqual(oauthError('unsupported_grant_type'));
    const missing = await t.token(client, { grant_type: 'refresh_token' }).expect(400);
    expect(missing.body).toEqual(oauthError('invalid_request'));
  });

  it('still insists on a form body: JSON is invalid_request, even though the host parses JSON', async () => {
    const res = await t.http().post(TOKEN_PATH).auth(client.clientId, client.clientSecret!).send({ grant_type: 'refresh_token', refresh_token: 'x'.repeat(43) });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(oauthError('invalid_request'));
  });

  it('rejects a repeated parameter although the host’s urlencoded parser would merge it (RFC 6749 §3.2)', async () => {
    const res = await t
      .http()
      .post(TOKEN_PATH)
      .auth(client.clientId, client.clientSecret!)
      .type('form')
      .send('grant_type=refresh_token&refresh_token=a&refresh_token=b');
    expect(res.status).toBe(400);
    expect(res.body).toEqual(oauthError('invalid_request'));
  });

  it('keeps its own 16 KiB body limit, below the host parser’s 100 kB', async () => {
    const res = await t.token(client, { grant_type: 'refresh_token', refresh_token: 'a'.repeat(20_000) });
    expect(res.status).toBe(413);
    expect(res.body).toEqual(oauthError('invalid_request'));
  });

  it('is not served outside the prefix', async () => {
    await t.http().post('/oauth/token').type('form').send({ grant_type: 'refresh_token' }).expect(404);
  });
});

describe('discovery under the prefix (RFC 8414)', () => {
  let t: HostTestApp;

  beforeAll(async () => {
    t = await HostTestApp.start();
  });
  afterAll(() => t.close());

  it('advertises endpoint URLs that carry the prefix, and they answer', async () => {
    const res = await t.http().get('/api/.well-known/oauth-authorization-server').expect(200);
    const metadata = res.body;
    expect(metadata.issuer).toBe(ISSUER);
    const path = (url: string) => new URL(url).pathname;
    expect(path(metadata.token_endpoint)).toBe('/api/oauth/token');
    expect(path(metadata.authorization_endpoint)).toBe('/api/oauth/authorize');
    expect(path(metadata.revocation_endpoint)).toBe('/api/oauth/revoke');
    expect(path(metadata.introspection_endpoint)).toBe('/api/oauth/introspect');
    expect(path(metadata.jwks_uri)).toBe('/api/.well-known/jwks.json');
    const jwks = await t.http().get(path(metadata.jwks_uri)).expect(200);
    expect(jwks.body.keys.length).toBeGreaterThan(0);
  });

  it('is also served where a client discovering the issuer looks (RFC 8414 §3.1)', async () => {
    // The issuer is http://localhost:3000/api: the well-known suffix goes between host and path.
    const res = await t.http().get('/.well-known/oauth-authorization-server/api').expect(200);
    expect(res.body.issuer).toBe(ISSUER);
    expect(new URL(res.body.token_endpoint).pathname).toBe('/api/oauth/token');
  });
});
