import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata, UseFilters, UseGuards } from '@nestjs/common';
import type { AccessTokenClaims } from '../token-status/access-token-verifier.service';
import { AccessTokenErrorFilter } from './access-token-error.filter';
import { ACCESS_TOKEN_CLAIMS, AccessTokenGuard } from './access-token.guard';
import { REQUIRED_SCOPE } from './required-scope';

/**
 * One decorator per protected route or controller: `@RequireAccessToken('read')`. It brings its own
 * filter for the guard's refusals: on a host's route no OAuth filter is global, and Nest's default
 * would answer them 500 without the RFC 6750 §3 challenge.
 */
export function RequireAccessToken(scope?: string): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(REQUIRED_SCOPE, scope), UseGuards(AccessTokenGuard), UseFilters(AccessTokenErrorFilter));
}

/** The verified claims of the request's access token, in a handler behind `@RequireAccessToken`. */
export const AccessTokenClaimsOf = createParamDecorator((_data: unknown, context: ExecutionContext): AccessTokenClaims => {
  return context.switchToHttp().getRequest()[ACCESS_TOKEN_CLAIMS];
});
