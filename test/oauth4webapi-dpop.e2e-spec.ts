import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ADMIN_API_KEY, codeFlowEnv } from './support/code-flow';
import { freePort } from './support/free-port';
import { decodeJwtPayload } from './support/oauth-requests';
import { ProtectedApiModule } from './support/protected-api/protected-api.module';
import { TestApp, TestClient } from './support/test-app';

const run = promisify(execFile);

describe('a real DPoP client (oauth4webapi 3): code flow with dpop_jkt, nonce retry, bound refreshes, the protected API', () => {
  let t: TestApp;
  let issuer: string;
  let client: TestClient;
  const redirectUri = 'http://127.0.0.1:9/callback';

  beforeAll(async () => {
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    // The client signs proofs with the real time: the fake clock is set to it, and the skew allows
    // for the seconds the child process runs while the fake clock stands still.
    t = await TestApp.create({ env: { ...codeFlowEnv, ISSUER: issuer, DPOP_NONCE_REQUIRED: 'true', DPOP_CLOCK_SKEW: '60' }, imports: [ProtectedApiModule] });
    t.clock.advance((Date.now() - t.clock.now()) / 1000);
    await t.app.listen(port, '127.0.0.1');
    client = await t.createClient({ tokenEndpointAuthMethod: 'none', grantTypes: ['authorization_code', 'refresh_token'], redirectUris: [redirectUri], scope: 'read' });
  });
  afterAll(() => t.close());

  it('exchanges a dpop_jkt-bound code, refreshes three times (the family bound to its key), calls the API with token and proof; no custom OAuth HTTP', async () => {
    const { stdout } = await run(process.execPath, [join(__dirname, 'support/oauth4webapi-dpop-flow.mjs')], {
      env: { ...process.env, ISSUER: issuer, CLIENT_ID: client.clientId, REDIRECT_URI: redirectUri, ADMIN_API_KEY, API_URL: `${issuer}/api/me` },
      timeout: 20_000,
    });
    const result = JSON.parse(stdout);
    expect(result.metadata.dpop_signing_alg_values_supported).toContain('ES256');
    // The first request had no nonce: one use_dpop_nonce answer, then the handle keeps up with DPoP-Nonce.
    expect(result.nonceRetries).toBe(1);
    expect(result.code.token_type.toLowerCase()).toBe('dpop');
    expect(decodeJwtPayload(result.code.access_token).cnf).toEqual({ jkt: result.jkt });
    expect(result.refreshes).toHaveLength(3);
    const jkts = result.refreshes.map((r: { token_type: string; access_token: string }) => {
      expect(r.token_type.toLowerCase()).toBe('dpop');
      return (decodeJwtPayload(r.access_token).cnf as { jkt: string }).jkt;
    });
    expect(new Set(jkts)).toEqual(new Set([result.jkt]));
    expect(result.api).toEqual({ status: 200, body: { sub: 'alice', client_id: client.clientId } });
    expect(result.withoutProof.status).toBe(401);
    // The family is bound to the client's key: its last refresh token is useless without it.
    await t.refresh(client, result.refreshes[2].refresh_token).expect(400, /invalid_grant/);
  });
});
