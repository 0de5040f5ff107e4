import { ClientsService } from 'nest-oauth-server';
import { TestApp, TestClient } from './support/test-app';

describe('client authentication at the token endpoint (RFC 6749 §2.3)', () => {
  let t: TestApp;
  let basic: TestClient;
  let post: TestClient;
  let publicClient: TestClient;

  beforeAll(async () => {
    t = await TestApp.create();
    basic = await t.createClient({ tokenEndpointAuthMethod: 'client_secret_basic' });
    post = await t.createClient({ tokenEndpointAuthMethod: 'client_secret_post' });
    publicClient = await t.createClient({ tokenEndpointAuthMethod: 'none' });
  });
  afterAll(() => t.close());

  const token = () => t.http().post('/oauth/token').type('form');
  const refreshBody = async (client: TestClient) => ({
    grant_type: 'refresh_token',
    refresh_token: (await t.issueTokens(client)).refresh_token!,
  });

  const expectInvalidClient = (res: { status: number; body: unknown; headers: Record<string, string> }) => {
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'invalid_client', error_description: 'Client authentication failed' });
    expect(res.headers['www-authenticate']).toMatch(/^Basic realm="/);
    expect(res.headers['cache-control']).toBe('no-store');
  };

  it('client_secret_basic: form-urlencoded id and secret in the Authorization header', async () => {
    await token().auth(basic.clientId, basic.clientSecret!).send(await refreshBody(basic)).expect(200);
  });

  it('client_secret_post: id and secret in the body', async () => {
    const body = { ...(await refreshBody(post)), client_id: post.clientId, client_secret: post.clientSecret };
    await token().send(body).expect(200);
  });

  it('none: a public client sends only its client_id', async () => {
    await token().send({ ...(await refreshBody(publicClient)), client_id: publicClient.clientId }).expect(200);
  });

  it('Basic with a matching client_id in the body is accepted', async () => {
    await token().auth(basic.clientId, basic.clientSecret!).send({ ...(await refreshBody(basic)), client_id: basic.clientId }).expect(200);
  });

  // RFC 6749 §2.3.1: Basic MUST be supported for clients issued a password; library defaults differ.
  it('a client_secret_post client may use Basic', async () => {
    await token().auth(post.clientId, post.clientSecret!).send(await refreshBody(post)).expect(200);
  });

  it('a client_secret_basic client may send its secret in the body', async () => {
    const body = { ...(await refreshBody(basic)), client_id: basic.clientId, client_secret: basic.clientSecret };
    await token().send(body).expect(200);
  });

  it('two methods in one request → invalid_request', async () => {
    const res = await token().auth(basic.clientId, basic.clientSecret!).send({ ...(await refreshBody(basic)), client_secret: basic.clientSecret });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_request');
  });

  it('a body client_id that differs from the Basic one → invalid_request', async () => {
    const res = await token().auth(basic.clientId, basic.clientSecret!).send({ ...(await refreshBody(basic)), client_id: post.clientId });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_request');
  });

  it('no client authentication at all → 401 invalid_client', async () => {
    expectInvalidClient(await token().send(await refreshBody(basic)));
  });

  it.each([
    ['a public client presenting a secret', () => token().send({ client_id: publicClient.clientId, client_secret: 'x' })],
    ['a confidential client omitting its secret', () => token().send({ client_id: basic.clientId })],
    ['a malformed Basic header (no colon)', () => token().set('Authorization', `Basic ${Buffer.from('nocolon').toString('base64')}`)],
    ['a malformed Basic header (not base64)', () => token().set('Authorization', 'Basic %%%')],
    ['a huge Basic header', () => token().set('Authorization', `Basic ${'A'.repeat(5000)}`)],
    ['another scheme', () => token().set('Authorization', 'Bearer abc')],
  ])('%s → 401 invalid_client', async (_name, start) => {
    expectInvalidClient(await start().send({ grant_type: 'refresh_token', refresh_token: 'x' }));
  });

  it('a wrong secret, an unknown client and a disabled client get the same response', async () => {
    const disabled = await t.createClient();
    await t.get(ClientsService).disable(disabled.clientId);
    const responses = [
      await token().auth(basic.clientId, 'wrong').send({ grant_type: 'refresh_token', refresh_token: 'x' }),
      await token().auth('no-such-client', 'secret').send({ grant_type: 'refresh_token', refresh_token: 'x' }),
      await token().auth(disabled.clientId, disabled.clientSecret!).send({ grant_type: 'refresh_token', refresh_token: 'x' }),
    ];
    responses.forEach(expectInvalidClient);
    expect(new Set(responses.map((res) => JSON.stringify(res.body))).size).toBe(1);
  });

  it('a rotated secret replaces the old one at once', async () => {
    const client = await t.createClient();
    const { client_secret } = await t.get(ClientsService).rotateSecret(client.clientId);
    expectInvalidClient(await token().auth(client.clientId, client.clientSecret!).send({ grant_type: 'refresh_token', refresh_token: 'x' }));
    const rotated = { clientId: client.clientId, clientSecret: client_secret };
    await token().auth(rotated.clientId, rotated.clientSecret).send(await refreshBody(rotated)).expect(200);
  });
});
