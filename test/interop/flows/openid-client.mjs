// openid-client 6 with its DEFAULT client authentication: a string secret means client_secret_post,
// here against a client registered with the CLI's default client_secret_basic (RFC 6749 §2.3.1).
import * as client from 'openid-client';
import { print, refused, signIn } from './user-agent.mjs';

const { ISSUER, CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, PUBLIC_CLIENT_ID, REDIRECT_URI, ADMIN_API_KEY } = process.env;
const options = { algorithm: 'oauth2', execute: [client.allowInsecureRequests] }; // plain HTTP on loopback

const config = await client.discovery(new URL(ISSUER), CLIENT_ID, CLIENT_SECRET, undefined, options);
const refreshed = await client.refreshTokenGrant(config, REFRESH_TOKEN);
const rotatedAgain = await client.refreshTokenGrant(config, refreshed.refresh_token);
const clientCredentials = await client.clientCredentialsGrant(config, { scope: 'read' });

const wrong = await client.discovery(new URL(ISSUER), CLIENT_ID, 'wrong', undefined, options);
const wrongSecret = await refused(client.refreshTokenGrant(wrong, rotatedAgain.refresh_token));

await client.tokenRevocation(config, rotatedAgain.refresh_token);

const publicConfig = await client.discovery(new URL(ISSUER), PUBLIC_CLIENT_ID, undefined, client.None(), options);
const verifier = client.randomPKCECodeVerifier();
const state = client.randomState();
const authorizationUrl = client.buildAuthorizationUrl(publicConfig, {
  redirect_uri: REDIRECT_URI, scope: 'read', state,
  code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
});
const callback = await signIn(authorizationUrl, { issuer: ISSUER, adminApiKey: ADMIN_API_KEY });
const codeFlow = await client.authorizationCodeGrant(publicConfig, callback, { pkceCodeVerifier: verifier, expectedState: state });

print({ refreshed, rotatedAgain, clientCredentials, codeFlow, wrongSecret, revoked: rotatedAgain.refresh_token });
