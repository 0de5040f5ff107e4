import { applyDecorators, Controller, UseGuards } from '@nestjs/common';
import { RateLimited } from '../rate-limit/rate-limited.decorator';
import type { AddressLimit } from '../rate-limit/rate-limits.service';
import { OAuthFormGuard } from './oauth-form.guard';

/**
 * A controller under /oauth: its routes get the OAuth rate limits and the strict form parser, bound
 * to them (issue 10 item 3), in this order: the address is charged, then the body is read, then the
 * handlers' own guards (ClientAuthGuard) run. Use it for every OAuth controller; `limit` picks the
 * per-IP counter (the authorization endpoint has its own, lower one).
 */
export function OAuthController(limit: AddressLimit = 'oauth'): ClassDecorator {
  return applyDecorators(Controller('oauth'), RateLimited(limit), UseGuards(OAuthFormGuard));
}
