// @badgateway/oauth2-client 3 with its defaults: discovery at /.well-known/oauth-authorization-server
// and the first secret method the metadata lists (client_secret_basic), whatever the client was
// registered with — here also a client registered client_secret_post (RFC 6749 §2.3.1).
import { OAuth2Client } from '@badgateway/oauth2-client';
import { print, refused } from './user-agent.mjs';

const { ISSUER, CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN } = process.env;

const client = new OAuth2Client({ server: ISSUER, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
const start = { accessToken: '', refreshToken: REFRESH_TOKEN, expiresAt: null };
const refreshed = await client.refreshToken(start);
const rotatedAgain = await client.refreshToken(refreshed);
const clientCredentials = await client.clientCredentials({ scope: ['read'] });

const wrong = new OAuth2Client({ server: ISSUER, clientId: CLIENT_ID, clientSecret: 'wrong' });
const wrongSecret = await refused(wrong.refreshToken(rotatedAgain));

await client.revoke(rotatedAgain, 'refresh_token');

const shape = (token) => ({ access_token: token.accessToken, refresh_token: token.refreshToken });
print({
  refreshed: shape(refreshed), rotatedAgain: shape(rotatedAgain), clientCredentials: shape(clientCredentials),
  wrongSecret, revoked: rotatedAgain.refreshToken,
});
