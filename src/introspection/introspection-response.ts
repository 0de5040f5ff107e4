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
  /** "Bearer" for access tokens; "refresh_token" for refresh tokens, which are no access token type. */
  token_type: 'Bearer' | 'DPoP' | 'refresh_token';
  /** RFC 9449 §6.2 (RFC 7800): the key a DPoP-bound token is bound to. */
  cnf?: { jkt: string };
}

export const INACTIVE: IntrospectionResponse = Object.freeze({ active: false });
