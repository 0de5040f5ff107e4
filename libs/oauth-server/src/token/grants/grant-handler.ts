import { DiscoveryService } from '@nestjs/core';
import type { ClientEntity } from '../../clients/client.entity';
import type { OAuthParams } from '../../oauth/oauth-params';
import type { TokenResponse } from '../token-response';

/**
 * The extension point of the token endpoint (fosite's TokenEndpointHandler). One provider per
 * `grant_type`, marked with {@link GrantType} and discovered at start-up.
 *
 * By the time `handle` runs, the token endpoint has already:
 * - parsed the form strictly (RFC 6749 §3.2: no repeated parameters, empty ones dropped),
 * - authenticated the client (RFC 6749 §2.3; `client` is that client, never null),
 * - checked that the client is registered for this grant type (else `unauthorized_client`).
 *
 * - verified the request's DPoP proof, if any (RFC 9449 §4.3): `context.dpopJkt` is its key.
 *
 * `handle` validates the grant-specific parameters, decides what is granted, and returns the
 * RFC 6749 §5.1 response, using `TokenIssuer` to mint tokens. It reports every failure by
 * throwing an `OAuthError` and must leave storage unchanged when it rejects a request.
 */
export interface GrantHandler {
  handle(params: OAuthParams, client: ClientEntity, context?: GrantContext): Promise<TokenResponse>;
}

/**
 * What the token endpoint established about the request besides the client, before the grant ran.
 * Grants never parse proofs: they receive the verified result and decide what to bind.
 */
export interface GrantContext {
  /**
   * RFC 9449: the thumbprint (RFC 7638) of the key of the request's verified DPoP proof; absent
   * without a proof. Access tokens issued in this request are bound to it (`cnf.jkt`, §6).
   */
  dpopJkt?: string;
}

/** Marks a provider as the handler of one `grant_type`: `@GrantType('refresh_token')`. */
export const GrantType = DiscoveryService.createDecorator<string>();
