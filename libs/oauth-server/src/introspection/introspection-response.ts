/** RFC 7662 §2.2. An inactive token is described by nothing but `active: false`. */
export type IntrospectionResponse = { active: false } | ActiveTokenIntrospection;

export interface ActiveTokenIntrospection {
  active: true;
  scope: string;
  client_id: string;
  sub: string;
  exp: number;
  iat: number;
  iss: string;
  aud: string | string[];
  jti: string;
  /**
   * RFC 7662 §2.2: "type of the token as defined in Section 5.1 of OAuth 2.0", i.e. a value of the
   * OAuth Access Token Types registry: "Bearer", or "DPoP" (RFC 9449 §6) for a bound access token;
   * omitted for refresh tokens, which are no access token and have no registered type (a made-up
   * "refresh_token" could be read by a resource server as a token type it should accept).
   */
  token_type?: 'Bearer' | 'DPoP';
  /** RFC 9449 §6.2 (RFC 7800): the key a DPoP-bound token is bound to. */
  cnf?: { jkt: string };
}

export const INACTIVE: IntrospectionResponse = Object.freeze({ active: false });
