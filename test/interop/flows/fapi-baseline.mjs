// One confidential client through the whole FAPI-style baseline with oauth4webapi 3 and nothing
// hand-written on the OAuth side: PrivateKeyJwt client authentication, pushedAuthorizationRequest
// (the client is registered require_pushed_authorization_requests) with dpop_jkt, the code exchange
// with a DPoP handle (the use_dpop_nonce retry included), several DPoP-bound refreshes, then
// protectedResourceRequest to the library's resource-server guard with and without the proof.
// The only plain fetches are the user agent and the login app (user-agent.mjs).
import { createHash } from 'node:crypto';
import * as oauth from 'oauth4webapi';
import { describeError, print, signIn } from './user-agent.mjs';

const { ISSUER, CLIENT_ID, KEY_JWK, REDIRECT_URI, ADMIN_API_KEY, API_URL, REFRESHES } = process.env;
const http = { [oauth.allowInsecureRequests]: true }; // the test server is plain HTTP on loopback
const issuer = new URL(ISSUER);
const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...http }));
const client = { client_id: CLIENT_ID };

// The client's assertion key (registered in its jwks) and, separately, its DPoP key: both
// non-extractable.
const jwk = JSON.parse(KEY_JWK);
const assertionKey = await crypto.subtle.importKey('jwk', jwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
const clientAuth = oauth.PrivateKeyJwt({ key: assertionKey, kid: jwk.kid });
const keyPair = await oauth.generateKeyPair('ES256');
const DPoP = oauth.DPoP(client, keyPair);

// RFC 9449 §10: dpop_jkt is the RFC 7638 thumbprint of the DPoP public key.
const { crv, kty, x, y } = await crypto.subtle.exportKey('jwk', keyPair.publicKey);
const jkt = createHash('sha256').update(JSON.stringify({ crv, kty, x, y })).digest('base64url');

const nonceRetries = { count: 0 };
/** RFC 9449 §8: a use_dpop_nonce answer; the handle has cached the DPoP-Nonce, so retry once. */
async function withNonceRetry(call) {
  try {
    return await call();
  } catch (error) {
    if (!oauth.isDPoPNonceError(error)) throw error;
    nonceRetries.count += 1;
    return call();
  }
}

const verifier = oauth.generateRandomCodeVerifier();
const state = oauth.generateRandomState();
const pushed = await withNonceRetry(async () =>
  oauth.processPushedAuthorizationResponse(
    as,
    client,
    await oauth.pushedAuthorizationRequest(
      as,
      client,
      clientAuth,
      new URLSearchParams({
        response_type: 'code',
        redirect_uri: REDIRECT_URI,
        scope: 'read',
        state,
        code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        dpop_jkt: jkt,
      }),
      { DPoP, ...http },
    ),
  ),
);
// RFC 9126 §4: the authorization request carries client_id and request_uri only.
const authorizationUrl = new URL(as.authorization_endpoint);
authorizationUrl.search = new URLSearchParams({ client_id: CLIENT_ID, request_uri: pushed.request_uri }).toString();
const callback = await signIn(authorizationUrl, { issuer: ISSUER, adminApiKey: ADMIN_API_KEY });
const params = oauth.validateAuthResponse(as, client, callback, state);
const tokens = await withNonceRetry(async () =>
  oauth.processAuthorizationCodeResponse(as, client, await oauth.authorizationCodeGrantRequest(as, client, clientAuth, params, REDIRECT_URI, verifier, { DPoP, ...http })),
);

const refreshes = [];
let refreshToken = tokens.refresh_token;
for (let i = 0; i < Number(REFRESHES); i++) {
  const result = await withNonceRetry(async () =>
    oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, clientAuth, refreshToken, { DPoP, ...http })),
  );
  refreshes.push({ token_type: result.token_type, access_token: result.access_token, refresh_token: result.refresh_token });
  refreshToken = result.refresh_token;
}

const accessToken = refreshes.at(-1).access_token;
const api = await oauth.protectedResourceRequest(accessToken, 'GET', new URL(API_URL), undefined, undefined, { DPoP, ...http });
// The same token without the handle (plain Bearer): the guard must refuse it (RFC 9449 §7.2).
let withoutProof;
try {
  const response = await oauth.protectedResourceRequest(accessToken, 'GET', new URL(API_URL), undefined, undefined, http);
  withoutProof = { status: response.status, challenge: response.headers.get('www-authenticate') };
} catch (error) {
  withoutProof = { ...(await describeError(error)), challenge: error.response?.headers.get('www-authenticate') };
}

print({
  metadata: as,
  jkt,
  nonceRetries: nonceRetries.count,
  pushed,
  authorizationUrl: authorizationUrl.href,
  code: { token_type: tokens.token_type, access_token: tokens.access_token, refresh_token: tokens.refresh_token },
  refreshes,
  api: { status: api.status, body: await api.json() },
  withoutProof,
});
