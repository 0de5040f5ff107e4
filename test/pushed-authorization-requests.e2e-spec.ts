import { ClientsService, DatabaseService, EXPIRY_GRACE_MS, RECLAIMED_PER_INSERT, RetentionService } from 'nest-oauth-server';
import { commands } from '../src/cli/commands';
import { ADMIN_API_KEY, CodeFlow, codeFlowEnv, LOGIN_URL, pkcePair, REDIRECT_URI } from './support/code-flow';
import { DpopKey } from './support/dpop';
import { postAs } from './support/oauth-requests';
import { TestApp, TestClient } from './support/test-app';

const REQUEST_URI = /^urn:ietf:params:oauth:request_uri:[A-Za-z0-9_-]{43}$/;

/** RFC 9126: POST /oauth/par, then /oauth/authorize with client_id + request_uri. */
describe('pushed authorization requests (RFC 9126)', () => {
  let t: TestApp;
  let flow: CodeFlow;
  let client: TestClient;

  beforeAll(async () => {
    t = await TestApp.create({ env: codeFlowEnv });
    flow = new CodeFlow(t);
    client = await flow.createClient();
  });
  afterAll(() => t.close());

  const pushParams = (target: TestClient, challenge: string, extra: Record<string, string> = {}) => {
    const { client_id: _omitted, ...params } = flow.authorizeQuery(target, challenge, extra);
    return params;
  };
  const push = (target: TestClient, body: Record<string, string>) => postAs(t, '/oauth/par', target, body);
  const authorizeWith = (target: TestClient, requestUri: string, extra: Record<string, string> = {}) =>
    flow.authorize({ client_id: target.clientId, request_uri: requestUri, ...extra });
  const pushedRows = async () => +(await t.get(DatabaseService).run((m) => m.query('SELECT COUNT(*) AS n FROM pushed_authorization_requests')))[0].n;

  async function pushed(target: TestClient, challenge: string, extra: Record<string, string> = {}): Promise<string> {
    const res = await push(target, pushParams(target, challenge, extra)).expect(201);
    return res.body.request_uri;
  }

  function loginChallengeOf(res: { headers: Record<string, string> }): string {
    const location = new URL(res.headers.location);
    expect(`${location.origin}${location.pathname}`).toBe(LOGIN_URL);
    return location.searchParams.get('login_challenge')!;
  }

  describe('a DPoP proof on the push (RFC 9449 §10.1)', () => {
    const PAR_URL = 'http://localhost:3000/oauth/par';
    const lastPushedParameters = async () =>
      new URLSearchParams((await t.get(DatabaseService).run((m) => m.query('SELECT parameters FROM pushed_authorization_requests ORDER BY created_at DESC LIMIT 1')))[0].parameters);

    it('is checked, and binds the code to its key as dpop_jkt would', async () => {
      const key = await DpopKey.generate();
      await push(client, pushParams(client, pkcePair().challenge)).set('DPoP', await key.proof(t, { htu: PAR_URL })).expect(201);
      expect((await lastPushedParameters()).get('dpop_jkt')).toBe(key.jkt);
    });

    it('with dpop_jkt naming another key: refused, nothing stored', async () => {
      const [key, other] = [await DpopKey.generate(), await DpopKey.generate()];
      const before = await pushedRows();
      const res = await push(client, pushParams(client, pkcePair().challenge, { dpop_jkt: other.jkt })).set('DPoP', await key.proof(t, { htu: PAR_URL })).expect(400);
      expect(res.body.error).toBe('invalid_dpop_proof');
      expect(await pushedRows()).toBe(before);
    });

    it('an invalid proof (htu of another endpoint) is invalid_dpop_proof, nothing stored', async () => {
      const key = await DpopKey.generate();
      const before = await pushedRows();
      const res = await push(client, pushParams(client, pkcePair().challenge)).set('DPoP', await key.proof(t)).expect(400);
      expect(res.body.error).toBe('invalid_dpop_proof');
      expect(await pushedRows()).toBe(before);
    });
  });

  it('201 with a one-time request_uri and expires_in, never cached (RFC 9126 §2.2)', async () => {
    const res = await push(client, pushParams(client, pkcePair().challenge)).expect(201);
    expect(res.body).toEqual({ request_uri: expect.stringMatching(REQUEST_URI), expires_in: 60 });
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    // Only the hash of the reference is stored.
    const [row] = await t.get(DatabaseService).run((m) => m.query('SELECT * FROM pushed_authorization_requests ORDER BY created_at DESC LIMIT 1'));
    expect(JSON.stringify(row)).not.toContain(res.body.request_uri.split(':').pop());
  });

  it('happy path: push → authorize with request_uri → login app accepts → code → tokens; the pushed parameters are the ones used', async () => {
    const { verifier, challenge } = pkcePair();
    const requestUri = await pushed(client, challenge, { scope: 'read', state: 'pushed-state' });
    // RFC 9126 §4 / RFC 9101 §5: parameters outside the pushed request are ignored.
    const res = await authorizeWith(client, requestUri, { scope: 'write', state: 'query-state', redirect_uri: 'https://evil.example/cb' }).expect(302);
    const loginChallenge = loginChallengeOf(res);
    const view = await flow.admin('get', `/login-requests/${loginChallenge}`).expect(200);
    expect(view.body).toMatchObject({ client_id: client.clientId, requested_scope: 'read', redirect_uri: REDIRECT_URI });
    const accepted = await flow.accept(loginChallenge).expect(200);
    const callback = new URL(accepted.body.redirect_to);
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI);
    expect(callback.searchParams.get('state')).toBe('pushed-state');
    const tokens = await flow.exchange(client, callback.searchParams.get('code')!, verifier).expect(200);
    expect(tokens.body).toMatchObject({ token_type: 'Bearer', scope: 'read', refresh_token: expect.any(String) });
  });

  it('a request_uri is used once (RFC 9126 §2.2): the second use gets the error page, no redirect', async () => {
    const requestUri = await pushed(client, pkcePair().challenge);
    await authorizeWith(client, requestUri).expect(302);
    const again = await authorizeWith(client, requestUri).expect(400);
    expect(again.headers.location).toBeUndefined();
    expect(again.text).toContain('request_uri');
  });

  it('concurrent uses of one request_uri: exactly one login request', async () => {
    const requestUri = await pushed(client, pkcePair().challenge);
    const results = await Promise.all(Array.from({ length: 10 }, () => authorizeWith(client, requestUri)));
    expect(results.map((r) => r.status).sort()).toEqual([302, ...Array(9).fill(400)]);
  });

  it('an expired request_uri is refused (fake clock), and the retention job deletes it', async () => {
    const requestUri = await pushed(client, pkcePair().challenge);
    t.clock.advance(61);
    await authorizeWith(client, requestUri).expect(400);
    t.clock.advance(3600);
    expect((await t.get(RetentionService).purgeExpired()).pushedAuthorizationRequests).toBeGreaterThanOrEqual(1);
  });

  it('still valid just before expires_in', async () => {
    const requestUri = await pushed(client, pkcePair().challenge);
    t.clock.advance(59);
    await authorizeWith(client, requestUri).expect(302);
  });

  it("another client's request_uri is refused and stays usable by its own client (RFC 9126 §2.2: bound to the client)", async () => {
    const other = await flow.createClient();
    const requestUri = await pushed(client, pkcePair().challenge);
    const res = await authorizeWith(other, requestUri).expect(400);
    expect(res.headers.location).toBeUndefined();
    await authorizeWith(client, requestUri).expect(302);
  });

  it.each([
    ['not a URN of ours', 'https://client.example/request.jwt'],
    ['a short reference', 'urn:ietf:params:oauth:request_uri:abc'],
    ['an unknown reference', `urn:ietf:params:oauth:request_uri:${'A'.repeat(43)}`],
  ])('request_uri %s → the error page', async (_name, requestUri) => {
    const res = await authorizeWith(client, requestUri).expect(400);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
  });

  it('a repeated request_uri → the error page', async () => {
    const requestUri = await pushed(client, pkcePair().challenge);
    await flow.authorize(`client_id=${client.clientId}&request_uri=${encodeURIComponent(requestUri)}&request_uri=${encodeURIComponent(requestUri)}`).expect(400);
  });

  it('a request_uri without client_id → the error page (RFC 9126 §4: client_id is required)', async () => {
    const requestUri = await pushed(client, pkcePair().challenge);
    await flow.authorize({ request_uri: requestUri }).expect(400);
  });

  it('without client authentication → 401 invalid_client, nothing stored', async () => {
    const before = await pushedRows();
    const res = await t.http().post('/oauth/par').type('form').send({ client_id: client.clientId, ...pushParams(client, pkcePair().challenge) }).expect(401);
    expect(res.body.error).toBe('invalid_client');
    await t
      .http()
      .post('/oauth/par')
      .type('form')
      .auth(client.clientId, 'wrong-secret')
      .send(pushParams(client, pkcePair().challenge))
      .expect(401);
    expect(await pushedRows()).toBe(before);
  });

  it('a request_uri in the push → invalid_request (RFC 9126 §2.1)', async () => {
    const res = await push(client, { ...pushParams(client, pkcePair().challenge), request_uri: 'urn:ietf:params:oauth:request_uri:x' }).expect(400);
    expect(res.body.error).toBe('invalid_request');
  });

  it.each([
    ['redirect_uri not registered', { redirect_uri: 'https://evil.example/cb' }, 'invalid_request'],
    ['no redirect_uri', { redirect_uri: '' }, 'invalid_request'],
    ['no response_type', { response_type: '' }, 'invalid_request'],
    ['response_type token', { response_type: 'token' }, 'unsupported_response_type'],
    ['no code_challenge', { code_challenge: '' }, 'invalid_request'],
    ['plain PKCE', { code_challenge_method: 'plain' }, 'invalid_request'],
    ['scope beyond the client', { scope: 'admin' }, 'invalid_scope'],
    ['state too long', { state: 'x'.repeat(513) }, 'invalid_request'],
  ])('validated as at the authorization endpoint: %s → 400 %s, JSON, nothing stored (RFC 9126 §2.3)', async (_name, extra, error) => {
    const before = await pushedRows();
    const res = await push(client, pushParams(client, pkcePair().challenge, extra)).expect(400);
    expect(res.body).toEqual({ error, error_description: expect.any(String) });
    expect(res.headers['cache-control']).toBe('no-store');
    expect(await pushedRows()).toBe(before);
  });

  it('a client without the authorization_code grant → unauthorized_client', async () => {
    const refreshOnly = await t.createClient({ redirectUris: [REDIRECT_URI], grantTypes: ['refresh_token'] });
    const res = await push(refreshOnly, pushParams(refreshOnly, pkcePair().challenge)).expect(400);
    expect(res.body.error).toBe('unauthorized_client');
  });

  it('a client_id in the body other than the authenticated client → invalid_request', async () => {
    const other = await flow.createClient();
    const res = await push(client, { ...pushParams(client, pkcePair().challenge), client_id: other.clientId }).expect(400);
    expect(res.body.error).toBe('invalid_request');
  });

  it('a public client pushes with its client_id (RFC 9126 §2.1: the token endpoint rules)', async () => {
    const spa = await flow.createClient({ tokenEndpointAuthMethod: 'none' });
    const requestUri = await pushed(spa, pkcePair().challenge);
    await authorizeWith(spa, requestUri).expect(302);
  });

  it('the pushed request is validated again when used: a redirect URI removed since the push → the error page', async () => {
    const changing = await flow.createClient({ redirectUris: [REDIRECT_URI, 'https://app.example/other'] });
    const requestUri = await pushed(changing, pkcePair().challenge);
    await t.get(ClientsService).update(changing.clientId, { redirectUris: ['https://app.example/other'] });
    await authorizeWith(changing, requestUri).expect(400);
  });

  it('only the form content type is accepted', async () => {
    const res = await t.http().post('/oauth/par').auth(client.clientId, client.clientSecret!).send({ response_type: 'code' }).expect(400);
    expect(res.body.error).toBe('invalid_request');
  });

  describe('a client registered require_pushed_authorization_requests (RFC 9126 §6)', () => {
    let strict: TestClient;
    beforeAll(async () => {
      strict = await flow.createClient({ requirePushedAuthorizationRequests: true });
    });

    it('without a request_uri → invalid_request at the authorization endpoint (redirected: the redirect URI is registered)', async () => {
      const res = await flow.authorize(flow.authorizeQuery(strict, pkcePair().challenge)).expect(302);
      const location = new URL(res.headers.location);
      expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
      expect(location.searchParams.get('error')).toBe('invalid_request');
      expect(location.searchParams.get('state')).toBe('xyz-state');
    });

    it('with an unregistered redirect_uri and no request_uri → the error page', async () => {
      await flow.authorize(flow.authorizeQuery(strict, pkcePair().challenge, { redirect_uri: 'https://evil.example/cb' })).expect(400);
    });

    it('through PAR → the login app', async () => {
      const requestUri = await pushed(strict, pkcePair().challenge);
      loginChallengeOf(await authorizeWith(strict, requestUri).expect(302));
    });

    it('other clients are not affected', async () => {
      await flow.loginChallenge(client, pkcePair().challenge);
    });
  });

  describe('registration: CLI and admin API', () => {
    it('clients:create --require-par, clients:update --require-par false, shown in the view', async () => {
      const created = (await commands['clients:create'].run(t.app, ['--name', 'par', '--redirect-uri', REDIRECT_URI, '--require-par'])) as Record<string, unknown>;
      expect(created.require_pushed_authorization_requests).toBe(true);
      const plain = (await commands['clients:create'].run(t.app, ['--name', 'plain', '--redirect-uri', REDIRECT_URI])) as Record<string, unknown>;
      expect(plain.require_pushed_authorization_requests).toBe(false);
      const updated = (await commands['clients:update'].run(t.app, [String(created.client_id), '--require-par', 'false'])) as Record<string, unknown>;
      expect(updated.require_pushed_authorization_requests).toBe(false);
    });

    it('PATCH /admin/clients/:id {require_pushed_authorization_requests} turns it on; a non-boolean is refused', async () => {
      const target = await flow.createClient();
      const patched = await t
        .http()
        .patch(`/admin/clients/${target.clientId}`)
        .set('Authorization', `Bearer ${ADMIN_API_KEY}`)
        .send({ require_pushed_authorization_requests: true })
        .expect(200);
      expect(patched.body.require_pushed_authorization_requests).toBe(true);
      const refused = await flow.authorize(flow.authorizeQuery(target, pkcePair().challenge)).expect(302);
      expect(new URL(refused.headers.location).searchParams.get('error')).toBe('invalid_request');
      await t
        .http()
        .patch(`/admin/clients/${target.clientId}`)
        .set('Authorization', `Bearer ${ADMIN_API_KEY}`)
        .send({ require_pushed_authorization_requests: 'yes' })
        .expect(400);
    });
  });

  it('metadata names the PAR endpoint and says PAR is not required server-wide (RFC 9126 §5)', async () => {
    const res = await t.http().get('/.well-known/oauth-authorization-server').expect(200);
    expect(res.body).toMatchObject({ pushed_authorization_request_endpoint: 'http://localhost:3000/oauth/par', require_pushed_authorization_requests: false });
  });
});

describe('PAR_REQUIRED=true: every client must push (RFC 9126 §5)', () => {
  let t: TestApp;
  let flow: CodeFlow;
  beforeAll(async () => {
    t = await TestApp.create({ env: { ...codeFlowEnv, PAR_REQUIRED: 'true', PAR_REQUEST_TTL: '30' } });
    flow = new CodeFlow(t);
  });
  afterAll(() => t.close());

  it('a plain authorization request → invalid_request; a pushed one works; metadata says so; expires_in follows PAR_REQUEST_TTL', async () => {
    const client = await flow.createClient();
    const refused = await flow.authorize(flow.authorizeQuery(client, pkcePair().challenge)).expect(302);
    expect(new URL(refused.headers.location).searchParams.get('error')).toBe('invalid_request');
    const { client_id: _omitted, ...params } = flow.authorizeQuery(client, pkcePair().challenge);
    const pushed = await postAs(t, '/oauth/par', client, params).expect(201);
    expect(pushed.body.expires_in).toBe(30);
    const res = await flow.authorize({ client_id: client.clientId, request_uri: pushed.body.request_uri }).expect(302);
    expect(res.headers.location).toMatch(new RegExp(`^${LOGIN_URL}\\?login_challenge=`));
    const metadata = await t.http().get('/.well-known/oauth-authorization-server').expect(200);
    expect(metadata.body.require_pushed_authorization_requests).toBe(true);
  });
});

describe('without a login application (no LOGIN_URL) there is no PAR endpoint', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.create();
  });
  afterAll(() => t.close());

  it('POST /oauth/par → 404 before client authentication, and metadata does not name it', async () => {
    await t.http().post('/oauth/par').type('form').send({ response_type: 'code' }).expect(404);
    const metadata = await t.http().get('/.well-known/oauth-authorization-server').expect(200);
    expect(metadata.body).not.toHaveProperty('pushed_authorization_request_endpoint');
  });
});

describe('two instances on one database (PostgreSQL under test:pg): a request_uri is used once across them', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await TestApp.create({ env: codeFlowEnv });
    b = await TestApp.create({ env: codeFlowEnv, database: a.database });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('pushed on one, 20 racing uses on both → exactly one login request', async () => {
    const flowA = new CodeFlow(a);
    const flowB = new CodeFlow(b);
    const client = await flowA.createClient();
    const { client_id: _omitted, ...params } = flowA.authorizeQuery(client, pkcePair().challenge);
    const { request_uri: requestUri } = (await postAs(a, '/oauth/par', client, params).expect(201)).body;
    const query = { client_id: client.clientId, request_uri: requestUri };
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? flowA : flowB).authorize(query)));
    expect(results.filter((r) => r.status === 302)).toHaveLength(1);
    expect(results.filter((r) => r.status === 400)).toHaveLength(19);
    const [row] = await a.get(DatabaseService).run((m) => m.query('SELECT COUNT(*) AS n FROM login_requests'));
    expect(+row.n).toBe(1);
  });
});

describe('storage of pushed requests is bounded: every push reclaims expired ones', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.create({ env: { ...codeFlowEnv, RETENTION_INTERVAL: '0' } });
  });
  afterAll(() => t.close());

  it(`each push past expiry + grace deletes up to ${RECLAIMED_PER_INSERT} expired rows`, async () => {
    const flow = new CodeFlow(t);
    const client = await flow.createClient({ tokenEndpointAuthMethod: 'none' });
    const { client_id: _omitted, ...params } = flow.authorizeQuery(client, pkcePair().challenge);
    const push = () => postAs(t, '/oauth/par', client, params).expect(201);
    const rows = async () => +(await t.get(DatabaseService).run((m) => m.query('SELECT COUNT(*) AS n FROM pushed_authorization_requests')))[0].n;
    for (let i = 0; i < 5; i++) await push();
    expect(await rows()).toBe(5);
    t.clock.advance(60 + EXPIRY_GRACE_MS / 1000 + 1);
    await push();
    expect(await rows()).toBe(5 + 1 - RECLAIMED_PER_INSERT);
    await push();
    await push();
    expect(await rows()).toBe(3);
  });
});
