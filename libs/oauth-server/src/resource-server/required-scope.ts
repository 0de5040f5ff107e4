/** Metadata key of the scope `@RequireAccessToken(scope)` asks for. */
export const REQUIRED_SCOPE = 'resource-server:required-scope';
