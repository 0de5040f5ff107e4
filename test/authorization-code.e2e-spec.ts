import { AuthorizationCodeEntity, AUTHORIZE_ERROR_DESCRIPTIONS, ClientsService, LoginRequestEntity, MAX_STATE_LENGTH, RetentionService } from 'nest-oauth-server';
import { appConfig, AppConfig } from '../src/config/app.config';
import { CodeFlow, codeFlowEnv, pkcePair, REDIRECT_URI } from './support/code-flow';
import { introspect } from './support/oauth-requests';
import { TestApp, TestClient } from './support/test-app';

const claims = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());

describe('authorization_code grant with PKCE and a login application (RFC 6749 §4.1, RFC 7636)', () => {
  let t: TestApp;
  let flow: CodeFlow;
  let client: TestClient;

  beforeAll(async () => {
    t = await TestApp.create({ env: codeFlowEnv });
    flow = new CodeFlow(t);
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    client = await flow.createClient();
  });

  describe('the whole flow', () => {
    it('authorize → login request → accept → code → tokens → refresh rotation', async () => {
      const { verifier, challenge } = pkcePair();
      const authorize = await flow.authorize(flow.authorizeQuery(client, challenge)).expect(302);
      expect(authorize.headers['cache-control']).toBe('no-store');
      const loginChallenge = new URL(authorize.headers.location).searchParams.get('login_challenge')!;
      expect(loginChallenge).toMatch(/^[A-Za-z0-9_-]{43}$/);

      const request = await flow.admin('get', `/login-requests/${loginChallenge}`).expect(200);
      expect(request.body).toEqual({
        client_id: client.clientId,
        client_name: 'test client',
        requested_scope: 'read',
        redirect_uri: REDIRECT_URI,
        expires_at: Math.floor(t.clock.now() / 1000) + 600,
      });

      const accepted = await flow.accept(loginChallenge, { subject: 'alice' }).expect(200);
      const callback = new URL(accepted.body.redirect_to);
      expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI);
      expect(callback.searchParams.get('state')).toBe('xyz-state');
      expect(callback.searchParams.get('iss')).toBe(t.app.get<AppConfig>(appConfig.KEY).issuer);
      const code = callback.searchParams.get('code')!;
      expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);

      const tokens = await flow.exchange(client, code, verifier).expect(200);
      expect(tokens.headers['cache-control']).toBe('no-store');
      expect(tokens.body).toEqual({
        access_token: expect.any(String),
        token_type: 'Bearer',
        expires_in: 900,
        refresh_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        scope: 'read',
      });
      expect(claims(tokens.body.access_token)).toMatchObject({ sub: 'alice', client_id: client.clientId, scope: 'read' });

      const rotated = await t.refresh(client, tokens.body.refresh_token).expect(200);
      expect(rotated.body.refresh_token).not.toBe(tokens.body.refresh_token);
      expect(claims(rotated.body.access_token).sub).toBe('alice');
      // Once its successor has been used, the first refresh token is dead: presenting it again is reuse.
      await t.refresh(client, rotated.body.refresh_token).expect(200);
      await t.refresh(client, tokens.body.refresh_token).expect(400);
    });

    it('works for a public client (PKCE instead of a secret)', async () => {
      const spa = await flow.createClient({ tokenEndpointAuthMethod: 'none' });
      const { verifier, challenge } = pkcePair();
      const code = await flow.code(spa, challenge);
      const tokens = await flow.exchange(spa, code, verifier).expect(200);
      await t.refresh(spa, tokens.body.refresh_token).expect(200);
    });

    it('grants the client its registered scope when none is requested, and the login app may narrow it', async () => {
      const { verifier, challenge } = pkcePair();
      const loginChallenge = await flow.loginChallenge(client, challenge, { scope: '' });
      const request = await flow.admin('get', `/login-requests/${loginChallenge}`).expect(200);
      expect(request.body.requested_scope).toBe('read write');
      const accepted = await flow.accept(loginChallenge, { subject: 'bob', scope: 'write' }).expect(200);
      const code = new URL(accepted.body.redirect_to).searchParams.get('code')!;
      const tokens = await flow.exchange(client, code, verifier).expect(200);
      expect(tokens.body.scope).toBe('write');
    });

    it('keeps the query component of a registered redirect URI (RFC 6749 §3.1.2)', async () => {
      const withQuery = `${REDIRECT_URI}?tenant=a`;
      const other = await flow.createClient({ redirectUris: [withQuery] });
      const { challenge } = pkcePair();
      const loginChallenge = await flow.loginChallenge(other, challenge, { redirect_uri: withQuery });
      const accepted = await flow.accept(loginChallenge).expect(200);
      const callback = new URL(accepted.body.redirect_to);
      expect(callback.searchParams.get('tenant')).toBe('a');
      expect(callback.searchParams.get('code')).toBeTruthy();
    });

    it('reject sends the browser back with the error and the state (RFC 6749 §4.1.2.1)', async () => {
      const loginChallenge = await flow.loginChallenge(client, pkcePair().challenge);
      const res = await flow.reject(loginChallenge, { error: 'access_denied', error_description: 'The user said no' }).expect(200);
      const callback = new URL(res.body.redirect_to);
      expect(Object.fromEntries(callback.searchParams)).toEqual({
        error: 'access_denied',
        error_description: 'The user said no',
        state: 'xyz-state',
        iss: expect.stringMatching(/^http/),
      });
    });

    it('a client without the refresh_token grant gets an access token only', async () => {
      const codeOnly = await flow.createClient({ grantTypes: ['authorization_code'] });
      const { verifier, challenge } = pkcePair();
      const tokens = await flow.exchange(codeOnly, await flow.code(codeOnly, challenge), verifier).expect(200);
      expect(tokens.body.refresh_token).toBeUndefined();
      expect(tokens.body.access_token).toEqual(expect.any(String));
    });
  });

  describe('authorization request errors that must not redirect: a 400 page (RFC 6749 §4.1.2.1)', () => {
    const cases: [string, (q: Record<string, string>) => string][] = [
      ['missing client_id', (q) => qs(q, { client_id: undefined })],
      ['unknown client_id', (q) => qs(q, { client_id: 'no-such-client' })],
      ['repeated client_id', (q) => `${qs(q)}&client_id=${q.client_id}`],
      ['missing redirect_uri', (q) => qs(q, { redirect_uri: undefined })],
      ['unregistered redirect_uri', (q) => qs(q, { redirect_uri: 'https://evil.example/callback' })],
      ['redirect_uri differing by a trailing slash', (q) => qs(q, { redirect_uri: `${REDIRECT_URI}/` })],
      ['repeated redirect_uri', (q) => `${qs(q)}&redirect_uri=${encodeURIComponent(REDIRECT_URI)}`],
      // Hostile-input finding: PostgreSQL refused the NUL in the client lookup, a 500.
      ['a NUL in client_id', (q) => qs(q, { client_id: `${q.client_id}\u0000` })],
    ];
    it.each(cases)('%s', async (_name, build) => {
      const res = await flow.authorize(build(flow.authorizeQuery(client, pkcePair().challenge))).expect(400);
      expect(res.headers.location).toBeUndefined();
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.text).toContain('Invalid authorization request');
      expect(await loginRequestCount()).toBe(0);
    });

    it('a disabled client', async () => {
      await t.get(ClientsService).disable(client.clientId);
      const res = await flow.authorize(flow.authorizeQuery(client, pkcePair().challenge)).expect(400);
      expect(res.headers.location).toBeUndefined();
    });
  });

  describe('authorization request errors redirected to the client with error, description and state', () => {
    const cases: [string, string, (q: Record<string, string>) => string][] = [
      ['missing response_type', 'invalid_request', (q) => qs(q, { response_type: undefined })],
      ['response_type=token', 'unsupported_response_type', (q) => qs(q, { response_type: 'token' })],
      ['missing code_challenge', 'invalid_request', (q) => qs(q, { code_challenge: undefined })],
      ['code_challenge_method=plain', 'invalid_request', (q) => qs(q, { code_challenge_method: 'plain' })],
      ['missing code_challenge_method (plain by default)', 'invalid_request', (q) => qs(q, { code_challenge_method: undefined })],
      ['malformed code_challenge', 'invalid_request', (q) => qs(q, { code_challenge: 'short' })],
      ['scope beyond the client', 'invalid_scope', (q) => qs(q, { scope: 'read admin' })],
      ['malformed scope', 'invalid_scope', (q) => qs(q, { scope: 'read "x"' })],
      ['repeated scope', 'invalid_request', (q) => `${qs(q)}&scope=write`],
    ];
    it.each(cases)('%s → %s', async (_name, error, build) => {
      const res = await flow.authorize(build(flow.authorizeQuery(client, pkcePair().challenge))).expect(302);
      const location = new URL(res.headers.location);
      expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
      expect(location.searchParams.get('error')).toBe(error);
      expect(location.searchParams.get('error_description')).toEqual(expect.any(String));
      expect(location.searchParams.get('state')).toBe('xyz-state');
      expect(location.searchParams.get('code')).toBeNull();
      expect(await loginRequestCount()).toBe(0);
    });

    // Issue 10 item 9: the description of a redirected error is a fixed NQSCHAR text, never an echo.
    const NQSCHAR = /^[\x20\x21\x23-\x5b\x5d-\x7e]+$/;
    const hostile: [string, string, (q: Record<string, string>) => string][] = [
      ['a repeated parameter named with a quote', 'x"y', (q) => `${qs(q)}&x%22y=1&x%22y=2`],
      ['a repeated parameter named with U+202E', '\u202egnp.exe', (q) => `${qs(q)}&${encodeURIComponent('\u202egnp.exe')}=1&${encodeURIComponent('\u202egnp.exe')}=2`],
      ['a repeated parameter named with a backslash and markup', '<b>\\', (q) => `${qs(q)}&${encodeURIComponent('<b>\\')}=1&${encodeURIComponent('<b>\\')}=2`],
      ['a repeated known parameter', 'scope', (q) => `${qs(q)}&scope=write`],
      ['a hostile response_type', 'tok"en\u202e', (q) => qs(q, { response_type: 'tok"en\u202e' })],
      ['a hostile code_challenge_method', 'S"256', (q) => qs(q, { code_challenge_method: 'S"256' })],
      ['a hostile scope', 'read "\u202e"', (q) => qs(q, { scope: 'read "\u202e"' })],
      ['a hostile code_challenge', '"><script>', (q) => qs(q, { code_challenge: '"><script>' })],
    ];
    it.each(hostile)('%s: error_description is NQSCHAR only and echoes nothing (RFC 6749 §4.1.2.1)', async (_name, attackerText, build) => {
      const res = await flow.authorize(build(flow.authorizeQuery(client, pkcePair().challenge))).expect(302);
      const location = new URL(res.headers.location);
      expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
      const description = location.searchParams.get('error_description')!;
      expect(description).toMatch(NQSCHAR);
      expect(Object.values(AUTHORIZE_ERROR_DESCRIPTIONS)).toContain(description);
      expect(description).not.toContain(attackerText);
      expect(res.headers.location).not.toContain(encodeURIComponent(attackerText));
      expect(await loginRequestCount()).toBe(0);
    });

    it('every fixed description is NQSCHAR', () => {
      for (const description of Object.values(AUTHORIZE_ERROR_DESCRIPTIONS)) expect(description).toMatch(NQSCHAR);
    });

    // Issue 10 item 4: state is capped, so one request cannot store kilobytes.
    it(`a state longer than ${MAX_STATE_LENGTH} characters → invalid_request, not echoed, nothing stored`, async () => {
      const res = await flow.authorize(qs(flow.authorizeQuery(client, pkcePair().challenge), { state: 's'.repeat(MAX_STATE_LENGTH + 1) })).expect(302);
      const location = new URL(res.headers.location);
      expect(location.searchParams.get('error')).toBe('invalid_request');
      expect(location.searchParams.has('state')).toBe(false);
      expect(await loginRequestCount()).toBe(0);
      // At the cap it is accepted and echoed as before.
      await flow.authorize(qs(flow.authorizeQuery(client, pkcePair().challenge), { state: 's'.repeat(MAX_STATE_LENGTH) })).expect(302);
      expect(await loginRequestCount()).toBe(1);
    });

    // Hostile-input finding: a NUL in state reached the login_requests INSERT, a 500 on PostgreSQL.
    it('a state with control characters → invalid_request, not echoed, nothing stored', async () => {
      const res = await flow.authorize(qs(flow.authorizeQuery(client, pkcePair().challenge), { state: 'a\u0000b' })).expect(302);
      const location = new URL(res.headers.location);
      expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
      expect(location.searchParams.get('error')).toBe('invalid_request');
      expect(location.searchParams.has('state')).toBe(false);
      expect(await loginRequestCount()).toBe(0);
    });

    it('a client not registered for authorization_code → unauthorized_client', async () => {
      const other = await flow.createClient({ grantTypes: ['refresh_token'] });
      const res = await flow.authorize(flow.authorizeQuery(other, pkcePair().challenge)).expect(302);
      expect(new URL(res.headers.location).searchParams.get('error')).toBe('unauthorized_client');
    });
  });

  describe('the admin login-request API', () => {
    it('an unknown or malformed challenge → 404 JSON', async () => {
      const unknown = 'A'.repeat(43);
      for (const path of [`/login-requests/${unknown}`, '/login-requests/short']) {
        const res = await flow.admin('get', path).expect(404);
        expect(res.body).toEqual({ error: 'not_found', error_description: expect.any(String) });
      }
      await flow.accept(unknown).expect(404);
      await flow.reject(unknown).expect(404);
    });

    it('a challenge is single-use: after accept, get/accept/reject → 410', async () => {
      const loginChallenge = await flow.loginChallenge(client, pkcePair().challenge);
      await flow.accept(loginChallenge).expect(200);
      await flow.admin('get', `/login-requests/${loginChallenge}`).expect(410);
      const again = await flow.accept(loginChallenge).expect(410);
      expect(again.body).toEqual({ error: 'gone', error_description: expect.any(String) });
      await flow.reject(loginChallenge).expect(410);
      expect(await codeCount()).toBe(1);
    });

    it('after reject, accept → 410 and no code exists', async () => {
      const loginChallenge = await flow.loginChallenge(client, pkcePair().challenge);
      await flow.reject(loginChallenge).expect(200);
      await flow.accept(loginChallenge).expect(410);
      expect(await codeCount()).toBe(0);
    });

    it('an expired challenge (LOGIN_REQUEST_TTL) → 410', async () => {
      const loginChallenge = await flow.loginChallenge(client, pkcePair().challenge);
      t.clock.advance(600);
      await flow.admin('get', `/login-requests/${loginChallenge}`).expect(410);
      await flow.accept(loginChallenge).expect(410);
    });

    it('two racing accepts: exactly one wins', async () => {
      const loginChallenge = await flow.loginChallenge(client, pkcePair().challenge);
      const results = await Promise.all([1, 2, 3].map(() => flow.accept(loginChallenge)));
      expect(results.map((r) => r.status).sort()).toEqual([200, 410, 410]);
      expect(await codeCount()).toBe(1);
    });

    const invalidBodies: [string, 'accept' | 'reject', unknown][] = [
      ['accept without subject', 'accept', {}],
      ['accept with an empty subject', 'accept', { subject: ' ' }],
      ['accept with a non-string subject', 'accept', { subject: 42 }],
      ['accept with a scope beyond the request', 'accept', { subject: 'alice', scope: 'read write' }],
      ['accept with a non-string scope', 'accept', { subject: 'alice', scope: ['read'] }],
      ['accept with an array body', 'accept', ['alice']],
      ['reject with an unknown error code', 'reject', { error: 'nope' }],
      ['reject without error', 'reject', {}],
      ['reject with a description outside the §4.1.2.1 charset', 'reject', { error: 'access_denied', error_description: 'say "no"' }],
    ];
    it.each(invalidBodies)('%s → 400 invalid_request, request still pending', async (_name, action, body) => {
      const loginChallenge = await flow.loginChallenge(client, pkcePair().challenge);
      const res = await flow[action](loginChallenge, body as Record<string, unknown>).expect(400);
      expect(res.body).toEqual({ error: 'invalid_request', error_description: expect.any(String) });
      await flow.admin('get', `/login-requests/${loginChallenge}`).expect(200);
    });
  });

  describe('token request errors → invalid_grant, code left usable', () => {
    let verifier: string;
    let challenge: string;
    let code: string;
    beforeEach(async () => {
      ({ verifier, challenge } = pkcePair());
      code = await flow.code(client, challenge);
    });

    it.each([
      ['a wrong code_verifier', () => ({ code_verifier: pkcePair().verifier })],
      ['the code_challenge as verifier (plain)', () => ({ code_verifier: challenge })],
      ['a wrong redirect_uri', () => ({ redirect_uri: 'https://app.example/other' })],
      ['an unknown code', () => ({ code: 'B'.repeat(43) })],
      ['a malformed code', () => ({ code: 'not a code' })],
    ])('%s', async (_name, extra) => {
      const res = await flow.exchange(client, code, verifier, extra()).expect(400);
      expect(res.body).toEqual({ error: 'invalid_grant', error_description: expect.any(String) });
      await flow.exchange(client, code, verifier).expect(200);
    });

    it('another client presenting the code', async () => {
      const other = await flow.createClient();
      await flow.exchange(other, code, verifier).expect(400, /invalid_grant/);
      await flow.exchange(client, code, verifier).expect(200);
    });

    it('an expired code (AUTHORIZATION_CODE_TTL, 60 s)', async () => {
      t.clock.advance(60);
      await flow.exchange(client, code, verifier).expect(400, /invalid_grant/);
    });

    it('a missing code_verifier → invalid_request', async () => {
      const res = await flow.exchange(client, code, verifier, { code_verifier: '' }).expect(400);
      expect(res.body.error).toBe('invalid_request');
    });

    it('a client not registered for authorization_code → unauthorized_client', async () => {
      const other = await flow.createClient({ grantTypes: ['refresh_token'], redirectUris: [REDIRECT_URI] });
      await flow.exchange(other, code, verifier).expect(400, /unauthorized_client/);
    });
  });

  describe('a code presented twice (RFC 6749 §4.1.2)', () => {
    it('is denied and revokes the family issued from it', async () => {
      const { verifier, challenge } = pkcePair();
      const code = await flow.code(client, challenge);
      const tokens = await flow.exchange(client, code, verifier).expect(200);
      await flow.exchange(client, code, verifier).expect(400, /invalid_grant/);
      await t.refresh(client, tokens.body.refresh_token).expect(400, /invalid_grant/);
      const [family] = await t.dataSource().query(`SELECT revoked_reason FROM token_families WHERE subject = 'alice' AND client_id = '${client.clientId}'`);
      expect(family.revoked_reason).toBe('code_reused');
    });

    it('without a family (client not registered for refresh_token): revokes the first access token (§4.1.2, §10.5)', async () => {
      const codeOnly = await flow.createClient({ grantTypes: ['authorization_code'] });
      const rs = await t.createClient({ name: 'resource server', grantTypes: [], allowIntrospection: true });
      const { verifier, challenge } = pkcePair();
      const code = await flow.code(codeOnly, challenge);
      const tokens = await flow.exchange(codeOnly, code, verifier).expect(200);
      expect((await introspect(t, rs, { token: tokens.body.access_token }).expect(200)).body.active).toBe(true);
      await flow.exchange(codeOnly, code, verifier).expect(400, /invalid_grant/);
      expect((await introspect(t, rs, { token: tokens.body.access_token }).expect(200)).body).toEqual({ active: false });
      // A third presentation changes nothing and is no error of ours.
      await flow.exchange(codeOnly, code, verifier).expect(400, /invalid_grant/);
      // The used code outlives its own expiry while its token is alive, so a late replay still revokes.
      t.clock.advance(120);
      const [row] = await t.dataSource().query(`SELECT access_token_jti FROM authorization_codes WHERE client_id = '${codeOnly.clientId}'`);
      expect(row.access_token_jti).toBe(claims(tokens.body.access_token).jti);
      await t.get(RetentionService).purgeExpired();
      expect(await t.dataSource().getRepository(AuthorizationCodeEntity).countBy({ clientId: codeOnly.clientId })).toBe(1);
      t.clock.advance(900);
      await t.get(RetentionService).purgeExpired();
      expect(await t.dataSource().getRepository(AuthorizationCodeEntity).countBy({ clientId: codeOnly.clientId })).toBe(0);
    });

    it('racing exchanges: exactly one gets tokens, and its family is revoked', async () => {
      const { verifier, challenge } = pkcePair();
      const code = await flow.code(client, challenge);
      const results = await Promise.all([1, 2, 3].map(() => flow.exchange(client, code, verifier)));
      const ok = results.filter((r) => r.status === 200);
      expect(ok).toHaveLength(1);
      expect(results.filter((r) => r.status === 400 && r.body.error === 'invalid_grant')).toHaveLength(2);
      const families = await t.dataSource().query(`SELECT revoked_at FROM token_families WHERE client_id = '${client.clientId}'`);
      expect(families).toHaveLength(1);
      await t.refresh(client, ok[0].body.refresh_token).expect(400, /invalid_grant/);
    });
  });

  it('stores only hashes of login challenges and codes', async () => {
    const loginChallenge = await flow.loginChallenge(client, pkcePair().challenge);
    const accepted = await flow.accept(loginChallenge).expect(200);
    const code = new URL(accepted.body.redirect_to).searchParams.get('code')!;
    const requests = await t.dataSource().getRepository(LoginRequestEntity).find();
    const codes = await t.dataSource().getRepository(AuthorizationCodeEntity).find();
    const stored = JSON.stringify([requests, codes]);
    expect(stored).not.toContain(loginChallenge);
    expect(stored).not.toContain(code);
  });

  async function loginRequestCount(): Promise<number> {
    return t.dataSource().getRepository(LoginRequestEntity).countBy({ clientId: client.clientId });
  }

  async function codeCount(): Promise<number> {
    return t.dataSource().getRepository(AuthorizationCodeEntity).countBy({ clientId: client.clientId });
  }
});

function qs(base: Record<string, string>, changes: Record<string, string | undefined> = {}): string {
  const merged: Record<string, string | undefined> = { ...base, ...changes };
  const defined = Object.entries(merged).filter((entry): entry is [string, string] => entry[1] !== undefined);
  return new URLSearchParams(defined).toString();
}
