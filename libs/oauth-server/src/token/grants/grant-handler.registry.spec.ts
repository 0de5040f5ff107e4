import { Injectable } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { OAuthError } from '../../oauth/oauth-error';
import { AuthorizationCodeGrantService } from './authorization-code/authorization-code-grant.service';
import { ClientCredentialsGrantService } from './client-credentials/client-credentials-grant.service';
import { GrantHandler, GrantType } from './grant-handler';
import { GrantHandlerRegistry } from './grant-handler.registry';
import { RefreshGrantService } from './refresh-token/refresh-grant.service';

async function registryWith(providers: (new (...args: never[]) => unknown)[]): Promise<GrantHandlerRegistry> {
  const moduleRef = await Test.createTestingModule({ imports: [DiscoveryModule], providers: [GrantHandlerRegistry, ...providers] })
    .useMocker(() => ({}))
    .compile();
  await moduleRef.init();
  return moduleRef.get(GrantHandlerRegistry);
}

@Injectable()
@GrantType('refresh_token')
class AnotherRefreshGrant implements GrantHandler {
  handle = jest.fn();
}

describe('GrantHandlerRegistry', () => {
  it('registers every grant handler of the service', async () => {
    const registry = await registryWith([RefreshGrantService, ClientCredentialsGrantService, AuthorizationCodeGrantService]);
    expect(registry.grantTypes()).toEqual(['authorization_code', 'client_credentials', 'refresh_token']);
    expect(registry.get('authorization_code')).toBeInstanceOf(AuthorizationCodeGrantService);
    expect(registry.get('client_credentials')).toBeInstanceOf(ClientCredentialsGrantService);
    expect(registry.get('refresh_token')).toBeInstanceOf(RefreshGrantService);
  });

  it('throws at start-up on two handlers for one grant type', async () => {
    await expect(registryWith([RefreshGrantService, AnotherRefreshGrant])).rejects.toThrow('Two handlers for grant type "refresh_token"');
  });

  it('answers unsupported_grant_type for an unknown grant type', async () => {
    const registry = await registryWith([RefreshGrantService]);
    expect(() => registry.get('password')).toThrow(OAuthError);
    try {
      registry.get('password');
    } catch (error) {
      expect((error as OAuthError).code).toBe('unsupported_grant_type');
    }
  });
});
