import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { unavailabilityReason } from '../database/database-unavailable';
import { OAuthError } from '../oauth/oauth-error';
import type { AccessTokenClaims } from '../token-status/access-token-verifier.service';
import { AccessTokenRequestVerifier } from './access-token-request-verifier.service';
import { REQUIRED_SCOPE } from './required-scope';

/** The request property where the guard leaves the verified claims (read them with `@AccessTokenClaimsOf()`). */
export const ACCESS_TOKEN_CLAIMS = 'accessTokenClaims';

/** Protects a route of an API: a valid Bearer token, or a DPoP-bound token with its proof (RFC 9449 §7). */
@Injectable()
export class AccessTokenGuard implements CanActivate {
  constructor(
    private readonly verifier: AccessTokenRequestVerifier,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Request & { [ACCESS_TOKEN_CLAIMS]?: AccessTokenClaims }>();
    const scope = this.reflector.getAllAndOverride<string | undefined>(REQUIRED_SCOPE, [context.getHandler(), context.getClass()]);
    try {
      req[ACCESS_TOKEN_CLAIMS] = await this.verifier.verifyAccessTokenRequest(req, scope);
    } catch (error) {
      // A database outage while checking revocation is a 503 the client may retry, not the host's 500.
      const reason = unavailabilityReason(error);
      throw reason === undefined ? error : OAuthError.temporarilyUnavailable(reason);
    }
    return true;
  }
}
