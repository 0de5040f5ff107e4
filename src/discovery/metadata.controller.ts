import { Controller, Get, Inject } from '@nestjs/common';
import { CLIENT_AUTH_METHODS } from '../clients/client-auth-method';
import { appConfig, AppConfig } from '../config/app.config';
import { tokenConfig, TokenConfig } from '../config/token.config';
import { INTROSPECTION_AUTH_METHODS } from '../introspection/introspection-auth-methods';
import { GrantHandlerRegistry } from '../token/grants/grant-handler.registry';

/** RFC 8414 authorization server metadata. */
@Controller()
export class MetadataController {
  constructor(
    private readonly grants: GrantHandlerRegistry,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
    @Inject(tokenConfig.KEY) private readonly token: TokenConfig,
  ) {}

  @Get('.well-known/oauth-authorization-server')
  metadata(): Record<string, unknown> {
    const issuer = this.app.issuer;
    return {
      // RFC 8414 §3.3: issuer MUST be identical to the issuer the metadata was requested for.
      issuer,
      token_endpoint: `${issuer}/oauth/token`,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      grant_types_supported: this.grants.grantTypes(),
      token_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS],
      revocation_endpoint: `${issuer}/oauth/revoke`,
      revocation_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS],
      introspection_endpoint: `${issuer}/oauth/introspect`,
      introspection_endpoint_auth_methods_supported: [...INTROSPECTION_AUTH_METHODS],
      // RFC 8414 §2: REQUIRED even though no authorization endpoint is served yet.
      response_types_supported: [],
      scopes_supported: undefined,
      access_token_signing_alg_values_supported: [this.token.signingAlgorithm],
    };
  }
}
