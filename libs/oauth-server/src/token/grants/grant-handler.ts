import { DiscoveryService } from '@nestjs/core';
import type { OAuthClient } from '../../clients/oauth-client';
import type { OAuthParams } from '../../oauth/oauth-params';
import type { TokenEndpointResponse } from '../token-response';

/**
 * The extension point of the token endpoint (fosite's TokenEndpointHandler). One provider per
 * `grant_type`, marked with {@link GrantType} and discovered at start-up, in whichever module of
 * the application declares it.
 *
 * By the time `handle` runs, the token endpoint has already:
 * - parsed the form strictly (RFC 6749 §3.2: no repeated parameters, empty ones dropped),
 * - authenticated the client (RFC 6749 §2.3; `context.client` is that client, never null),
 * - checked that the client is registered for this grant type (else `unauthorized_client`),
 * - verified the request's DPoP proof, if any (RFC 9449 §4.3): `context.dpopJkt` is its key.
 *
 * `handle` validates the grant-specific parameters, decides what is granted, and returns the
 * RFC 6749 §5.1 response minted by `RefreshTokenFamilies.start` or `AccessTokens.issue`. It may add
 * fields of its own to that response (RFC 6749 §5.1 allows extra parameters); the fields the
 * issuer set (access_token, token_type, expires_in, refresh_token, scope) are always the issuer's,
 * whatever the handler returns under those names. It reports every failure by throwing an
 * `OAuthError` and must leave storage unchanged when it rejects a request.
 */
export interface GrantHandler {
  /**
   * The request parameters this grant reads, for documentation and metadata. Parameters nobody
   * declared are still ignored, never refused (RFC 6749 §3.2: unrecognized parameters MUST be ignored).
   */
  readonly parameters?: readonly string[];
  handle(context: TokenRequestContext): Promise<TokenEndpointResponse>;
}

/** What the token endpoint established about a request before its grant handler runs. */
export interface TokenRequestContext {
  /** The `grant_type` of the request (the one the handler is registered for). */
  readonly grantType: string;
  /**
   * The form parameters: `get`, `has`, and `require` (a missing one is `invalid_request`). The
   * client's credentials (`client_secret`, `client_assertion`, `client_assertion_type`) are removed.
   */
  readonly params: OAuthParams;
  /** The authenticated client, as its public view (never a secret hash). */
  readonly client: OAuthClient;
  /** The request's headers (frozen), lower-case names as Node gives them, without `authorization`, `cookie` and `dpop`. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /**
   * RFC 9449: the thumbprint (RFC 7638) of the key of the request's verified DPoP proof; absent
   * without a proof. Tokens issued with it are bound to that key (`cnf.jkt`, §6).
   */
  readonly dpopJkt?: string;
}

/** Marks a provider as the handler of one `grant_type`: `@GrantType('refresh_token')`. */
export const GrantType = DiscoveryService.createDecorator<string>();
