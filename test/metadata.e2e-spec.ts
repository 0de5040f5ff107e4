import { ClientsService } from '../src/clients/clients.service';
import { TestApp } from './support/test-app';

describe('authorization server metadata (RFC 8414) and JWKS', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.create({ env: { ISSUER: 'https://auth.example.com' } });
  });
  afterAll(() => t.close());

  it('publishes the endpoints, grants and auth methods', async () => {
    const res = await t.http().get('/.well-known/oauth-authorization-server').expect(200);
    expect(res.body).toMatchObject({
      issuer: 'https://auth.example.com',
      token_endpoint: 'https://auth.example.com/oauth/token',
      jwks_uri: 'https://auth.example.com/.well-known/jwks.json',
      grant_types_supported: expect.arrayContaining(['refresh_token']),
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none', 'private_key_jwt'],
      token_endpoint_auth_signing_alg_values_supported: ['ES256', 'EdDSA', 'Ed25519', 'RS256', 'PS256'],
      revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none', 'private_key_jwt'],
      introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
      introspection_endpoint_auth_signing_alg_values_supported: ['ES256', 'EdDSA', 'Ed25519', 'RS256', 'PS256'],
      response_types_supported: expect.any(Array),
    });
  });

  it('without LOGIN_URL it advertises no code flow: no authorization_code grant, no response types', async () => {
    const res = await t.http().get('/.well-known/oauth-authorization-server').expect(200);
    expect(res.body.grant_types_supported).toEqual(['client_credentials', 'refresh_token']);
    expect(res.body.response_types_supported).toEqual([]);
    expect(res.body).not.toHaveProperty('authorization_endpoint');
  });

  it('scopes_supported is the union of the enabled clients\' scopes (RFC 8414 §2)', async () => {
    await t.createClient({ scope: 'read write' });
    await t.createClient({ scope: 'profile read' });
    const hidden = await t.createClient({ scope: 'secret-admin' });
    await t.get(ClientsService).disable(hidden.clientId);
    const res = await t.http().get('/.well-known/oauth-authorization-server').expect(200);
    expect(res.body.scopes_supported).toEqual(['profile', 'read', 'write']);
  });

  it('metadata and JWKS are cacheable and readable cross-origin', async () => {
    const metadata = await t.http().get('/.well-known/oauth-authorization-server').expect(200);
    expect(metadata.headers['cache-control']).toBe('public, max-age=300');
    expect(metadata.headers['access-control-allow-origin']).toBe('*');
    const jwks = await t.http().get('/.well-known/jwks.json').expect(200);
    expect(jwks.headers['cache-control']).toBe('public, max-age=300');
    expect(jwks.headers['access-control-allow-origin']).toBe('*');
  });

  it('the JWKS holds public keys only', async () => {
    const res = await t.http().get('/.well-known/jwks.json').expect(200);
    expect(res.body.keys.length).toBeGreaterThan(0);
    for (const key of res.body.keys) {
      expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: expect.any(String) });
      expect(key).not.toHaveProperty('d');
    }
  });
});

describe('JWKS_MAX_AGE', () => {
  it('sets the max-age of the JWKS (key rotation relies on it)', async () => {
    const t = await TestApp.create({ env: { JWKS_MAX_AGE: '60' } });
    try {
      const res = await t.http().get('/.well-known/jwks.json').expect(200);
      expect(res.headers['cache-control']).toBe('public, max-age=60');
    } finally {
      await t.close();
    }
  });
});
