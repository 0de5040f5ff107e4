import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { clientKey } from './support/client-assertions';
import { ADMIN_API_KEY, codeFlowEnv } from './support/code-flow';
import { freePort } from './support/free-port';
import { TestApp, TestClient } from './support/test-app';

const run = promisify(execFile);
const claims = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());

describe('a real client library (oauth4webapi 3, PrivateKeyJwt): client_credentials, code flow, refreshes, introspection, revocation', () => {
  let t: TestApp;
  let issuer: string;
  let client: TestClient;
  const key = clientKey('ES256', 'client-key-1');
  const redirectUri = 'http://127.0.0.1:9/callback';

  beforeAll(async () => {
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    t = await TestApp.create({ env: { ...codeFlowEnv, ISSUER: issuer } });
    // The library signs with the real time: the service's clock must agree.
    t.clock.advance((Date.now() - t.clock.now()) / 1000);
    await t.app.listen(port, '127.0.0.1');
    client = await t.createClient({
      tokenEndpointAuthMethod: 'private_key_jwt',
      jwks: { keys: [key.publicJwk] },
      grantTypes: ['client_credentials', 'authorization_code', 'refresh_token'],
      redirectUris: [redirectUri],
      scope: 'read',
      allowIntrospection: true,
    });
  });
  afterAll(() => t.close());

  it('authenticates every call with a signed assertion and no custom OAuth HTTP code', async () => {
    const privateJwk = { ...key.privateKey.export({ format: 'jwk' }), kid: key.publicJwk.kid };
    const { stdout } = await run(process.execPath, [join(__dirname, 'support/oauth4webapi-private-key-jwt.mjs')], {
      env: { ...process.env, ISSUER: issuer, CLIENT_ID: client.clientId, KEY_JWK: JSON.stringify(privateJwk), REDIRECT_URI: redirectUri, ADMIN_API_KEY },
      timeout: 20_000,
    });
    const result = JSON.parse(stdout);
    expect(result.metadata.token_endpoint_auth_methods_supported).toContain('private_key_jwt');
    expect(result.metadata.token_endpoint_auth_signing_alg_values_supported).toContain('ES256');
    expect(claims(result.clientCredentials.access_token)).toMatchObject({ sub: client.clientId, client_id: client.clientId, scope: 'read' });
    expect(claims(result.tokens.access_token)).toMatchObject({ iss: issuer, sub: 'alice', client_id: client.clientId });
    expect(result.refreshed.refresh_token).not.toBe(result.tokens.refresh_token);
    expect(result.refreshedAgain.refresh_token).not.toBe(result.refreshed.refresh_token);
    expect(result.introspected).toEqual({ active: true, client_id: client.clientId });
    expect(result.afterRevocation).toEqual({ active: false });
    // Every assertion's jti was remembered (single use): 1 + 1 + 2 + 3 calls.
    const used = await t.dataSource().query("SELECT COUNT(*) AS n FROM used_jtis WHERE namespace = 'client_assertion'");
    expect(Number(used[0].n)).toBe(7);
  });
});
