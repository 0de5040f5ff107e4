import { generateKeyPairSync } from 'node:crypto';
import { ADMIN_API_KEY, codeFlowEnv } from './support/code-flow';
import { introspect } from './support/oauth-requests';
import { TestApp, TestClient } from './support/test-app';

const auth = { Authorization: `Bearer ${ADMIN_API_KEY}` };

describe('admin API: client lifecycle (/admin/clients)', () => {
  let t: TestApp;
  let introspector: TestClient;

  beforeAll(async () => {
    t = await TestApp.create({ env: codeFlowEnv });
    introspector = await t.createClient({ name: 'resource server', allowIntrospection: true });
  });
  afterAll(() => t.close());

  const admin = {
    get: (path: string) => t.http().get(`/admin/clients${path}`).set(auth),
    post: (path: string, body: unknown = {}) => t.http().post(`/admin/clients${path}`).set(auth).send(body as object),
    patch: (path: string, body: unknown) => t.http().patch(`/admin/clients${path}`).set(auth).send(body as object),
    delete: (path: string) => t.http().delete(`/admin/clients${path}`).set(auth),
  };
  const active = async (token: string) => (await introspect(t, introspector, { token }).expect(200)).body.active;

  it('is behind the admin key and never cached', async () => {
    await t.http().get('/admin/clients').expect(401);
    const res = await admin.get('').expect(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual(expect.arrayContaining([expect.objectContaining({ client_id: introspector.clientId })]));
  });

  it('show: the registration without a secret; an unknown id is 404', async () => {
    const client = await t.createClient({ name: 'shown' });
    const res = await admin.get(`/${client.clientId}`).expect(200);
    expect(res.body).toMatchObject({ client_id: client.clientId, client_name: 'shown', disabled: false });
    expect(JSON.stringify(res.body)).not.toContain(client.clientSecret);
    expect((await admin.get('/nope').expect(404)).body).toEqual({ error: 'not_found', error_description: 'no client nope' });
  });

  it('update: name, scope, redirect URIs, grant types, introspection permission', async () => {
    const client = await t.createClient({ name: 'before' });
    const res = await admin
      .patch(`/${client.clientId}`, {
        client_name: 'after',
        scope: 'read  write admin',
        redirect_uris: ['https://app.example/cb'],
        grant_types: ['authorization_code', 'refresh_token'],
        allow_introspection: true,
      })
      .expect(200);
    expect(res.body).toMatchObject({
      client_name: 'after',
      scope: 'read write admin',
      redirect_uris: ['https://app.example/cb'],
      grant_types: ['authorization_code', 'refresh_token'],
      allow_introspection: true,
    });
    expect((await admin.get(`/${client.clientId}`).expect(200)).body).toEqual(res.body);
  });

  it('update: allowed CORS origins replace the list, and the token endpoint follows them', async () => {
    const client = await t.createClient({ name: 'spa backend' });
    const res = await admin.patch(`/${client.clientId}`, { allowed_cors_origins: ['https://app.example'] }).expect(200);
    expect(res.body.allowed_cors_origins).toEqual(['https://app.example']);
    const refresh = async (origin: string) =>
      t.refresh(client, (await t.issueTokens(client)).refresh_token!).set('Origin', origin);
    const allowed = await refresh('https://app.example');
    expect(allowed.status).toBe(200);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example');
    expect((await refresh('https://other.example')).status).toBe(400);
  });

  it.each([
    [{ allowed_cors_origins: ['https://app.example/path'] }, /must not have a path/],
    [{ client_secret: 'x' }, /client_secret cannot be updated/],
    [{ scope: 42 }, /scope must be a string/],
    [{ grant_types: ['password'] }, /unknown grant type/],
    [{ grant_types: ['authorization_code'] }, /needs at least one --redirect-uri/],
    [{ redirect_uris: ['javascript:alert(1)'] }, /scheme/],
    [{ client_name: '' }, /client_name/],
    [{ client_name: 'a\u0000b' }, /control characters/],
    [{ scope: 'read\u0000' }, /scope has invalid characters/],
  ])('a bad update %p is a 400 and changes nothing', async (body, message) => {
    const client = await t.createClient({ name: 'stable' });
    const before = (await admin.get(`/${client.clientId}`)).body;
    const res = await admin.patch(`/${client.clientId}`, body).expect(400);
    expect(res.body).toEqual({ error: 'invalid_request', error_description: expect.stringMatching(message) });
    expect((await admin.get(`/${client.clientId}`)).body).toEqual(before);
  });

  it('update: jwks and jwks_uri of a private_key_jwt client (public keys only; one replaces the other); no secret to rotate', async () => {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const publicJwk = { ...pair.publicKey.export({ format: 'jwk' }), kid: 'k1' };
    const client = await t.createClient({ tokenEndpointAuthMethod: 'private_key_jwt', jwksUri: 'https://keys.example/jwks', grantTypes: ['client_credentials'] });
    expect((await admin.get(`/${client.clientId}`)).body).toMatchObject({ token_endpoint_auth_method: 'private_key_jwt', jwks_uri: 'https://keys.example/jwks' });
    const inline = await admin.patch(`/${client.clientId}`, { jwks: { keys: [publicJwk] } }).expect(200);
    expect(inline.body.jwks).toEqual({ keys: [publicJwk] });
    expect(inline.body.jwks_uri).toBeUndefined();
    const before = (await admin.get(`/${client.clientId}`)).body;
    for (const [body, message] of [
      [{ jwks: { keys: [pair.privateKey.export({ format: 'jwk' })] } }, /private key members/],
      [{ jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } }, /kty must be/],
      [{ jwks: 'not an object' }, /jwks must be a JWK Set object/],
      [{ jwks_uri: 'http://keys.example/jwks' }, /https/],
      [{ jwks: { keys: [publicJwk] }, jwks_uri: 'https://keys.example/jwks' }, /exactly one of jwks and jwks_uri/],
    ] as const) {
      const res = await admin.patch(`/${client.clientId}`, body).expect(400);
      expect(res.body.error_description).toMatch(message);
    }
    expect((await admin.get(`/${client.clientId}`)).body).toEqual(before);
    const byUri = await admin.patch(`/${client.clientId}`, { jwks_uri: 'https://keys.example/v2' }).expect(200);
    expect(byUri.body).toMatchObject({ jwks_uri: 'https://keys.example/v2' });
    expect(byUri.body.jwks).toBeUndefined();
    expect((await admin.post(`/${client.clientId}/rotate-secret`).expect(400)).body.error_description).toMatch(/private_key_jwt/);
    // A secret client cannot be given keys it could not use.
    const secretClient = await t.createClient();
    expect((await admin.patch(`/${secretClient.clientId}`, { jwks_uri: 'https://keys.example/jwks' }).expect(400)).body.error_description).toMatch(/only for/);
  });

  it('rotate-secret with keep_old_for: both secrets work until the overlap ends, then only the new one', async () => {
    const client = await t.createClient();
    const { refresh_token } = await t.issueTokens(client);
    const rotated = (await admin.post(`/${client.clientId}/rotate-secret`, { keep_old_for: 600 }).expect(200)).body;
    expect(rotated).toEqual({ client_id: client.clientId, client_secret: expect.any(String), previous_secret_expires_at: Math.floor(t.clock.now() / 1000) + 600 });
    const fresh = { clientId: client.clientId, clientSecret: rotated.client_secret };
    const first = await t.refresh(client, refresh_token!).expect(200); // the old secret still works
    t.clock.advance(599);
    const second = await t.refresh(fresh, first.body.refresh_token).expect(200);
    await t.refresh(client, second.body.refresh_token).expect(200);
    t.clock.advance(1);
    const third = await t.refresh(client, second.body.refresh_token).expect(401); // overlap over
    expect(third.body.error).toBe('invalid_client');
    expect((await admin.get(`/${client.clientId}`)).body.previous_secret_expires_at).toBe(rotated.previous_secret_expires_at);
  });

  it('rotate-secret without an overlap ends the old secret at once', async () => {
    const client = await t.createClient();
    const { refresh_token } = await t.issueTokens(client);
    await admin.post(`/${client.clientId}/rotate-secret`).expect(200);
    await t.refresh(client, refresh_token!).expect(401);
    await admin.post(`/${client.clientId}/rotate-secret`, { keep_old_for: 'soon' }).expect(400);
  });

  it('disable ends every token: introspection inactive (access and refresh), refresh fails, no live family; enable does not revive them', async () => {
    const client = await t.createClient();
    const issued = await t.issueTokens(client, 'dora');
    const cc = await t.createClient({ grantTypes: ['client_credentials'] });
    const ccToken = (await t.http().post('/oauth/token').auth(cc.clientId, cc.clientSecret!).type('form').send({ grant_type: 'client_credentials' }).expect(200)).body.access_token;
    expect(await active(issued.access_token)).toBe(true);

    const res = await admin.post(`/${client.clientId}/disable`).expect(200);
    expect(res.body).toEqual({ client_id: client.clientId, disabled: true, revoked_families: 1 });
    await admin.post(`/${cc.clientId}/disable`).expect(200);
    expect(await active(issued.access_token)).toBe(false);
    expect(await active(issued.refresh_token!)).toBe(false);
    expect(await active(ccToken)).toBe(false); // no family: the client check at introspection
    await t.refresh(client, issued.refresh_token!).expect(401);
    const families = await t.http().get('/admin/token-families').query({ subject: 'dora' }).set(auth).expect(200);
    expect(families.body).toEqual([]);
    // Idempotent (review M5): a second disable succeeds and revokes what is left (nothing here).
    expect((await admin.post(`/${client.clientId}/disable`).expect(200)).body).toEqual({ client_id: client.clientId, disabled: true, revoked_families: 0 });

    expect((await admin.post(`/${client.clientId}/enable`).expect(200)).body).toEqual({ client_id: client.clientId, disabled: false });
    await t.refresh(client, issued.refresh_token!).expect(400); // invalid_grant: its family stays revoked
    expect(await active(issued.access_token)).toBe(false);
    const again = await t.issueTokens(client, 'dora');
    await t.refresh(client, again.refresh_token!).expect(200);
    // Review M5: enabling does not revive a client_credentials token minted before the disable
    // (it has no family; tokens_valid_after ends it), while one minted after the enable is active.
    await admin.post(`/${cc.clientId}/enable`).expect(200);
    expect(await active(ccToken)).toBe(false);
    t.clock.advance(1);
    const fresh = (await t.http().post('/oauth/token').auth(cc.clientId, cc.clientSecret!).type('form').send({ grant_type: 'client_credentials' }).expect(200)).body.access_token;
    expect(await active(fresh)).toBe(true);
  });

  it('disable and delete of a client with many families fit a short DATABASE_TIMEOUT: revoked in bounded steps, none left live (review M5)', async () => {
    const short = await TestApp.create({ database: t.database, env: { ...codeFlowEnv, DATABASE_TIMEOUT: '1' } });
    try {
      const admin2 = (method: 'post' | 'delete', path: string) => short.http()[method](`/admin/clients${path}`).set(auth).send({});
      const seed = async (clientId: string, count: number) => {
        const now = short.clock.now();
        const rows = Array.from({ length: count }, (_, i) => `('${clientId.slice(0, 20)}-${String(i).padStart(8, '0')}', '${clientId}', 'user${i}', 'read', ${now}, ${now + 86_400_000}, ${now})`);
        for (let i = 0; i < rows.length; i += 2000) {
          await short.dataSource().query(`INSERT INTO token_families (id, client_id, subject, scope, created_at, expires_at, last_used_at) VALUES ${rows.slice(i, i + 2000).join(', ')}`);
        }
      };
      const live = async (clientId: string) =>
        Number((await short.dataSource().query(`SELECT COUNT(*) AS n FROM token_families WHERE client_id = '${clientId}' AND revoked_at IS NULL`))[0].n);

      const big = await short.createClient();
      await seed(big.clientId, 30_000);
      const disabled = await admin2('post', `/${big.clientId}/disable`);
      expect(disabled.status).toBe(200);
      expect(disabled.body).toEqual({ client_id: big.clientId, disabled: true, revoked_families: 30_000 });
      expect(await live(big.clientId)).toBe(0);

      const doomed = await short.createClient();
      await seed(doomed.clientId, 30_000);
      const deleted = await admin2('delete', `/${doomed.clientId}`);
      expect(deleted.status).toBe(200);
      expect(deleted.body).toEqual({ client_id: doomed.clientId, deleted: true, revoked_families: 30_000 });
      expect(Number((await short.dataSource().query(`SELECT COUNT(*) AS n FROM token_families WHERE client_id = '${doomed.clientId}'`))[0].n)).toBe(0);
    } finally {
      await short.close();
    }
  }, 60_000);

  it('delete revokes its families and removes the registration', async () => {
    const client = await t.createClient();
    const issued = await t.issueTokens(client, 'erin');
    expect((await admin.delete(`/${client.clientId}`).expect(200)).body).toEqual({ client_id: client.clientId, deleted: true, revoked_families: 1 });
    expect(await active(issued.access_token)).toBe(false);
    await t.refresh(client, issued.refresh_token!).expect(401);
    await admin.get(`/${client.clientId}`).expect(404);
    await admin.delete(`/${client.clientId}`).expect(404);
  });
});
