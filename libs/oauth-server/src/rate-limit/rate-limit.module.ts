import { Global, Inject, Module, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Clock } from '../common/clock';
import { rateLimitConfig, RateLimitConfig } from '../config/rate-limit.config';
import { AdminAuthFailures } from './admin-auth-failures.service';
import { ClientAuthFailures } from './client-auth-failures.service';
import { MemoryRateLimitStore } from './memory-rate-limit.store';
import { RATE_LIMIT_STORE, RateLimitStore } from './rate-limit-store';
import { RateLimits } from './rate-limits.service';
import { RedisRateLimitStore } from './redis-rate-limit.store';

const storeProvider = {
  provide: RATE_LIMIT_STORE,
  inject: [rateLimitConfig.KEY, Clock],
  useFactory: (config: RateLimitConfig, clock: Clock): RateLimitStore =>
    config.redisUrl ? new RedisRateLimitStore(config.redisUrl, config.redisPrefix) : new MemoryRateLimitStore(clock),
};

/**
 * Abuse limits; counters in Redis when REDIS_URL is set, else in memory. Nothing here is bound to a
 * path: routes get their limits with `@RateLimited()` (the OAuth controllers through
 * `@OAuthController()`), client authentication records its failures, the admin guard its own.
 */
@Global()
@Module({
  providers: [storeProvider, RateLimits, ClientAuthFailures, AdminAuthFailures],
  exports: [RateLimits, ClientAuthFailures, AdminAuthFailures],
})
export class RateLimitModule implements OnModuleInit, OnModuleDestroy {
  constructor(@Inject(RATE_LIMIT_STORE) private readonly store: RateLimitStore) {}

  async onModuleInit(): Promise<void> {
    await this.store.open();
  }

  /** A factory-made store gets no lifecycle hooks of its own: close its timer or connection here. */
  async onModuleDestroy(): Promise<void> {
    await this.store.close();
  }
}
