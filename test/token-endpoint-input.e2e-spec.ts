import { TestApp, TestClient } from './support/test-app';

/** RFC 6749 §3.2 and §5.2: malformed requests get an RFC-shaped error and change nothing. */
describe('token endpoint input handling', () => {
  let t: TestApp;
  let client: TestClient;
  let refreshToken: string;

  beforeAll(async () => {
    t = await TestApp.create();
    client = await t.createClient();
    refreshToken = (await t.issueTokens(client)).refresh_token!;
  });
  afterAll(() => t.close());

  const post = () => t.http().post('/oauth/token').auth(client.clientId, client.clientSecret!);
  const form = (body: string) => post().set('Content-Type', 'application/x-www-form-urlencoded').send(body);

  it.each([
    ['JSON instead of a form', () => post().set('Content-Type', 'application/json').send(JSON.stringify({ grant_type: 'refresh_token' })), 400],
    ['no Content-Type', () => post().send(Buffer.from('grant_type=refresh_token')), 400],
    ['a charset other than UTF-8', () => post().set('Content-Type', 'application/x-www-form-urlencoded; charset=latin1').send('grant_type=refresh_token'), 400],
    ['a repeated parameter', () => form(`grant_type=refresh_token&refresh_token=${refreshToken}&refresh_token=${refreshToken}`), 400],
    ['a repeated grant_type', () => form(`grant_type=refresh_token&grant_type=refresh_token&refresh_token=${refreshToken}`), 400],
    ['malformed percent-encoding', () => form(`grant_type=refresh_token&refresh_token=%ZZ${refreshToken}`), 400],
    ['percent-encoded invalid UTF-8', () => form(`grant_type=refresh_token&refresh_token=%C3%28`), 400],
    ['raw invalid UTF-8 bytes', () => post().set('Content-Type', 'application/x-www-form-urlencoded').send(Buffer.from([0x67, 0x3d, 0xff, 0xfe])), 400],
    ['a NUL byte in a value', () => form(`grant_type=refresh_token&refresh_token=${refreshToken}%00`), 400],
    ['a body over the size limit', () => form(`grant_type=refresh_token&refresh_token=${'a'.repeat(20_000)}`), 413],
  ])('%s → %s with an RFC 6749 §5.2 body', async (_name, send, status) => {
    const res = await send();
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ error: 'invalid_request', error_description: expect.any(String) });
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['pragma']).toBe('no-cache');
  });

  it('an empty parameter counts as omitted (RFC 6749 §3.2)', async () => {
    const res = await form('grant_type=refresh_token&refresh_token=');
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_request');
    expect(res.body.error_description).toMatch(/refresh_token/);
  });

  it('none of the rejected requests consumed the token', async () => {
    await t.refresh(client, refreshToken).expect(200);
  });

  it('unknown routes answer with an OAuth-shaped 404, not a stack trace', async () => {
    const res = await t.http().get('/oauth/nothing-here').expect(404);
    expect(res.body).toEqual({ error: 'not_found', error_description: expect.any(String) });
  });
});
