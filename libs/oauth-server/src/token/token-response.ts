/** RFC 6749 §5.1 successful response. `refresh_token` is absent where a grant issues none. */
export interface TokenResponse {
  access_token: string;
  /** RFC 9449 §5: "DPoP" when the access token is bound to a DPoP key. */
  token_type: 'Bearer' | 'DPoP';
  expires_in: number;
  refresh_token?: string;
  scope: string;
}
