// The example SPA: a public client (RFC 6749 §2.1) in the browser, using oauth4webapi, the
// browser-side OAuth library (https://github.com/panva/oauth4webapi). Code flow with PKCE
// (RFC 7636), refresh with rotation, revocation (RFC 7009) — all cross-origin, so the token
// service must answer CORS for this page's origin (clients:create --allowed-origin).
//
// Tokens live in sessionStorage: they survive a reload of this tab and end with it. Anything that
// runs script on this origin can read them (XSS), which is why RFC 9700 §4.14.2 wants refresh
// tokens of public clients rotated (this service does) and why the page has a strict CSP.
import * as oauth from '/vendor/oauth4webapi.js';

const $ = (id) => document.getElementById(id);
const TOKENS = 'example-spa.tokens';
const PENDING = 'example-spa.pending';

const config = await (await fetch('/config.json')).json();
const issuer = new URL(config.issuer);
const client = { client_id: config.client_id };
const clientAuth = oauth.None(); // a public client authenticates with its client_id only
const redirectUri = new URL('/callback', location.origin).href;
// oauth4webapi refuses plain http; allowed here only so the example runs on http://localhost.
const options = issuer.protocol === 'http:' ? { [oauth.allowInsecureRequests]: true } : {};

let as;

function saved() {
  return JSON.parse(sessionStorage.getItem(TOKENS) ?? 'null');
}

function save(response, refreshes) {
  sessionStorage.setItem(
    TOKENS,
    JSON.stringify({
      access_token: response.access_token,
      refresh_token: response.refresh_token,
      scope: response.scope,
      expires_at: Date.now() + response.expires_in * 1000,
      refreshes,
    }),
  );
}

function show(status, error) {
  const tokens = saved();
  $('status').textContent = status;
  $('session').hidden = !tokens;
  $('login').hidden = !!tokens;
  $('refresh').hidden = !tokens;
  $('logout').hidden = !tokens;
  if (tokens) {
    // Display only: the access token is for resource servers, which verify it (jwks_uri).
    const claims = JSON.parse(atob(tokens.access_token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
    $('subject').textContent = claims.sub;
    $('scope').textContent = tokens.scope;
    $('expires').textContent = new Date(tokens.expires_at).toLocaleTimeString();
    $('refreshes').textContent = String(tokens.refreshes);
  }
  $('error').hidden = !error;
  $('error').textContent = error ? describe(error) : '';
}

/** oauth4webapi's errors carry the RFC 6749 §5.2 body (ResponseBodyError) or the challenge of a 401. */
function describe(error) {
  if (error instanceof oauth.ResponseBodyError || error instanceof oauth.AuthorizationResponseError) {
    return `${error.error}: ${error.error_description ?? ''}`;
  }
  if (error instanceof oauth.WWWAuthenticateChallengeError) return `${error.cause[0]?.parameters.error ?? 'unauthorized'} (HTTP ${error.status})`;
  return String(error?.message ?? error);
}

async function signIn() {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state }));
  const url = new URL(as.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: redirectUri,
    scope: config.scope,
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  }).toString();
  location.assign(url);
}

async function handleCallback() {
  const url = new URL(location.href);
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null');
  sessionStorage.removeItem(PENDING);
  // The code must not stay in the address bar or the history.
  history.replaceState(null, '', '/');
  if (!pending) {
    // E.g. the curl walk-through of docs/grants-and-login.md: this page did not start that login.
    const code = url.searchParams.get('code');
    const error = url.searchParams.get('error');
    if (code) return show(`This login was not started by this page; the code is left for you: ${code}`);
    return show(error ? `The login ended with ${error}` : 'Signed out');
  }
  // Checks state and, as the metadata says it is supported, iss (RFC 9207); throws on error=...
  const params = oauth.validateAuthResponse(as, client, url, pending.state);
  const response = await oauth.authorizationCodeGrantRequest(as, client, clientAuth, params, redirectUri, pending.verifier, options);
  save(await oauth.processAuthorizationCodeResponse(as, client, response), 0);
  show('Signed in');
}

async function refresh() {
  const tokens = saved();
  try {
    const response = await oauth.refreshTokenGrantRequest(as, client, clientAuth, tokens.refresh_token, options);
    // The old refresh token is retired by the service: store its successor before anything else.
    save(await oauth.processRefreshTokenResponse(as, client, response), tokens.refreshes + 1);
    show('Tokens refreshed');
  } catch (error) {
    if (error instanceof oauth.ResponseBodyError && error.error === 'invalid_grant') sessionStorage.removeItem(TOKENS);
    throw error;
  }
}

async function signOut() {
  const tokens = saved();
  // RFC 7009: revoking the refresh token ends its whole family, access tokens included.
  const response = await oauth.revocationRequest(as, client, clientAuth, tokens.refresh_token, options);
  await oauth.processRevocationResponse(response);
  sessionStorage.removeItem(TOKENS);
  show('Signed out');
}

const run = (action) => () => action().catch((error) => show('Failed', error));
$('login').addEventListener('click', run(signIn));
$('refresh').addEventListener('click', run(refresh));
$('logout').addEventListener('click', run(signOut));

try {
  // RFC 8414 metadata (served with Access-Control-Allow-Origin: *).
  as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...options }));
  if (location.pathname === '/callback') await handleCallback();
  else show(saved() ? 'Signed in' : 'Signed out');
} catch (error) {
  show('Failed', error);
}
