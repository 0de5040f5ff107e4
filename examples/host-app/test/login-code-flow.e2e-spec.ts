import { createHash, randomBytes } from 'node:crypto';
import { Client, HostTestApp, ISSUER } from './support/host-test-app';

const REDIRECT_URI = 'https://app.example/callback';

function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

describe('the code flow through the host’s own login page (in-process, LoginInteractions)', () => {
  let t: HostTestApp;
  let client: Client;

  beforeAll(async () => {
    t = await HostTestApp.start();
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    client = await t.client({ grantTypes: ['authorization_code', 'refresh_token'], redirectUris: [REDIRECT_URI] });
  });

  /** GET /api/oauth/authorize → the login page's URL, as the browser would follow it. */
  async function loginPageUrl(challenge: string): Promise<URL> {
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: client.clientId,
      redirect_uri: REDIRECT_URI,
      scope: 'read',
      state: 'xyz-state',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    const res = await t.http().get(`/api/oauth/authorize?${query}`).redirects(0).expect(302);
    const location = new URL(res.headers.location);
    expect(location.pathname).toBe('/api/login');
    return location;
  }

  const signIn = (loginChallenge: string, fields: Record<string, string>) =>
    t.http().post('/api/login').type('form').send({ login_challenge: loginChallenge, ...fields }).redirects(0);

  it('signs the user in on the host’s page and exchanges the code with its PKCE verifier (RFC 7636)', async () => {
    const pkce = pkcePair();
    const login = await loginPageUrl(pkce.challenge);
    const loginChallenge = login.searchParams.get('login_challenge')!;

    const page = await t.http().get(`${login.pathname}${login.search}`).expect(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toContain('<form method="post"');
    expect(page.text).toContain(`value="${loginChallenge}"`);

    const accepted = await signIn(loginChallenge, { username: 'dave', action: 'accept' }).expect(303);
    const callback = new URL(accepted.headers.location);
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI);
    // RFC 6749 §4.1.2 state, RFC 9207 iss.
    expect(callback.searchParams.get('state')).toBe('xyz-state');
    expect(callback.searchParams.get('iss')).toBe(ISSUER);
    const code = callback.searchParams.get('code')!;

    const exchange = (verifier: string) => t.token(client, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier });
    const tokens = await exchange(pkce.verifier).expect(200);
    expect(tokens.body).toMatchObject({ token_type: 'Bearer', scope: 'read', refresh_token: expect.any(String) });
    await t.refresh(client, tokens.body.refresh_token).expect(200);
    // A code is single-use (RFC 6749 §4.1.2).
    expect((await exchange(pkce.verifier).expect(400)).body.error).toBe('invalid_grant');
  });

  it('refuses a code with the wrong PKCE verifier (RFC 7636 §4.6)', async () => {
    const pkce = pkcePair();
    const loginChallenge = (await loginPageUrl(pkce.challenge)).searchParams.get('login_challenge')!;
    const code = new URL((await signIn(loginChallenge, { username: 'dave' }).expect(303)).headers.location).searchParams.get('code')!;
    const res = await t.token(client, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: pkcePair().verifier }).expect(400);
    expect(res.body).toEqual({ error: 'invalid_grant', error_description: expect.any(String) });
  });

  it('cancelling sends access_denied to the client (RFC 6749 §4.1.2.1), and the challenge is spent', async () => {
    const loginChallenge = (await loginPageUrl(pkcePair().challenge)).searchParams.get('login_challenge')!;
    const denied = await signIn(loginChallenge, { action: 'deny' }).expect(303);
    const callback = new URL(denied.headers.location);
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('state')).toBe('xyz-state');
    expect(callback.searchParams.has('code')).toBe(false);
    await t.http().get(`/api/login?login_challenge=${loginChallenge}`).expect(410);
  });

  it('shows the form again for an invalid username, and an error page for an unknown challenge', async () => {
    const loginChallenge = (await loginPageUrl(pkcePair().challenge)).searchParams.get('login_challenge')!;
    const again = await signIn(loginChallenge, { username: '<script>' }).expect(400);
    expect(again.text).toContain('Enter a username');
    expect(again.text).not.toContain('<script>');
    const unknown = await t.http().get(`/api/login?login_challenge=${'x'.repeat(43)}`).expect(404);
    expect(unknown.headers['content-type']).toMatch(/text\/html/);
  });
});
