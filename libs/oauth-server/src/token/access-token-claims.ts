/** The DI token of the host's {@link AccessTokenClaimsCustomizer}: `{ provide: ACCESS_TOKEN_CLAIMS_CUSTOMIZER, useClass: X }`. */
export const ACCESS_TOKEN_CLAIMS_CUSTOMIZER = 'nest-oauth-server:access-token-claims-customizer';

/**
 * Claims the issuer alone decides (RFC 9068 §2.2, RFC 9449 §6.1 `cnf`, the family link that
 * revocation relies on, and the granted scope): a customizer's value for them is discarded.
 */
export const PROTECTED_ACCESS_TOKEN_CLAIMS: readonly string[] = ['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti', 'client_id', 'cnf', 'scope', 'family_id'];

export type AccessTokenClaims = Record<string, unknown>;

/** What the access token being minted is for. */
export interface AccessTokenClaimsContext {
  readonly clientId: string;
  readonly subject: string;
  readonly scope: string;
  /** How the grant was obtained: `refresh_token`, `client_credentials`, an extension grant's name... */
  readonly grantType: string;
}

/**
 * A host hook that adds claims to every access token (e.g. a tenant id or roles). It receives a
 * copy of the claims the issuer made and returns the claims to sign; the protected claims
 * ({@link PROTECTED_ACCESS_TOKEN_CLAIMS}) keep the issuer's values whatever it returns. It runs
 * before anything is committed, so a throw fails the request and leaves storage unchanged.
 */
export interface AccessTokenClaimsCustomizer {
  customize(claims: AccessTokenClaims, context: AccessTokenClaimsContext): AccessTokenClaims | Promise<AccessTokenClaims>;
}
