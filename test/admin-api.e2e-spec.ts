import { ADMIN_API_KEY, CodeFlow, codeFlowEnv, pkcePair } from './support/code-flow';
import { TestApp } from './support/test-app';

const somePath = `/login-requests/${'A'.repeat(43)}`;

describe('admin API: Bearer $ADMIN_API_KEY, JSON bodies', () => {
  let t: TestApp;
  let flow: CodeFlow;

  beforeAll(async () => {
    t = await TestApp.create({ env: codeFlowEnv });
    flow = new CodeFlow(t);
  });
  afterAll(() => t.close());

  it.each([
    ['no Authorization header', undefined],
    ['a wrong key', `Bearer ${ADMIN_API_KEY}x`],
    ['a prefix of the key', `Bearer ${ADMIN_API_KEY.slice(0, 10)}`],
    ['Basic credentials', `Basic ${Buffer.from(`admin:${ADMIN_API_KEY}`).toString('base64')}`],
    ['the key without a scheme', ADMIN_API_KEY],
  ])('%s → 401 with WWW-Authenticate: Bearer', async (_name, authorization) => {
    const req = t.http().get(`/admin${somePath}`);
    const res = await (authorization === undefined ? req : req.set('Authorization', authorization)).expect(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="admin"');
    expect(res.body).toEqual({ error: 'unauthorized', error_description: expect.any(String) });
  });

  it('accepts the scheme in any case', async () => {
    await t.http().get(`/admin${somePath}`).set('Authorization', `bearer ${ADMIN_API_KEY}`).expect(404);
  });

  it('does not read the body of an unauthenticated request', async () => {
    const res = await t.http().post(`/admin${somePath}/accept`).set('Authorization', 'Bearer wrong').type('json').send('{not json').expect(401);
    expect(res.body.error).toBe('unauthorized');
  });

  it.each([
    ['malformed JSON', 'application/json', '{"subject": ', 400],
    ['a JSON string (strict mode)', 'application/json', '"alice"', 400],
    ['form content', 'application/x-www-form-urlencoded', 'subject=alice', 415],
    ['no content type', '', '{"subject":"alice"}', 415],
    ['a body over 16 kB', 'application/json', JSON.stringify({ subject: 'a'.repeat(17 * 1024) }), 413],
  ])('%s → %s JSON error, never 500', async (_name, contentType, body, status) => {
    const loginChallenge = await flow.loginChallenge(await flow.createClient(), pkcePair().challenge);
    let req = flow.admin('post', `/login-requests/${loginChallenge}/accept`);
    if (contentType) req = req.set('Content-Type', contentType);
    const res = await req.send(body).expect(status);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({ error: expect.any(String), error_description: expect.any(String) });
    await flow.admin('get', `/login-requests/${loginChallenge}`).expect(200);
  });

  it('a body-less POST (no Content-Type, no body) is an empty JSON object, not a 415 (review L6)', async () => {
    const admin = (path: string) => t.http().post(`/admin${path}`).set('Authorization', `Bearer ${ADMIN_API_KEY}`);
    const client = await t.createClient();
    await admin(`/clients/${client.clientId}/disable`).expect(200);
    await admin(`/clients/${client.clientId}/enable`).expect(200);
    await admin(`/clients/${client.clientId}/rotate-secret`).set('Content-Length', '0').expect(200);
    const rotated = await admin('/signing-keys/rotate').expect(201);
    expect(rotated.body.kid).toEqual(expect.any(String));
    // A route that needs members names the missing one (400), and a body still needs its type.
    const loginChallenge = await flow.loginChallenge(await flow.createClient(), pkcePair().challenge);
    expect((await admin(`/login-requests/${loginChallenge}/accept`).expect(400)).body.error).toBe('invalid_request');
    await admin(`/clients/${client.clientId}/rotate-secret`).set('Content-Type', 'text/plain').send('x').expect(415);
  });

  it('an unknown admin route → 404 JSON', async () => {
    await flow.admin('get', '/nothing-here').expect(404);
  });
});

describe('with ADMIN_API_KEY and LOGIN_URL unset', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.create({ env: { ADMIN_API_KEY: '', LOGIN_URL: '' } });
  });
  afterAll(() => t.close());

  it('the admin routes answer 404, whatever the Authorization header', async () => {
    await t.http().get(`/admin${somePath}`).expect(404);
    await t.http().get(`/admin${somePath}`).set('Authorization', 'Bearer ').expect(404);
    await t.http().post(`/admin${somePath}/accept`).set('Authorization', `Bearer ${ADMIN_API_KEY}`).send({ subject: 'a' }).expect(404);
  });

  it('the authorization endpoint is off (404) and not advertised', async () => {
    await t.http().get('/oauth/authorize?response_type=code').expect(404);
    const metadata = await t.http().get('/.well-known/oauth-authorization-server').expect(200);
    expect(metadata.body.authorization_endpoint).toBeUndefined();
    expect(metadata.body.response_types_supported).toEqual([]);
  });
});

describe('configuration', () => {
  it.each([
    ['LOGIN_URL without ADMIN_API_KEY', { LOGIN_URL: 'https://login.example/login', ADMIN_API_KEY: '' }, /LOGIN_URL needs ADMIN_API_KEY/],
    ['a short ADMIN_API_KEY', { ADMIN_API_KEY: 'short' }, /ADMIN_API_KEY must be at least 32 characters/],
    ['a LOGIN_URL with a fragment', { ...codeFlowEnv, LOGIN_URL: 'https://login.example/login#x' }, /fragment/],
    ['an AUTHORIZATION_CODE_TTL over 10 minutes', { AUTHORIZATION_CODE_TTL: '601' }, /AUTHORIZATION_CODE_TTL/],
  ])('%s fails at boot', async (_name, env, message) => {
    await expect(TestApp.create({ env })).rejects.toThrow(message);
  });
});
