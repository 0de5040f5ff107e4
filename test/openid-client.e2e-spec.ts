import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ADMIN_API_KEY, CodeFlow, codeFlowEnv } from './support/code-flow';
import { freePort } from './support/free-port';
import { TestApp, TestClient } from './support/test-app';

const run = promisify(execFile);
const claims = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());

describe('a real client library (openid-client 6): discovery, PKCE, code exchange, refresh', () => {
  let t: TestApp;
  let issuer: string;
  let client: TestClient;
  const redirectUri = 'http://127.0.0.1:9/callback';

  beforeAll(async () => {
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    t = await TestApp.create({ env: { ...codeFlowEnv, ISSUER: issuer } });
    await t.app.listen(port, '127.0.0.1');
    client = await new CodeFlow(t).createClient({ tokenEndpointAuthMethod: 'none', redirectUris: [redirectUri] });
  });
  afterAll(() => t.close());

  it('completes the flow with no custom OAuth HTTP code', async () => {
    const { stdout } = await run(process.execPath, [join(__dirname, 'support/openid-client-flow.mjs')], {
      env: { ...process.env, ISSUER: issuer, CLIENT_ID: client.clientId, REDIRECT_URI: redirectUri, ADMIN_API_KEY },
      timeout: 20_000,
    });
    const result = JSON.parse(stdout);
    expect(result.metadata).toMatchObject({ issuer, authorization_endpoint: `${issuer}/oauth/authorize`, code_challenge_methods_supported: ['S256'] });
    const authorizationUrl = new URL(result.authorizationUrl);
    expect(Object.fromEntries(authorizationUrl.searchParams)).toMatchObject({ code_challenge_method: 'S256', response_type: 'code', client_id: client.clientId });
    expect(claims(result.tokens.access_token)).toMatchObject({ iss: issuer, sub: 'alice', client_id: client.clientId, scope: 'read' });
    expect(result.tokens.refresh_token).toEqual(expect.any(String));
    expect(result.refreshed.refresh_token).not.toBe(result.tokens.refresh_token);
    expect(claims(result.refreshed.access_token).sub).toBe('alice');
    // Once its successor has been used, the first refresh token is dead: presenting it again is reuse.
    await t.refresh(client, result.refreshed.refresh_token).expect(200);
    await t.refresh(client, result.tokens.refresh_token).expect(400, /invalid_grant/);
  });
});
