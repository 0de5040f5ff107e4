// Runs the code flow as a new user of this service would, with openid-client (ESM, hence a child
// process of the jest test). Every OAuth call is openid-client's; the only plain fetches are the
// user agent following the authorization redirect and the login app accepting the login request.
import * as client from 'openid-client';

const { ISSUER, CLIENT_ID, REDIRECT_URI, ADMIN_API_KEY } = process.env;

const config = await client.discovery(new URL(ISSUER), CLIENT_ID, undefined, client.None(), {
  algorithm: 'oauth2',
  // The test server speaks plain HTTP on loopback.
  execute: [client.allowInsecureRequests],
});

const codeVerifier = client.randomPKCECodeVerifier();
const state = client.randomState();
const authorizationUrl = client.buildAuthorizationUrl(config, {
  redirect_uri: REDIRECT_URI,
  scope: 'read',
  code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
  code_challenge_method: 'S256',
  state,
});

// The browser: the service sends it to the login app with a login challenge ...
const toLogin = await fetch(authorizationUrl, { redirect: 'manual' });
const loginChallenge = new URL(toLogin.headers.get('location')).searchParams.get('login_challenge');
// ... and the login app, having authenticated the user, accepts the request.
const accepted = await fetch(`${ISSUER}/admin/login-requests/${loginChallenge}/accept`, {
  method: 'POST',
  headers: { authorization: `Bearer ${ADMIN_API_KEY}`, 'content-type': 'application/json' },
  body: JSON.stringify({ subject: 'alice' }),
});
const { redirect_to: callbackUrl } = await accepted.json();

const tokens = await client.authorizationCodeGrant(config, new URL(callbackUrl), { pkceCodeVerifier: codeVerifier, expectedState: state });
const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);

process.stdout.write(
  JSON.stringify({
    metadata: config.serverMetadata(),
    authorizationUrl: authorizationUrl.href,
    tokens: { access_token: tokens.access_token, refresh_token: tokens.refresh_token, scope: tokens.scope, token_type: tokens.token_type },
    refreshed: { access_token: refreshed.access_token, refresh_token: refreshed.refresh_token, scope: refreshed.scope },
  }),
);
