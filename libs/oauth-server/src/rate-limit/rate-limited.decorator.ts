import { applyDecorators, SetMetadata, UseGuards, UseInterceptors } from '@nestjs/common';
import { AddressLimitGuard } from './address-limit.guard';
import { ClientQuotaInterceptor } from './client-quota.interceptor';
import { ADDRESS_LIMIT } from './rate-limit-metadata';
import type { AddressLimit } from './rate-limits.service';

/**
 * Puts a controller's (or handler's) routes under the OAuth quotas: the per-IP counter `limit`,
 * the per-client quota, and the refund of a confidential client's successes (docs/hardening.md).
 * Bound to the routes themselves, never to a path prefix, so no spelling of a path reaches a
 * handler without its limits (issue 10 item 3). On a class, it runs before the handlers' guards
 * (`ClientAuthGuard`), so the address is charged before any client authentication work.
 */
export function RateLimited(limit: AddressLimit = 'oauth'): ClassDecorator & MethodDecorator {
  return applyDecorators(SetMetadata(ADDRESS_LIMIT, limit), UseGuards(AddressLimitGuard), UseInterceptors(ClientQuotaInterceptor));
}
