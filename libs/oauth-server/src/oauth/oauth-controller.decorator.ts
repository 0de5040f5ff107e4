import { applyDecorators, Controller, UseGuards } from '@nestjs/common';
import { CorsErrorsGuard } from '../cors/cors-errors.guard';
import { RateLimited } from '../rate-limit/rate-limited.decorator';
import type { AddressLimit } from '../rate-limit/rate-limits.service';
import { OAuthFormGuard } from './oauth-form.guard';
import { FORM_BODY } from './request-body';
import { OAuthRoutes } from './oauth-routes.decorator';

/**
 * A controller under /oauth: its routes get the OAuth error bodies, the OAuth rate limits and the
 * strict form parser, bound to them (issue 10 item 3, issue 14), in this order: CORS headers for
 * errors raised before client authentication, the address is charged, then the body is read, then
 * the handlers' own guards (ClientAuthGuard) run. Use it for every OAuth controller; `limit` picks
 * the per-IP counter (the authorization endpoint has its own, lower one).
 */
export function OAuthController(limit: AddressLimit = 'oauth'): ClassDecorator {
  return applyDecorators(Controller('oauth'), FORM_BODY, OAuthRoutes(), UseGuards(CorsErrorsGuard), RateLimited(limit), UseGuards(OAuthFormGuard));
}
