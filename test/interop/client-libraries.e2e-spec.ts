import { ADMIN_API_KEY } from '../support/code-flow';
import { freePort } from '../support/free-port';
import { TestApp, TestClient } from '../support/test-app';
import { realTimeClock, runFlow } from './run-flow';

interface TokenSet {
  access_token: string;
  refresh_token: string;
}
interface FlowResult {
  refreshed: TokenSet;
  rotatedAgain: TokenSet;
  clientCredentials: { access_token: string };
  codeFlow?: TokenSet;
  wrongSecret: { name: string; status: number; error: string };
  revoked: string;
  revokeError?: { name: string; status: number } | null;
}

/**
 * Mainstream client libraries with their defaults against the service, as a new user would use them
 * (issue 11): discovery, refresh with rotation, client_credentials, revocation, a wrong secret, and
 * the code flow where the library does it. The access tokens they got are then verified by the
 * resource-server libraries (jose, passport-jwt + jwks-rsa).
 */
describe('interop: client libraries with their defaults', () => {
  let t: TestApp;
  let issuer: string;
  let publicClient: TestClient;
  const redirectUri = 'http://127.0.0.1:9/callback';
  const accessTokens: string[] = [];

  beforeAll(async () => {
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    t = await TestApp.create({ env: { ISSUER: issuer, LOGIN_URL: 'http://127.0.0.1:9/login', ADMIN_API_KEY }, override: realTimeClock().override });
    await t.app.listen(port, '127.0.0.1');
    publicClient = await t.createClient({
      tokenEndpointAuthMethod: 'none',
      grantTypes: ['authorization_code', 'refresh_token'],
      redirectUris: [redirectUri],
      scope: 'read',
    });
  });
  afterAll(() => t.close());

  const confidential = (method: 'client_secret_basic' | 'client_secret_post') =>
    t.createClient({ tokenEndpointAuthMethod: method, grantTypes: ['refresh_token', 'client_credentials'], scope: 'read write' });

  it.each([
    // [library, registered auth method, error class a wrong secret arrives as, does the code flow]
    ['oauth4webapi', 'client_secret_basic', 'WWWAuthenticateChallengeError', true],
    // Its default is client_secret_post; the CLI's default registration is client_secret_basic.
    ['openid-client', 'client_secret_basic', 'WWWAuthenticateChallengeError', true],
    ['simple-oauth2', 'client_secret_basic', 'Error', false],
    // It picks client_secret_basic from the metadata, whatever the registration says.
    ['badgateway-oauth2-client', 'client_secret_basic', 'OAuth2HttpError', false],
    ['badgateway-oauth2-client', 'client_secret_post', 'OAuth2HttpError', false],
  ] as const)('%s against a %s client', async (library, method, errorClass, codeFlow) => {
    const client = await confidential(method);
    const issued = await t.issueTokens(client, 'alice', 'read write');
    const result = await runFlow<FlowResult>(library, {
      ISSUER: issuer,
      CLIENT_ID: client.clientId,
      CLIENT_SECRET: client.clientSecret!,
      REFRESH_TOKEN: issued.refresh_token!,
      PUBLIC_CLIENT_ID: publicClient.clientId,
      REDIRECT_URI: redirectUri,
      ADMIN_API_KEY,
    });

    // Refresh with rotation, twice: each answer carries a new refresh token.
    expect(result.refreshed.refresh_token).not.toBe(issued.refresh_token);
    expect(result.rotatedAgain.refresh_token).not.toBe(result.refreshed.refresh_token);
    expect(result.clientCredentials.access_token).toEqual(expect.any(String));
    // A wrong secret is invalid_client (401 with WWW-Authenticate) in the library's own error type.
    expect(result.wrongSecret).toMatchObject({ name: errorClass, status: 401, error: 'invalid_client' });
    // The library's revocation ended the family.
    expect((await t.refresh(client, result.revoked).expect(400)).body.error).toBe('invalid_grant');
    if (library === 'simple-oauth2') {
      // Its revoke() wants a JSON body on the 200 that RFC 7009 §2.2 leaves empty (README).
      expect(result.revokeError).toMatchObject({ status: 406 });
    }
    if (codeFlow) {
      expect(result.codeFlow?.refresh_token).toEqual(expect.any(String));
      accessTokens.push(result.codeFlow!.access_token);
    }
    accessTokens.push(result.refreshed.access_token, result.rotatedAgain.access_token, result.clientCredentials.access_token);
  });

  it('every access token those libraries got verifies with jose and with passport-jwt + jwks-rsa', async () => {
    expect(accessTokens.length).toBe(17);
    const results = await runFlow<Array<{ jose: { ok: boolean }; passport: { ok: boolean } }>>('resource-servers', {
      ISSUER: issuer,
      AUDIENCE: issuer,
      TOKENS: JSON.stringify(accessTokens),
    });
    expect(results).toEqual(accessTokens.map(() => ({ jose: expect.objectContaining({ ok: true }), passport: expect.objectContaining({ ok: true }) })));
  });
});
