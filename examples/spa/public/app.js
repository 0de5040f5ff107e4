// The example SPA: a public client (RFC 6749 §2.1) in the browser, using oauth4webapi, the
// browser-side OAuth library (https://github.com/panva/oauth4webapi). Code flow with PKCE
// (RFC 7636), refresh with rotation, revocation (RFC 7009) — all cross-origin, so the token
// service must answer CORS for this page's origin (clients:create --allowed-origin).
//
// Tokens live in sessionStorage: they survive a reload of this tab and end with it. Anything that
// runs script on this origin can read them (XSS), which is why RFC 9700 §4.14.2 wants refresh
// tokens of public clients rotated (this service does) and why the page has a strict CSP.
//
// DPoP (RFC 9449) makes a stolen token useless on its own: every token request carries a proof
// signed by a key pair made here with WebCrypto, its private key NOT extractable (script on this
// origin can use it while the page is open, but can never read it out). The tokens are bound to
// that key (token_type DPoP, cnf.jkt), the refresh tokens of this public client too (§5). The key
// pair is kept in IndexedDB, which stores a CryptoKey as is (structured clone, still not
// extractable), so a reload keeps the key the refresh tokens are bound to.
import * as oauth from '/vendor/oauth4webapi.js';

const $ = (id) => document.getElementById(id);
const TOKENS = 'example-spa.tokens';
const PENDING = 'example-spa.pending';
const KEY_DB = 'example-spa';
const KEY_STORE = 'keys';
const KEY_ID = 'dpop';

const config = await (await fetch('/config.json')).json();
const issuer = new URL(config.issuer);
const client = { client_id: config.client_id };
const clientAuth = oauth.None(); // a public client authenticates with its client_id only
const redirectUri = new URL('/callback', location.origin).href;
// oauth4webapi refuses plain http; allowed here only so the example runs on http://localhost.
const options = issuer.protocol === 'http:' ? { [oauth.allowInsecureRequests]: true } : {};

let as;

/** One IndexedDB request as a promise. */
function idb(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** The DPoP key pair of this origin: read from IndexedDB, or made (non-extractable) and stored. */
async function dpopKeyPair() {
  const open = indexedDB.open(KEY_DB, 1);
  open.onupgradeneeded = () => open.result.createObjectStore(KEY_STORE);
  const db = await idb(open);
  try {
    const existing = await idb(db.transaction(KEY_STORE).objectStore(KEY_STORE).get(KEY_ID));
    if (existing) return existing;
    const keyPair = await oauth.generateKeyPair('ES256', { extractable: false });
    await idb(db.transaction(KEY_STORE, 'readwrite').objectStore(KEY_STORE).put(keyPair, KEY_ID));
    return keyPair;
  } finally {
    db.close();
  }
}

const keyPair = await dpopKeyPair();
// The handle signs the proofs and remembers the DPoP-Nonce the service sends (RFC 9449 §8).
const DPoP = oauth.DPoP(client, keyPair);

/**
 * RFC 9449 §8: the service may answer use_dpop_nonce; the handle has cached the nonce of that
 * answer, so the same request is sent once more with a fresh proof carrying it.
 */
async function withNonceRetry(call) {
  try {
    return await call();
  } catch (error) {
    if (!oauth.isDPoPNonceError(error)) throw error;
    return call();
  }
}

function saved() {
  return JSON.parse(sessionStorage.getItem(TOKENS) ?? 'null');
}

function save(response, refreshes) {
  sessionStorage.setItem(
    TOKENS,
    JSON.stringify({
      access_token: response.access_token,
      token_type: response.token_type,
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
    $('token-type').textContent = tokens.token_type;
  }
  $('dpop-key').textContent = `${keyPair.privateKey.algorithm.name} ${keyPair.privateKey.algorithm.namedCurve}, private key extractable: ${keyPair.privateKey.extractable}`;
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
  const tokens = await withNonceRetry(async () =>
    oauth.processAuthorizationCodeResponse(as, client, await oauth.authorizationCodeGrantRequest(as, client, clientAuth, params, redirectUri, pending.verifier, { DPoP, ...options })),
  );
  save(tokens, 0);
  show('Signed in');
}

async function refresh() {
  const tokens = saved();
  try {
    // The refresh token is bound to the key: every refresh proves it (RFC 9449 §5).
    const refreshed = await withNonceRetry(async () =>
      oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, clientAuth, tokens.refresh_token, { DPoP, ...options })),
    );
    // The old refresh token is retired by the service: store its successor before anything else.
    save(refreshed, tokens.refreshes + 1);
    show('Tokens refreshed');
  } catch (error) {
    if (error instanceof oauth.ResponseBodyError && error.error === 'invalid_grant') sessionStorage.removeItem(TOKENS);
    throw error;
  }
}

async function signOut() {
  const tokens = saved();
  // RFC 7009: revoking the refresh token ends its whole family, access tokens included. Revocation
  // takes no DPoP proof (RFC 9449 does not define one there, and oauth4webapi sends none): the
  // holder of a token may always give it up.
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
