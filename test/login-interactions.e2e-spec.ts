import { Controller, Get, Module, Query, Redirect } from '@nestjs/common';
import { AuthorizeModule, LoginInteractions } from 'nest-oauth-server';
import { createTestClient, type TestClientCredentials, tokenRequest } from 'nest-oauth-server/testing';
import { ADMIN_API_KEY, pkcePair, REDIRECT_URI } from './support/code-flow';
import { decodeJwt } from './support/jwt';
import { TestApp } from './support/test-app';

const ISSUER = 'http://localhost:3000';

/** The host's own login page, in the same process: no admin API call, no external app. */
@Controller('login')
class LoginPageController {
  constructor(private readonly interactions: LoginInteractions) {}

  @Get()
  page(@Query('login_challenge') challenge: string) {
    return this.interactions.details(challenge);
  }

  /** Stands in for the form post of a user who signed in (the host checks the password its own way). */
  @Get('accept')
  @Redirect()
  async accept(@Query('login_challenge') challenge: string, @Query('user') user: string, @Query('scope') scope?: string) {
    const { redirectTo } = await this.interactions.accept(challenge, { subject: user, scope });
    return { url: redirectTo, statusCode: 303 };
  }

  @Get('deny')
  @Redirect()
  async deny(@Query('login_challenge') challenge: string) {
    const { redirectTo } = await this.interactions.reject(challenge);
    return { url: redirectTo, statusCode: 303 };
  }
}

@Module({ imports: [AuthorizeModule], controllers: [LoginPageController] })
class LoginPageModule {}

describe('in-process login for the code flow (LoginInteractions)', () => {
  let t: TestApp;
  let client: TestClientCredentials;

  beforeAll(async () => {
    // The login page is the host's own route. ADMIN_API_KEY only because today's environment check asks for it.
    t = await TestApp.create({ env: { LOGIN_URL: `${ISSUER}/login`, ADMIN_API_KEY }, imports: [LoginPageModule] });
    client = await createTestClient(t.app, { grantTypes: ['authorization_code', 'refresh_token'], redirectUris: [REDIRECT_URI], name: 'Photo app' });
  });
  afterAll(() => t.close());

  /** GET /oauth/authorize → the host's login page, as the browser would follow it. */
  async function loginPage(challenge: string, scope = 'read write') {
    const query = new URLSearchParams({ response_type: 'code', client_id: client.clientId, redirect_uri: REDIRECT_URI, scope, state: 's-1', code_challenge: challenge, code_challenge_method: 'S256' });
    const authorize = await t.http().get(`/oauth/authorize?${query}`).redirects(0).expect(302);
    const location = new URL(authorize.headers.location);
    expect(`${location.origin}${location.pathname}`).toBe(`${ISSUER}/login`);
    return { path: `${location.pathname}${location.search}`, loginChallenge: location.searchParams.get('login_challenge')! };
  }

  it('the host page reads the request, accepts it, and the code flow completes with refresh rotation', async () => {
    const { verifier, challenge } = pkcePair();
    const { path, loginChallenge } = await loginPage(challenge);
    const page = await t.http().get(path).expect(200);
    expect(page.body).toEqual({ clientId: client.clientId, clientName: 'Photo app', requestedScope: 'read write', redirectUri: REDIRECT_URI, expiresAt: expect.any(Number) });

    const accepted = await t.http().get('/login/accept').query({ login_challenge: loginChallenge, user: 'bob', scope: 'read' }).redirects(0).expect(303);
    const callback = new URL(accepted.headers.location);
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI);
    // RFC 9207: the authorization response names its issuer; RFC 6749 §4.1.2: state comes back.
    expect(callback.searchParams.get('iss')).toBe(ISSUER);
    expect(callback.searchParams.get('state')).toBe('s-1');

    const params = { grant_type: 'authorization_code', code: callback.searchParams.get('code')!, redirect_uri: REDIRECT_URI, code_verifier: verifier };
    const tokens = await tokenRequest(t.app, { client, params }).expect(200);
    expect(tokens.body).toMatchObject({ token_type: 'Bearer', scope: 'read', refresh_token: expect.any(String) });
    expect(decodeJwt(tokens.body.access_token).payload).toMatchObject({ sub: 'bob', client_id: client.clientId });
    await t.refresh(client, tokens.body.refresh_token).expect(200);
  });

  it('a challenge is handled once', async () => {
    const { loginChallenge } = await loginPage(pkcePair().challenge);
    await t.http().get('/login/accept').query({ login_challenge: loginChallenge, user: 'bob' }).redirects(0).expect(303);
    const again = await t.http().get('/login/accept').query({ login_challenge: loginChallenge, user: 'mallory' }).redirects(0).expect(410);
    expect(again.body.error).toBe('gone');
    await t.http().get('/login').query({ login_challenge: loginChallenge }).expect(410);
  });

  it('reject sends the browser back with access_denied, state and iss', async () => {
    const { loginChallenge } = await loginPage(pkcePair().challenge);
    const denied = await t.http().get('/login/deny').query({ login_challenge: loginChallenge }).redirects(0).expect(303);
    const callback = new URL(denied.headers.location);
    expect(Object.fromEntries(callback.searchParams)).toEqual({ error: 'access_denied', state: 's-1', iss: ISSUER });
  });

  it.each([
    ['an empty subject', { user: ' ' }],
    ['a subject with a control character', { user: 'bo\u0000b' }],
    ['a scope beyond the request', { user: 'bob', scope: 'read admin' }],
  ])('%s is invalid_request and leaves the challenge usable', async (_case, query) => {
    const { loginChallenge } = await loginPage(pkcePair().challenge, 'read');
    const refused = await t.http().get('/login/accept').query({ login_challenge: loginChallenge, ...query }).redirects(0).expect(400);
    expect(refused.body.error).toBe('invalid_request');
    await t.http().get('/login/accept').query({ login_challenge: loginChallenge, user: 'bob' }).redirects(0).expect(303);
  });

  it('an unknown challenge is 404', async () => {
    await t.http().get('/login').query({ login_challenge: 'x'.repeat(43) }).expect(404);
  });
});
