// A real DPoP client (oauth4webapi 3, ESM, hence a child process of the jest test): discovery,
// three refreshes with a DPoP handle (the use_dpop_nonce retry included), then the protected API
// with the last access token and its proof. Every HTTP request is oauth4webapi's.
import * as oauth from 'oauth4webapi';

const { ISSUER, CLIENT_ID, REFRESH_TOKEN, API_URL } = process.env;
const insecure = { [oauth.allowInsecureRequests]: true };
const issuer = new URL(ISSUER);
const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }));
const client = { client_id: CLIENT_ID };
const keyPair = await oauth.generateKeyPair('ES256');
const DPoP = oauth.DPoP(client, keyPair);
const nonceRetries = { count: 0 };

/** RFC 9449 §8: the first answer may be use_dpop_nonce; the handle remembered the nonce, so retry once. */
async function withNonceRetry(call) {
  try {
    return await call();
  } catch (error) {
    if (!oauth.isDPoPNonceError(error)) throw error;
    nonceRetries.count += 1;
    return call();
  }
}

let refreshToken = REFRESH_TOKEN;
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
  withoutProof = { status: error.response?.status ?? error.status, challenges: error.cause?.map?.((c) => c.scheme) };
}

process.stdout.write(
  JSON.stringify({
    metadata: as,
    nonceRetries: nonceRetries.count,
    refreshes,
    api: { status: api.status, body: await api.json() },
    withoutProof,
  }),
);
