import { clientKey } from '../support/client-assertions';
import { ADMIN_API_KEY, codeFlowEnv } from '../support/code-flow';
import { freePort } from '../support/free-port';
import { decodeJwtPayload } from '../support/oauth-requests';
import { ProtectedApiModule } from '../support/protected-api/protected-api.module';
import { TestApp, TestClient } from '../support/test-app';
import { realTimeClock, runFlow } from './run-flow';

const REFRESHES = 3;

/**
 * Issue 15: one real client (oauth4webapi 3, zero custom OAuth HTTP) through the whole baseline:
 * a confidential client registered private_key_jwt + require_pushed_authorization_requests +
 * dpop_bound_access_tokens pushes its request with dpop_jkt, signs in, exchanges the code with DPoP
 * (nonces required, so oauth4webapi's use_dpop_nonce retry runs), refreshes several times, and
 * calls an API guarded by the library's resource-server guard with and without the proof.
 */
describe('interop: the FAPI-style baseline with oauth4webapi (PrivateKeyJwt + PAR + DPoP, one flow)', () => {
  let t: TestApp;
  let issuer: string;
  let client: TestClient;
  const key = clientKey('ES256', 'fapi-client-key');
  const redirectUri = 'http://127.0.0.1:9/callback';

  beforeAll(async () => {
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    // Assertions and proofs are signed with the real time; the skew allows for the seconds the
    // child process runs while the fake clock stands still.
    t = await TestApp.create({
      env: { ...codeFlowEnv, ISSUER: issuer, DPOP_NONCE_REQUIRED: 'true', DPOP_CLOCK_SKEW: '60' },
      imports: [ProtectedApiModule],
      override: realTimeClock().override,
    });
    await t.app.listen(port, '127.0.0.1');
    client = await t.createClient({
      tokenEndpointAuthMethod: 'private_key_jwt',
      jwks: { keys: [key.publicJwk] },
      grantTypes: ['authorization_code', 'refresh_token'],
      redirectUris: [redirectUri],
      scope: 'read',
      requirePushedAuthorizationRequests: true,
      dpopBoundAccessTokens: true,
    });
  });
  afterAll(() => t.close());

  it('PAR with dpop_jkt, code exchange with the nonce retry, bound refreshes, the guard accepts the proof and refuses without', async () => {
    const privateJwk = { ...key.privateKey.export({ format: 'jwk' }), kid: key.publicJwk.kid };
    const result = await runFlow('fapi-baseline', {
      ISSUER: issuer,
      CLIENT_ID: client.clientId,
      KEY_JWK: JSON.stringify(privateJwk),
      REDIRECT_URI: redirectUri,
      ADMIN_API_KEY,
      API_URL: `${issuer}/api/me`,
      REFRESHES: String(REFRESHES),
    });
    expect(result.metadata).toMatchObject({
      pushed_authorization_request_endpoint: `${issuer}/oauth/par`,
      token_endpoint_auth_methods_supported: expect.arrayContaining(['private_key_jwt']),
      dpop_signing_alg_values_supported: expect.arrayContaining(['ES256']),
    });
    // The flow went through PAR: the authorization request held client_id and request_uri only.
    expect(result.pushed.request_uri).toMatch(/^urn:ietf:params:oauth:request_uri:/);
    expect([...new URL(result.authorizationUrl).searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
    // Nonces are required: the first token request was answered use_dpop_nonce once, then the
    // handle kept up with DPoP-Nonce (the PAR endpoint takes no proof, so it asked for none).
    expect(result.nonceRetries).toBe(1);

    expect(result.code.token_type.toLowerCase()).toBe('dpop');
    expect(decodeJwtPayload(result.code.access_token)).toMatchObject({ iss: issuer, sub: 'alice', client_id: client.clientId, cnf: { jkt: result.jkt } });
    expect(result.refreshes).toHaveLength(REFRESHES);
    const tokens = new Set<string>([result.code.refresh_token]);
    for (const refresh of result.refreshes) {
      expect(refresh.token_type.toLowerCase()).toBe('dpop');
      expect(decodeJwtPayload(refresh.access_token).cnf).toEqual({ jkt: result.jkt });
      tokens.add(refresh.refresh_token);
    }
    expect(tokens.size).toBe(REFRESHES + 1); // rotated every time
    // The family is bound to the pushed dpop_jkt, and it is the one family of this client.
    const families = await t.dataSource().query(`SELECT dpop_jkt, revoked_at FROM token_families WHERE client_id = '${client.clientId}'`);
    expect(families).toEqual([{ dpop_jkt: result.jkt, revoked_at: null }]);

    expect(result.api).toEqual({ status: 200, body: { sub: 'alice', client_id: client.clientId } });
    expect(result.withoutProof).toMatchObject({ status: 401, challenge: expect.stringMatching(/^DPoP error="invalid_token"/) });
  });
});
