/** RFC 6749 §5.1 successful response. `refresh_token` is absent where a grant issues none. */
export type TokenResponse = {
  access_token: string;
  /** RFC 9449 §5: "DPoP" when the access token is bound to a DPoP key. */
  token_type: 'Bearer' | 'DPoP';
  expires_in: number;
  refresh_token?: string;
  scope: string;
};

/** What a grant handler answers: the §5.1 response, plus any extra fields of the grant (§5.1). */
export type TokenEndpointResponse = TokenResponse & Record<string, unknown>;

/** The §5.1 fields only the issuer sets; a handler's own fields can never replace them. */
export const ISSUED_RESPONSE_FIELDS = ['access_token', 'token_type', 'expires_in', 'refresh_token', 'scope'] as const;
