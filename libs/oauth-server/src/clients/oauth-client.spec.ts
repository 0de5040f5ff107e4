import { ClientEntity } from './client.entity';
import { OAuthClient } from './oauth-client';

describe('OAuthClient (the public view of a client)', () => {
  const entity = Object.assign(new ClientEntity(), {
    clientId: 'c1',
    name: 'web',
    secretHash: 'a'.repeat(64),
    previousSecretHash: 'b'.repeat(64),
    previousSecretExpiresAt: 1,
    tokenEndpointAuthMethod: 'client_secret_basic',
    grantTypes: ['refresh_token'],
    scope: 'read write',
    redirectUris: ['https://app.example/cb'],
    allowedCorsOrigins: [],
    jwks: '{"keys":[]}',
    jwksUri: 'https://app.example/jwks',
    dpopBoundAccessTokens: false,
    disabledAt: null,
  });

  it('carries no secret hash nor key material, and is frozen', () => {
    const client = OAuthClient.from(entity);
    const text = JSON.stringify(client);
    expect(text).not.toContain('a'.repeat(64));
    expect(text).not.toContain('b'.repeat(64));
    expect(Object.keys(client).sort()).toEqual(['allowedCorsOrigins', 'authMethod', 'clientId', 'dpopBoundAccessTokens', 'enabled', 'grantTypes', 'name', 'redirectUris', 'scope']);
    expect(Object.isFrozen(client)).toBe(true);
    expect(() => (client.grantTypes as string[]).push('client_credentials')).toThrow();
    expect(entity.grantTypes).toEqual(['refresh_token']);
  });

  it('answers what a grant asks', () => {
    const client = OAuthClient.from(entity);
    expect(client.isConfidential).toBe(true);
    expect(client.allowsGrant('refresh_token')).toBe(true);
    expect(client.allowsGrant('client_credentials')).toBe(false);
    expect(client.enabled).toBe(true);
    expect(OAuthClient.from(Object.assign(new ClientEntity(), { ...entity, disabledAt: 5 })).enabled).toBe(false);
    expect(OAuthClient.from(Object.assign(new ClientEntity(), { ...entity, tokenEndpointAuthMethod: 'none' })).isConfidential).toBe(false);
  });
});
