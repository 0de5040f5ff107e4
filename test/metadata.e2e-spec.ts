import { ClientsRepository, ClientsService, SCOPES_CACHE_MS } from 'nest-oauth-server';
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
    t.clock.advance(SCOPES_CACHE_MS / 1000); // past the scopes cache of the earlier requests
    const res = await t.http().get('/.well-known/oauth-authorization-server').expect(200);
    expect(res.body.scopes_supported).toEqual(['profile', 'read', 'write']);
  });

  it('scopes_supported is computed at most once per few seconds, and follows a new client within them (review L8)', async () => {
    const metadata = async () => (await t.http().get('/.well-known/oauth-authorization-server').expect(200)).body.scopes_supported;
    t.clock.advance(SCOPES_CACHE_MS / 1000);
    const queries = jest.spyOn(t.get(ClientsRepository), 'scopesOfEnabledClients');
    try {
      const first = await metadata();
      await Promise.all(Array.from({ length: 20 }, () => metadata()));
      expect(queries).toHaveBeenCalledTimes(1);
      await t.createClient({ scope: 'brand-new' });
      expect(await metadata()).toEqual(first); // still within the cache
      t.clock.advance(SCOPES_CACHE_MS / 1000);
      expect(await metadata()).toContain('brand-new');
      expect(queries).toHaveBeenCalledTimes(2);
    } finally {
      queries.mockRestore();
    }
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

describe('an issuer with a path, the service published under it by a proxy (RFC 8414 §3.1)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.create({ env: { ISSUER: 'https://auth.example.com/tenant' } });
  });
  afterAll(() => t.close());

  it('advertises the issuer + the route, and also serves the document at the well-known URI followed by the path', async () => {
    const metadata = (await t.http().get('/.well-known/oauth-authorization-server').expect(200)).body;
    expect(metadata).toMatchObject({
      issuer: 'https://auth.example.com/tenant',
      token_endpoint: 'https://auth.example.com/tenant/oauth/token',
      jwks_uri: 'https://auth.example.com/tenant/.well-known/jwks.json',
    });
    const alias = await t.http().get('/.well-known/oauth-authorization-server/tenant').expect(200);
    expect(alias.body).toEqual(metadata);
    expect(alias.headers['cache-control']).toMatch(/^public, max-age=\d+$/);
    // Only the issuer's own path: the service is strict about every other spelling.
    await t.http().get('/.well-known/oauth-authorization-server/other').expect(404);
  });
});
