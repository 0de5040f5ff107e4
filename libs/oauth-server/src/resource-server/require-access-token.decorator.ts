import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata, UseGuards } from '@nestjs/common';
import type { AccessTokenClaims } from '../token-status/access-token-verifier.service';
import { ACCESS_TOKEN_CLAIMS, AccessTokenGuard } from './access-token.guard';
import { REQUIRED_SCOPE } from './required-scope';

/** One decorator per protected route or controller: `@RequireAccessToken('read')`. */
export function RequireAccessToken(scope?: string): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(REQUIRED_SCOPE, scope), UseGuards(AccessTokenGuard));
}

/** The verified claims of the request's access token, in a handler behind `@RequireAccessToken`. */
export const AccessTokenClaimsOf = createParamDecorator((_data: unknown, context: ExecutionContext): AccessTokenClaims => {
  return context.switchToHttp().getRequest()[ACCESS_TOKEN_CLAIMS];
});
