import { HostTestApp, TOKEN_PATH } from './support/host-test-app';

describe('the host’s own routes, filter and body parser are untouched by the library', () => {
  let t: HostTestApp;

  beforeAll(async () => {
    t = await HostTestApp.start();
  });
  afterAll(() => t.close());

  it('serves its JSON route, parsed by Nest’s default JSON body parser', async () => {
    const created = await t.http().post('/api/notes').send({ text: 'buy milk' }).expect(201);
    expect(created.body).toEqual({ id: expect.any(String), text: 'buy milk' });
    expect((await t.http().get(`/api/notes/${created.body.id}`).expect(200)).body.text).toBe('buy milk');
  });

  it('answers its own errors with its own filter’s body', async () => {
    const invalid = await t.http().post('/api/notes').send({}).expect(400);
    expect(invalid.body).toEqual({ ok: false, status: 400, message: 'text is required', path: '/api/notes' });
    const missing = await t.http().get('/api/notes/nope').expect(404);
    expect(missing.body).toEqual({ ok: false, status: 404, message: 'No such note', path: '/api/notes/nope' });
    const noRoute = await t.http().get('/api/nothing-here').expect(404);
    expect(noRoute.body).toMatchObject({ ok: false, status: 404, path: '/api/nothing-here' });
  });

  it('keeps Nest’s urlencoded parser for its own routes too', async () => {
    const created = await t.http().post('/api/notes').type('form').send({ text: 'from a form' }).expect(201);
    expect(created.body.text).toBe('from a form');
  });

  it('while the OAuth endpoints keep the RFC 6749 §5.2 body, without the host’s fields', async () => {
    const res = await t.http().post(TOKEN_PATH).type('form').send({ grant_type: 'refresh_token' }).expect(401);
    expect(res.body).toEqual({ error: 'invalid_client', error_description: expect.any(String) });
  });

  it('protects its own route with @RequireAccessToken: RFC 6750 §3 answers, not its filter’s 500', async () => {
    const missing = await t.http().get('/api/notes').expect(401);
    expect(missing.headers['www-authenticate']).toMatch(/^DPoP algs="[^"]+", Bearer$/);
    expect(missing.body).toEqual({ error: 'invalid_token', error_description: expect.any(String) });
    const invalid = await t.http().get('/api/notes').set('Authorization', 'Bearer not-a-token').expect(401);
    expect(invalid.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    const client = await t.client({ scope: 'read write' });
    const writeOnly = await t.startFamily(client, 'dave', 'write');
    const insufficient = await t.http().get('/api/notes').set('Authorization', `Bearer ${writeOnly.access_token}`).expect(403);
    expect(insufficient.headers['www-authenticate']).toBe('Bearer error="insufficient_scope", scope="read"');
    const { access_token } = await t.startFamily(client, 'dave', 'read');
    const ok = await t.http().get('/api/notes').set('Authorization', `Bearer ${access_token}`).expect(200);
    expect(ok.body).toEqual({ reader: 'dave', notes: expect.any(Array) });
  });
});
