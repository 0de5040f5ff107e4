// RFC 9126 with a real client, oauth4webapi 3 (ESM, hence a child process of the jest test): discovery,
// pushedAuthorizationRequest + processPushedAuthorizationResponse, the authorization redirect with
// client_id + request_uri, the code exchange and refreshes. Every OAuth call is oauth4webapi's; the
// only plain fetches are the user agent following the authorization redirect and the login app
// accepting the login request.
import * as oauth from 'oauth4webapi';

const { ISSUER, CLIENT_ID, CLIENT_SECRET, PUBLIC_CLIENT_ID, REDIRECT_URI, ADMIN_API_KEY } = process.env;
const issuer = new URL(ISSUER);
const http = { [oauth.allowInsecureRequests]: true }; // the test server is plain HTTP on loopback

const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...http }));

/** The browser and the login app: authorization URL → login challenge → accepted → callback URL. */
async function signIn(authorizationUrl) {
  const toLogin = await fetch(authorizationUrl, { redirect: 'manual' });
  const loginChallenge = new URL(toLogin.headers.get('location')).searchParams.get('login_challenge');
  const accepted = await fetch(`${ISSUER}/admin/login-requests/${loginChallenge}/accept`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ subject: 'alice' }),
  });
  return new URL((await accepted.json()).redirect_to);
}

async function codeFlow(client, auth) {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const pushed = await oauth.processPushedAuthorizationResponse(
    as,
    client,
    await oauth.pushedAuthorizationRequest(
      as,
      client,
      auth,
      new URLSearchParams({
        response_type: 'code',
        redirect_uri: REDIRECT_URI,
        scope: 'read',
        state,
        code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      }),
      http,
    ),
  );
  // RFC 9126 §4: the authorization request carries client_id and request_uri only.
  const authorizationUrl = new URL(as.authorization_endpoint);
  authorizationUrl.search = new URLSearchParams({ client_id: client.client_id, request_uri: pushed.request_uri }).toString();
  const callback = await signIn(authorizationUrl);
  const params = oauth.validateAuthResponse(as, client, callback, state);
  const tokens = await oauth.processAuthorizationCodeResponse(
    as,
    client,
    await oauth.authorizationCodeGrantRequest(as, client, auth, params, REDIRECT_URI, verifier, http),
  );
  const refresh = async (token) => oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, auth, token, http));
  const refreshed = await refresh(tokens.refresh_token);
  const refreshedAgain = await refresh(refreshed.refresh_token);
  return { pushed, authorizationUrl: authorizationUrl.href, tokens, refreshed, refreshedAgain };
}

const confidential = await codeFlow({ client_id: CLIENT_ID }, oauth.ClientSecretBasic(CLIENT_SECRET));
const publicFlow = await codeFlow({ client_id: PUBLIC_CLIENT_ID }, oauth.None());

// RFC 9126 §2.1 and §2.3: a request_uri in the push is refused, as oauth4webapi reports it.
let refused;
try {
  await oauth.processPushedAuthorizationResponse(
    as,
    { client_id: CLIENT_ID },
    await oauth.pushedAuthorizationRequest(
      as,
      { client_id: CLIENT_ID },
      oauth.ClientSecretBasic(CLIENT_SECRET),
      new URLSearchParams({ response_type: 'code', redirect_uri: REDIRECT_URI, request_uri: confidential.pushed.request_uri }),
      http,
    ),
  );
  refused = { name: 'no error' };
} catch (error) {
  refused = { name: error.constructor.name, error: error.error, status: error.status };
}

process.stdout.write(JSON.stringify({ metadata: as, confidential, publicFlow, refused }));
