import { TestApp, TestClient } from './support/test-app';

const claims = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());

describe('client_credentials grant (RFC 6749 §4.4)', () => {
  let t: TestApp;
  let client: TestClient;

  beforeAll(async () => {
    t = await TestApp.create();
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    client = await t.createClient({ grantTypes: ['client_credentials'], scope: 'read write' });
  });

  const token = (c: TestClient, extra: Record<string, string> = {}, post = false) => {
    const req = t.http().post('/oauth/token').type('form');
    const body = { grant_type: 'client_credentials', ...extra };
    if (post) return req.send({ ...body, client_id: c.clientId, ...(c.clientSecret ? { client_secret: c.clientSecret } : {}) });
    return req.auth(encodeURIComponent(c.clientId), encodeURIComponent(c.clientSecret!)).send(body);
  };

  it('issues an access token for the client itself and no refresh token (§4.4.3)', async () => {
    const res = await token(client).expect(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 900, scope: 'read write' });
    expect(claims(res.body.access_token)).toMatchObject({ sub: client.clientId, client_id: client.clientId, scope: 'read write' });
    expect(await t.dataSource().query('SELECT id FROM token_families')).toEqual([]);
  });

  it('narrows to a requested scope within the client scope', async () => {
    const res = await token(client, { scope: 'read' }).expect(200);
    expect(res.body.scope).toBe('read');
  });

  it('works with client_secret_post', async () => {
    const postClient = await t.createClient({ grantTypes: ['client_credentials'], tokenEndpointAuthMethod: 'client_secret_post' });
    await token(postClient, {}, true).expect(200);
  });

  it.each([
    ['a scope beyond the client', 'read admin'],
    ['a malformed scope', 'read "x"'],
  ])('%s → invalid_scope', async (_name, scope) => {
    const res = await token(client, { scope }).expect(400);
    expect(res.body).toEqual({ error: 'invalid_scope', error_description: expect.any(String) });
  });

  it('a public client → unauthorized_client', async () => {
    const publicClient = await t.createClient({ grantTypes: ['refresh_token'], tokenEndpointAuthMethod: 'none' });
    // Registration refuses client_credentials for a public client, so force it past registration.
    await t.dataSource().getRepository('ClientEntity').update({ clientId: publicClient.clientId }, { grantTypes: ['client_credentials'] });
    const res = await token(publicClient, {}, true).expect(400);
    expect(res.body.error).toBe('unauthorized_client');
  });

  it('a client not registered for the grant → unauthorized_client', async () => {
    const other = await t.createClient({ grantTypes: ['refresh_token'] });
    await token(other).expect(400, /unauthorized_client/);
  });

  it('a wrong secret → 401 invalid_client', async () => {
    await token({ clientId: client.clientId, clientSecret: 'wrong' }).expect(401, /invalid_client/);
  });

  it('registration refuses client_credentials for a public client', async () => {
    await expect(t.createClient({ grantTypes: ['client_credentials'], tokenEndpointAuthMethod: 'none' })).rejects.toThrow(/confidential/);
  });
});
