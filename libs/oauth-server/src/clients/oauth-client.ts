import type { ClientAuthMethod } from './client-auth-method';
import type { ClientEntity } from './client.entity';

/**
 * The public view of a registered client: what a grant handler (or a host) may know about it.
 * Built from the stored registration in one place, `OAuthClient.from`, and frozen; it never
 * carries the secret hashes, the key material of `private_key_jwt` or any other stored column a
 * handler has no business with.
 */
export class OAuthClient {
  readonly clientId: string;
  readonly name: string;
  /** RFC 6749 §2.3 / RFC 7591 `token_endpoint_auth_method`; `none` for a public client. */
  readonly authMethod: ClientAuthMethod;
  readonly scope: string;
  readonly grantTypes: readonly string[];
  readonly redirectUris: readonly string[];
  readonly allowedCorsOrigins: readonly string[];
  /** RFC 9449 §5.2 `dpop_bound_access_tokens`. */
  readonly dpopBoundAccessTokens: boolean;
  /** False once an operator disabled the client: nothing may be issued to it. */
  readonly enabled: boolean;

  private constructor(entity: ClientEntity) {
    this.clientId = entity.clientId;
    this.name = entity.name;
    this.authMethod = entity.tokenEndpointAuthMethod;
    this.scope = entity.scope;
    this.grantTypes = Object.freeze([...entity.grantTypes]);
    this.redirectUris = Object.freeze([...entity.redirectUris]);
    this.allowedCorsOrigins = Object.freeze([...(entity.allowedCorsOrigins ?? [])]);
    this.dpopBoundAccessTokens = entity.dpopBoundAccessTokens ?? false;
    this.enabled = entity.disabledAt === null || entity.disabledAt === undefined;
    Object.freeze(this);
  }

  static from(entity: ClientEntity): OAuthClient {
    return new OAuthClient(entity);
  }

  /** RFC 6749 §2.1: a client that cannot keep a secret authenticates with `none`. */
  get isConfidential(): boolean {
    return this.authMethod !== 'none';
  }

  allowsGrant(grantType: string): boolean {
    return this.grantTypes.includes(grantType);
  }
}
