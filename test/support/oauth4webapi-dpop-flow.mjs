// A real DPoP client (oauth4webapi 3, ESM, hence a child process of the jest test): discovery, the
// code flow with PKCE and dpop_jkt, the code exchange and three refreshes with a DPoP handle (the
// use_dpop_nonce retry included), then the protected API with the last access token and its proof.
// Every OAuth request is oauth4webapi's; the only plain fetches are the user agent following the
// authorization redirect and the login app accepting the login request (as in openid-client-flow.mjs).
import { createHash } from 'node:crypto';
import * as oauth from 'oauth4webapi';

const { ISSUER, CLIENT_ID, REDIRECT_URI, ADMIN_API_KEY, API_URL } = process.env;
const insecure = { [oauth.allowInsecureRequests]: true };
const issuer = new URL(ISSUER);
const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }));
const client = { client_id: CLIENT_ID };
// Non-extractable private key, as a browser client would hold it.
const keyPair = await oauth.generateKeyPair('ES256');
const DPoP = oauth.DPoP(client, keyPair);
const nonceRetries = { count: 0 };

/** RFC 9449 §8: an answer may be use_dpop_nonce; the handle remembered the nonce, so retry once. */
async function withNonceRetry(call) {
  try {
    return await call();
  } catch (error) {
    if (!oauth.isDPoPNonceError(error)) throw error;
    nonceRetries.count += 1;
    return call();
  }
}

// RFC 9449 §10: dpop_jkt, the RFC 7638 thumbprint of the public key, binds the code to the key.
const { crv, kty, x, y } = await crypto.subtle.exportKey('jwk', keyPair.publicKey);
const jkt = createHash('sha256').update(JSON.stringify({ crv, kty, x, y })).digest('base64url');

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
  dpop_jkt: jkt,
})) authorizationUrl.searchParams.set(name, value);

const toLogin = await fetch(authorizationUrl, { redirect: 'manual' });
const loginChallenge = new URL(toLogin.headers.get('location')).searchParams.get('login_challenge');
const accepted = await fetch(`${ISSUER}/admin/login-requests/${loginChallenge}/accept`, {
  method: 'POST',
  headers: { authorization: `Bearer ${ADMIN_API_KEY}`, 'content-type': 'application/json' },
  body: JSON.stringify({ subject: 'alice' }),
});
const { redirect_to: callbackUrl } = await accepted.json();
const params = oauth.validateAuthResponse(as, client, new URL(callbackUrl), state);

const tokens = await withNonceRetry(async () =>
  oauth.processAuthorizationCodeResponse(as, client, await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, REDIRECT_URI, codeVerifier, { DPoP, ...insecure })),
);

let refreshToken = tokens.refresh_token;
const refreshes = [];
for (let i = 0; i < 3; i++) {
  const result = await withNonceRetry(async () =>
    oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, oauth.None(), refreshToken, { DPoP, ...insecure })),
  );
  refreshes.push({ token_type: result.token_type, access_token: result.access_token, refresh_token: result.refresh_token });
  refreshToken = result.refresh_token;
}

const accessToken = refreshes.at(-1).access_token;
const api = await oauth.protectedResourceRequest(accessToken, 'GET', new URL(API_URL), undefined, undefined, { DPoP, ...insecure });
let withoutProof;
try {
  // The same token as a bearer token, without the handle: the guard must refuse it.
  const res = await oauth.protectedResourceRequest(accessToken, 'GET', new URL(API_URL), undefined, undefined, insecure);
  withoutProof = { status: res.status };
} catch (error) {
  withoutProof = { status: error.response?.status ?? error.status };
}

process.stdout.write(
  JSON.stringify({
    metadata: as,
    jkt,
    nonceRetries: nonceRetries.count,
    code: { token_type: tokens.token_type, access_token: tokens.access_token },
    refreshes,
    api: { status: api.status, body: await api.json() },
    withoutProof,
  }),
);
