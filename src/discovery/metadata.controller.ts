import { Controller, Get, Inject } from '@nestjs/common';
import { CLIENT_AUTH_METHODS } from '../clients/client-auth-method';
import { appConfig, AppConfig } from '../config/app.config';
import { authorizationConfig, AuthorizationConfig } from '../config/authorization.config';
import { PKCE_METHODS } from '../oauth/pkce';
import { tokenConfig, TokenConfig } from '../config/token.config';
import { INTROSPECTION_AUTH_METHODS } from '../introspection/introspection-auth-methods';
import { GrantHandlerRegistry } from '../token/grants/grant-handler.registry';
import { dpopConfig, DpopConfig } from '../config/dpop.config';

/** RFC 8414 authorization server metadata. */
@Controller()
export class MetadataController {
  constructor(
    private readonly grants: GrantHandlerRegistry,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
    @Inject(tokenConfig.KEY) private readonly token: TokenConfig,
    @Inject(authorizationConfig.KEY) private readonly authorization: AuthorizationConfig,
    @Inject(dpopConfig.KEY) private readonly dpop: DpopConfig,
  ) {}

  @Get('.well-known/oauth-authorization-server')
  metadata(): Record<string, unknown> {
    const issuer = this.app.issuer;
    return {
      // RFC 8414 §3.3: issuer MUST be identical to the issuer the metadata was requested for.
      issuer,
      // Served only when a login application is configured (LOGIN_URL).
      ...(this.authorization.loginUrl === undefined ? {} : this.codeFlowMetadata(issuer)),
      token_endpoint: `${issuer}/oauth/token`,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      grant_types_supported: this.grants.grantTypes(),
      token_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS],
      revocation_endpoint: `${issuer}/oauth/revoke`,
      revocation_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS],
      introspection_endpoint: `${issuer}/oauth/introspect`,
      introspection_endpoint_auth_methods_supported: [...INTROSPECTION_AUTH_METHODS],
      // RFC 8414 §2: REQUIRED, empty when no authorization endpoint is served.
      response_types_supported: this.authorization.loginUrl === undefined ? [] : ['code'],
      access_token_signing_alg_values_supported: [this.token.signingAlgorithm],
      // RFC 9449 §5.1: the JWS algorithms accepted in DPoP proofs.
      dpop_signing_alg_values_supported: [...this.dpop.signingAlgorithms],
    };
  }

  private codeFlowMetadata(issuer: string): Record<string, unknown> {
    return {
      authorization_endpoint: `${issuer}/oauth/authorize`,
      code_challenge_methods_supported: [...PKCE_METHODS],
      response_modes_supported: ['query'],
      // RFC 9207 §3: authorization responses carry `iss`.
      authorization_response_iss_parameter_supported: true,
    };
  }
}
