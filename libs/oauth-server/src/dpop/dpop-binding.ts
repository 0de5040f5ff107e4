/**
 * RFC 9449 §5: refresh tokens of public clients MUST be bound to the DPoP key; those of
 * confidential clients are already sender-constrained by client authentication and are not,
 * unless the client registered `dpop_bound_access_tokens` (§5.2), which asks for DPoP throughout.
 * The one place this policy is written.
 */
export function bindsRefreshTokens(client: { readonly isConfidential: boolean; readonly dpopBoundAccessTokens: boolean }): boolean {
  return !client.isConfidential || client.dpopBoundAccessTokens;
}
