// A confidential client as users write one with oauth4webapi (ESM, hence a child process of the jest
// test), authenticating with PrivateKeyJwt: discovery, client_credentials, the code flow with PKCE,
// two refreshes, introspection and revocation. Every OAuth call is oauth4webapi's; the only plain
// fetches are the user agent following the authorization redirect and the login app accepting.
import * as oauth from 'oauth4webapi';

const { ISSUER, CLIENT_ID, KEY_JWK, REDIRECT_URI, ADMIN_API_KEY } = process.env;
const jwk = JSON.parse(KEY_JWK);
// A non-extractable signing key, as a client would keep it.
const privateKey = await crypto.subtle.importKey('jwk', jwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
const clientAuth = oauth.PrivateKeyJwt({ key: privateKey, kid: jwk.kid });
const insecure = { [oauth.allowInsecureRequests]: true }; // plain HTTP on loopback in the test

const issuer = new URL(ISSUER);
const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }));
const client = { client_id: CLIENT_ID };

const cc = await oauth.processClientCredentialsResponse(as, client, await oauth.clientCredentialsGrantRequest(as, client, clientAuth, new URLSearchParams({ scope: 'read' }), insecure));

const codeVerifier = oauth.generateRandomCodeVerifier();
const state = oauth.generateRandomState();
const authorizationUrl = new URL(as.authorization_endpoint);
for (const [name, value] of Object.entries({
  client_id: CLIENT_ID,
  redirect_uri: REDIRECT_URI,
  response_type: 'code',
  scope: 'read',
  state,
  code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
  code_challenge_method: 'S256',
})) {
  authorizationUrl.searchParams.set(name, value);
}
const toLogin = await fetch(authorizationUrl, { redirect: 'manual' });
const loginChallenge = new URL(toLogin.headers.get('location')).searchParams.get('login_challenge');
const accepted = await fetch(`${ISSUER}/admin/login-requests/${loginChallenge}/accept`, {
  method: 'POST',
  headers: { authorization: `Bearer ${ADMIN_API_KEY}`, 'content-type': 'application/json' },
  body: JSON.stringify({ subject: 'alice' }),
});
const { redirect_to: callbackUrl } = await accepted.json();
const params = oauth.validateAuthResponse(as, client, new URL(callbackUrl), state);
const tokens = await oauth.processAuthorizationCodeResponse(as, client, await oauth.authorizationCodeGrantRequest(as, client, clientAuth, params, REDIRECT_URI, codeVerifier, insecure));
const refreshed = await oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, clientAuth, tokens.refresh_token, insecure));
const refreshedAgain = await oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, clientAuth, refreshed.refresh_token, insecure));

const introspected = await oauth.processIntrospectionResponse(as, client, await oauth.introspectionRequest(as, client, clientAuth, refreshedAgain.refresh_token, insecure));
await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, clientAuth, refreshedAgain.refresh_token, insecure));
const afterRevocation = await oauth.processIntrospectionResponse(as, client, await oauth.introspectionRequest(as, client, clientAuth, refreshedAgain.refresh_token, insecure));

process.stdout.write(
  JSON.stringify({
    metadata: as,
    clientCredentials: { access_token: cc.access_token, token_type: cc.token_type },
    tokens: { access_token: tokens.access_token, refresh_token: tokens.refresh_token },
    refreshed: { refresh_token: refreshed.refresh_token },
    refreshedAgain: { refresh_token: refreshedAgain.refresh_token },
    introspected: { active: introspected.active, client_id: introspected.client_id },
    afterRevocation: { active: afterRevocation.active },
  }),
);
