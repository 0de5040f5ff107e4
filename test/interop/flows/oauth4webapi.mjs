// oauth4webapi 3: discovery (RFC 8414), refresh, client_credentials, revocation, the code flow.
// It has no default client authentication: pass the method the client was registered with.
import * as oauth from 'oauth4webapi';
import { print, refused, signIn } from './user-agent.mjs';

const { ISSUER, CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, PUBLIC_CLIENT_ID, REDIRECT_URI, ADMIN_API_KEY } = process.env;
const issuer = new URL(ISSUER);
const http = { [oauth.allowInsecureRequests]: true }; // the test server is plain HTTP on loopback

const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...http }));
const client = { client_id: CLIENT_ID };
const auth = oauth.ClientSecretBasic(CLIENT_SECRET);

const refresh = async (token) =>
  oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, auth, token, http));
const refreshed = await refresh(REFRESH_TOKEN);
const rotatedAgain = await refresh(refreshed.refresh_token);

const clientCredentials = await oauth.processClientCredentialsResponse(
  as, client, await oauth.clientCredentialsGrantRequest(as, client, auth, new URLSearchParams({ scope: 'read' }), http),
);

const wrongSecret = await refused(
  oauth.refreshTokenGrantRequest(as, client, oauth.ClientSecretBasic('wrong'), rotatedAgain.refresh_token, http)
    .then((response) => oauth.processRefreshTokenResponse(as, client, response)),
);

await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, auth, rotatedAgain.refresh_token, http));

// The code flow with a public client (oauth.None()) and PKCE.
const publicClient = { client_id: PUBLIC_CLIENT_ID };
const verifier = oauth.generateRandomCodeVerifier();
const state = oauth.generateRandomState();
const authorizationUrl = new URL(as.authorization_endpoint);
authorizationUrl.search = new URLSearchParams({
  response_type: 'code', client_id: PUBLIC_CLIENT_ID, redirect_uri: REDIRECT_URI, scope: 'read', state,
  code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
}).toString();
const callback = await signIn(authorizationUrl, { issuer: ISSUER, adminApiKey: ADMIN_API_KEY });
const params = oauth.validateAuthResponse(as, publicClient, callback, state);
const codeFlow = await oauth.processAuthorizationCodeResponse(
  as, publicClient, await oauth.authorizationCodeGrantRequest(as, publicClient, oauth.None(), params, REDIRECT_URI, verifier, http),
);

print({ refreshed, rotatedAgain, clientCredentials, codeFlow, wrongSecret, revoked: rotatedAgain.refresh_token });
