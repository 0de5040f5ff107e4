/** RFC 6749 §5.1 successful response. `refresh_token` is absent where a grant issues none. */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token?: string;
  scope: string;
}
