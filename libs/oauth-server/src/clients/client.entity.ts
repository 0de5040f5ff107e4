import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMs } from '../database/epoch-ms.transformer';
import type { ClientAuthMethod } from './client-auth-method';
import { ClientSecret } from './client-secret';

@Entity('oauth_clients')
export class ClientEntity {
  @PrimaryColumn({ name: 'client_id', type: 'varchar', length: 64 })
  clientId: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  /** SHA-256 of the secret (see client-secret.ts); null for public clients. */
  @Column({ name: 'secret_hash', type: 'varchar', length: 64, nullable: true })
  secretHash: string | null;

  @Column({ name: 'token_endpoint_auth_method', type: 'varchar', length: 32 })
  tokenEndpointAuthMethod: ClientAuthMethod;

  @Column({ name: 'grant_types', type: 'simple-json' })
  grantTypes: string[];

  /** Space-delimited scope the client may be granted (RFC 6749 §3.3). */
  @Column({ type: 'text', default: '' })
  scope: string;

  @Column({ name: 'redirect_uris', type: 'simple-json' })
  redirectUris: string[];

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt: number;

  @Column({ name: 'disabled_at', type: 'bigint', nullable: true, transformer: epochMs })
  disabledAt: number | null;

  /**
   * The last disable: tokens issued before it stay inactive after an enable (RFC 7662 §2.2,
   * "active" means currently valid; a disable ended them). Kept by enable.
   */
  @Column({ name: 'tokens_valid_after', type: 'bigint', nullable: true, transformer: epochMs })
  tokensValidAfter: number | null;

  /** May call the introspection endpoint (RFC 7662 §2.1: it MUST require authorization). */
  @Column({ name: 'allow_introspection', type: 'boolean', default: false })
  allowIntrospection: boolean;

  /**
   * Browser origins allowed to call the token and revocation endpoints (RFC 7591-style
   * `allowed_cors_origins`); validated by `corsOriginProblem`, compared exactly with `Origin`.
   * No entity-level default: on PostgreSQL TypeORM would RETURN the column's default after an
   * insert and merge the raw text "[]" into the entity, bypassing simple-json (the migration gives
   * existing rows their default).
   */
  @Column({ name: 'allowed_cors_origins', type: 'simple-json' })
  allowedCorsOrigins: string[];

  allowsOrigin(origin: string): boolean {
    return this.allowedCorsOrigins.includes(origin);
  }

  /** The secret replaced by `clients:rotate-secret --keep-old-for`: its hash, accepted until the expiry. */
  @Column({ name: 'previous_secret_hash', type: 'varchar', length: 64, nullable: true })
  previousSecretHash: string | null;

  /**
   * RFC 9449 §5.2 `dpop_bound_access_tokens`: every token request of this client must carry a
   * DPoP proof, and its refresh tokens are bound to the key like a public client's.
   */
  @Column({ name: 'dpop_bound_access_tokens', type: 'boolean', default: false })
  dpopBoundAccessTokens: boolean;

  @Column({ name: 'previous_secret_expires_at', type: 'bigint', nullable: true, transformer: epochMs })
  previousSecretExpiresAt: number | null;

  /** RFC 9126 §6: the authorization endpoint accepts this client's requests only through PAR. */
  @Column({ name: 'require_pushed_authorization_requests', type: 'boolean', default: false })
  requirePushedAuthorizationRequests: boolean;

  /** private_key_jwt: the client's public JWK Set as JSON text (validated public-only at registration). */
  @Column({ type: 'text', nullable: true })
  jwks: string | null;

  /** private_key_jwt: where the client's public JWK Set is fetched (https; see JwksFetcher). */
  @Column({ name: 'jwks_uri', type: 'varchar', length: 2048, nullable: true })
  jwksUri: string | null;

  /** For an unknown client id: the same work as secretMatches, against the dummy digest; never true. */
  static secretCheckForUnknownClient(secret: string): boolean {
    ClientSecret.matches(secret, ClientSecret.DUMMY_HASH);
    return false;
  }

  get isConfidential(): boolean {
    return this.tokenEndpointAuthMethod !== 'none';
  }

  /** Authenticates with a signed JWT (RFC 7523 §2.2), never with a secret. */
  get usesAssertion(): boolean {
    return this.tokenEndpointAuthMethod === 'private_key_jwt';
  }

  /**
   * The presented secret is the current one, or the previous one before its overlap ends. Always
   * one digest and two constant-time comparisons (ClientSecret.matches), whatever matches.
   */
  secretMatches(secret: string, now: number): boolean {
    const previousLive = this.previousSecretHash != null && this.previousSecretExpiresAt != null && now < this.previousSecretExpiresAt;
    const matches = ClientSecret.matches(secret, this.secretHash ?? ClientSecret.DUMMY_HASH, previousLive ? this.previousSecretHash! : undefined);
    return matches && this.secretHash !== null;
  }

  allowsGrant(grantType: string): boolean {
    return this.grantTypes.includes(grantType);
  }
}
