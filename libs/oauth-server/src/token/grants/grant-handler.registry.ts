import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { grantsConfig, GrantsConfig } from '../../config/grants.config';
import { OAuthError } from '../../oauth/oauth-error';
import { GrantHandler, GrantType } from './grant-handler';

/** Collects every `@GrantType` provider of the application; the token endpoint asks it by name. */
@Injectable()
export class GrantHandlerRegistry implements OnModuleInit {
  private readonly handlers = new Map<string, GrantHandler>();

  /** Built-in grants a host turned off (`grants` option): not registered, so not advertised either. */
  private readonly disabled: Set<string>;

  constructor(
    private readonly discovery: DiscoveryService,
    @Inject(grantsConfig.KEY) grants: GrantsConfig,
  ) {
    const builtIn = { refresh_token: grants.refreshToken, client_credentials: grants.clientCredentials, authorization_code: grants.authorizationCode };
    this.disabled = new Set(Object.entries(builtIn).flatMap(([name, on]) => (on === false ? [name] : [])));
  }

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders({ metadataKey: GrantType.KEY })) {
      const grantType = this.discovery.getMetadataByDecorator(GrantType, wrapper);
      if (!grantType || !wrapper.instance || this.disabled.has(grantType)) continue;
      if (this.handlers.has(grantType)) throw new Error(`Two handlers for grant type "${grantType}"`);
      this.handlers.set(grantType, wrapper.instance as GrantHandler);
    }
  }

  /** RFC 6749 §5.2: a grant type the server does not support is `unsupported_grant_type`. */
  get(grantType: string): GrantHandler {
    const handler = this.handlers.get(grantType);
    if (!handler) throw OAuthError.unsupportedGrantType(`grant_type ${grantType.slice(0, 60)}`);
    return handler;
  }

  grantTypes(): string[] {
    return [...this.handlers.keys()].sort();
  }
}
