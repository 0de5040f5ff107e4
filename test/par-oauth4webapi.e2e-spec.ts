import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ADMIN_API_KEY, CodeFlow, codeFlowEnv } from './support/code-flow';
import { freePort } from './support/free-port';
import { decodeJwtPayload } from './support/oauth-requests';
import { TestApp, TestClient } from './support/test-app';

const run = promisify(execFile);

describe('a real client drives PAR (oauth4webapi 3: pushedAuthorizationRequest, no custom HTTP)', () => {
  let t: TestApp;
  let issuer: string;
  let confidential: TestClient;
  let spa: TestClient;
  const redirectUri = 'http://127.0.0.1:9/callback';

  beforeAll(async () => {
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    t = await TestApp.create({ env: { ...codeFlowEnv, ISSUER: issuer } });
    await t.app.listen(port, '127.0.0.1');
    const flow = new CodeFlow(t);
    // Both registered require_pushed_authorization_requests: the flow can only succeed through PAR.
    confidential = await flow.createClient({ redirectUris: [redirectUri], requirePushedAuthorizationRequests: true });
    spa = await flow.createClient({ tokenEndpointAuthMethod: 'none', redirectUris: [redirectUri], requirePushedAuthorizationRequests: true });
  });
  afterAll(() => t.close());

  it('push, authorize with the request_uri, exchange the code, refresh twice; a pushed request_uri is refused', async () => {
    const { stdout } = await run(process.execPath, [join(__dirname, 'support/oauth4webapi-par-flow.mjs')], {
      env: {
        ...process.env,
        ISSUER: issuer,
        CLIENT_ID: confidential.clientId,
        CLIENT_SECRET: confidential.clientSecret!,
        PUBLIC_CLIENT_ID: spa.clientId,
        REDIRECT_URI: redirectUri,
        ADMIN_API_KEY,
      },
      timeout: 30_000,
    });
    const result = JSON.parse(stdout);
    expect(result.metadata).toMatchObject({ pushed_authorization_request_endpoint: `${issuer}/oauth/par`, require_pushed_authorization_requests: false });
    for (const [flow, client] of [
      [result.confidential, confidential],
      [result.publicFlow, spa],
    ] as const) {
      expect(flow.pushed).toEqual({ request_uri: expect.stringMatching(/^urn:ietf:params:oauth:request_uri:/), expires_in: 60 });
      expect([...new URL(flow.authorizationUrl).searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
      expect(decodeJwtPayload(flow.tokens.access_token)).toMatchObject({ iss: issuer, sub: 'alice', client_id: client.clientId, scope: 'read' });
      expect(flow.refreshedAgain.refresh_token).not.toBe(flow.refreshed.refresh_token);
      // The rotated-out tokens are dead: presenting the first again is reuse.
      await t.refresh(client, flow.tokens.refresh_token).expect(400, /invalid_grant/);
    }
    expect(result.refused).toEqual({ name: 'ResponseBodyError', error: 'invalid_request', status: 400 });
  });
});
