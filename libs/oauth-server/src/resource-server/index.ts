// The resource-server API (RFC 6750, RFC 9449 §7) for a NestJS API in the same process.
export { ResourceServerModule } from './resource-server.module';
export { RequireAccessToken, AccessTokenClaimsOf } from './require-access-token.decorator';
export { AccessTokenGuard } from './access-token.guard';
export { AccessTokenRequestVerifier } from './access-token-request-verifier.service';
export type { AccessTokenClaims } from '../token-status/access-token-verifier.service';
