/**
 * RFC 7591 §2 `token_endpoint_auth_method` values this service implements: RFC 6749 §2.3.1 secrets,
 * `none` for public clients, and RFC 7523 §2.2 / OpenID Connect Core §9 `private_key_jwt`.
 * `client_secret_jwt` is deliberately absent: it needs the secret itself as the HMAC key, and only
 * its SHA-256 is stored (docs/client-authentication.md).
 */
export const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'none', 'private_key_jwt'] as const;
export type ClientAuthMethod = (typeof CLIENT_AUTH_METHODS)[number];

/** RFC 7521 §4.2 / RFC 7523 §2.2: the one assertion type accepted as client authentication. */
export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** JWS algorithms accepted for client assertions: asymmetric only, never `none` or HMAC (no algorithm confusion). */
export const CLIENT_ASSERTION_ALGORITHMS = ['ES256', 'EdDSA', 'Ed25519', 'RS256', 'PS256'] as const;
