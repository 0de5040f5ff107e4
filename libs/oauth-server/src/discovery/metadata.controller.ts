import { Controller, Get, Inject, RequestMethod, Res } from '@nestjs/common';
import type { Response } from 'express';
import { CLIENT_ASSERTION_ALGORITHMS, CLIENT_AUTH_METHODS } from '../clients/client-auth-method';
import { ClientStore } from '../clients/client.store';
import { Clock } from '../common/clock';
import { allowAnyOrigin } from '../cors/cors-headers';
import { appConfig, AppConfig } from '../config/app.config';
import { authorizationConfig, AuthorizationConfig } from '../config/authorization.config';
import { METADATA_SUFFIX } from '../oauth/oauth-front-routes.service';
import { OAuthRoutePaths } from '../oauth/oauth-route-paths.service';
import { OAuthRoutes } from '../oauth/oauth-routes.decorator';
import { PKCE_METHODS } from '../oauth/pkce';
import { tokenConfig, TokenConfig } from '../config/token.config';
import { INTROSPECTION_AUTH_METHODS } from '../introspection/introspection-auth-methods';
import { GrantHandlerRegistry } from '../token/grants/grant-handler.registry';
import { dpopConfig, DpopConfig } from '../config/dpop.config';

/**
 * Seconds clients may cache the metadata. It changes only with configuration (a restart) and with
 * the scopes of registered clients; five minutes keeps both fresh enough without a fetch per flow.
 */
export const METADATA_MAX_AGE = 300;

/**
 * Milliseconds one computation of scopes_supported (a DISTINCT over the clients) is reused: the
 * document is public and unauthenticated, so a flood of hits must not become a flood of queries;
 * a new client's scopes still show within seconds (the document itself is cached 5 minutes).
 */
export const SCOPES_CACHE_MS = 5000;

/**
 * RFC 8414 authorization server metadata. Endpoint URLs are those the application serves (a host's
 * global prefix included, see OAuthRoutePaths); for an issuer with a path the same document is also
 * served where RFC 8414 §3.1 puts it (OAuthFrontRoutes).
 */
@Controller()
@OAuthRoutes()
export class MetadataController {
  /** The last (or in-flight) computation of scopes_supported, shared by concurrent requests. */
  private scopes: { until: number; value: Promise<string[]> } | null = null;

  constructor(
    private readonly grants: GrantHandlerRegistry,
    private readonly clients: ClientStore,
    private readonly clock: Clock,
    private readonly paths: OAuthRoutePaths,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
    @Inject(tokenConfig.KEY) private readonly token: TokenConfig,
    @Inject(authorizationConfig.KEY) private readonly authorization: AuthorizationConfig,
    @Inject(dpopConfig.KEY) private readonly dpop: DpopConfig,
  ) {}

  @Get(METADATA_SUFFIX)
  async metadata(@Res({ passthrough: true }) res: Response): Promise<Record<string, unknown>> {
    res.setHeader('Cache-Control', `public, max-age=${METADATA_MAX_AGE}`);
    // Public document: browser clients discover the endpoints from any origin.
    allowAnyOrigin(res);
    const issuer = this.app.issuer;
    const codeFlow = this.authorization.loginUrl !== undefined;
    return {
      // RFC 8414 §3.3: issuer MUST be identical to the issuer the metadata was requested for.
      issuer,
      // Served only when a login application is configured (LOGIN_URL).
      ...(codeFlow ? this.codeFlowMetadata() : {}),
      token_endpoint: this.paths.urlOf(RequestMethod.POST, '/oauth/token'),
      jwks_uri: this.paths.urlOf(RequestMethod.GET, '/.well-known/jwks.json'),
      // Without a login application the code grant cannot be completed, so it is not advertised.
      grant_types_supported: this.grants.grantTypes().filter((grant) => codeFlow || grant !== 'authorization_code'),
      token_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS],
      // RFC 8414 §2: the JWS algorithms accepted for private_key_jwt assertions (never `none`).
      token_endpoint_auth_signing_alg_values_supported: [...CLIENT_ASSERTION_ALGORITHMS],
      revocation_endpoint: this.paths.urlOf(RequestMethod.POST, '/oauth/revoke'),
      revocation_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS],
      revocation_endpoint_auth_signing_alg_values_supported: [...CLIENT_ASSERTION_ALGORITHMS],
      introspection_endpoint: this.paths.urlOf(RequestMethod.POST, '/oauth/introspect'),
      introspection_endpoint_auth_methods_supported: [...INTROSPECTION_AUTH_METHODS],
      introspection_endpoint_auth_signing_alg_values_supported: [...CLIENT_ASSERTION_ALGORITHMS],
      // RFC 8414 §2: REQUIRED, empty when no authorization endpoint is served.
      response_types_supported: codeFlow ? ['code'] : [],
      access_token_signing_alg_values_supported: [this.token.signingAlgorithm],
      // RFC 8414 §2 (RECOMMENDED): every scope can only be granted within some client's registered
      // scope (RFC 6749 §3.3), so the union of the enabled clients' scopes is exactly the set the
      // service knows — with no second list to keep in sync.
      scopes_supported: await this.scopesSupported(),
      // RFC 9449 §5.1: the JWS algorithms accepted in DPoP proofs.
      dpop_signing_alg_values_supported: [...this.dpop.signingAlgorithms],
    };
  }

  private scopesSupported(): Promise<string[]> {
    const now = this.clock.now();
    if (this.scopes === null || now >= this.scopes.until) {
      const value = this.clients.scopesOfEnabledClients();
      const entry = { until: now + SCOPES_CACHE_MS, value };
      this.scopes = entry;
      // A failed query is not reused: the next request asks the database again.
      value.catch(() => {
        if (this.scopes === entry) this.scopes = null;
      });
    }
    return this.scopes.value;
  }

  private codeFlowMetadata(): Record<string, unknown> {
    return {
      authorization_endpoint: this.paths.urlOf(RequestMethod.GET, '/oauth/authorize'),
      code_challenge_methods_supported: [...PKCE_METHODS],
      response_modes_supported: ['query'],
      // RFC 9207 §3: authorization responses carry `iss`.
      authorization_response_iss_parameter_supported: true,
      // RFC 9126 §5: PAR is served with the code flow; required for all clients with PAR_REQUIRED.
      pushed_authorization_request_endpoint: this.paths.urlOf(RequestMethod.POST, '/oauth/par'),
      require_pushed_authorization_requests: this.authorization.parRequired,
    };
  }
}
