// simple-oauth2 5 with its defaults: credentials in the Authorization header (client_secret_basic),
// form bodies. It has no discovery: the paths are configured.
import { AuthorizationCode, ClientCredentials } from 'simple-oauth2';
import { print, refused } from './user-agent.mjs';

const { ISSUER, CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN } = process.env;
const settings = (secret) => ({
  client: { id: CLIENT_ID, secret },
  auth: { tokenHost: ISSUER, tokenPath: '/oauth/token', revokePath: '/oauth/revoke' },
});

const oauth = new AuthorizationCode({ ...settings(CLIENT_SECRET), auth: { ...settings().auth, authorizePath: '/oauth/authorize' } });
const refreshed = await oauth.createToken({ refresh_token: REFRESH_TOKEN }).refresh();
const rotatedAgain = await refreshed.refresh();
const clientCredentials = await new ClientCredentials(settings(CLIENT_SECRET)).getToken({ scope: 'read' });

const wrongSecret = await refused(new AuthorizationCode(settings('wrong')).createToken({ refresh_token: rotatedAgain.token.refresh_token }).refresh());

// RFC 7009 §2.2: the body of a 200 is ignored by the client, and the service sends none; simple-oauth2
// reads every answer as strict JSON, so revoke() rejects although the token *was* revoked.
const revoke = await refused(rotatedAgain.revoke('refresh_token'));

print({
  refreshed: refreshed.token, rotatedAgain: rotatedAgain.token, clientCredentials: clientCredentials.token,
  wrongSecret, revoked: rotatedAgain.token.refresh_token, revokeError: revoke.name === 'no error' ? null : revoke,
});
