import { Global, Inject, Module, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { normalizeIp, ThrottlerModule, ThrottlerModuleOptions } from '@nestjs/throttler';
import { Clock } from '../common/clock';
import { rateLimitConfig, RateLimitConfig } from '../config/rate-limit.config';
import type { OAuthRequest } from '../oauth/oauth-form.middleware';
import { ClientAuthFailures } from './client-auth-failures.service';
import { claimedClientId } from './claimed-client-id';
import { MemoryRateLimitStore } from './memory-rate-limit.store';
import { OAuthThrottlerGuard } from './oauth-throttler.guard';
import { RATE_LIMIT_STORE, RateLimitStore } from './rate-limit-store';
import { RedisRateLimitStore } from './redis-rate-limit.store';

const storeProvider = {
  provide: RATE_LIMIT_STORE,
  inject: [rateLimitConfig.KEY, Clock],
  useFactory: (config: RateLimitConfig, clock: Clock): RateLimitStore =>
    config.redisUrl ? new RedisRateLimitStore(config.redisUrl, config.redisPrefix) : new MemoryRateLimitStore(clock),
};

@Global()
@Module({ providers: [storeProvider], exports: [storeProvider] })
class RateLimitStoreModule implements OnModuleInit, OnModuleDestroy {
  constructor(@Inject(RATE_LIMIT_STORE) private readonly store: RateLimitStore) {}

  async onModuleInit(): Promise<void> {
    await this.store.open();
  }

  /** A factory-made store gets no lifecycle hooks of its own: close its timer or connection here. */
  async onModuleDestroy(): Promise<void> {
    await this.store.close();
  }
}

function throttlerOptions(config: RateLimitConfig, store: RateLimitStore): ThrottlerModuleOptions {
  const window = config.window * 1000;
  return {
    storage: store,
    setHeaders: false,
    // One counter per IP and one per client id across all OAuth endpoints, not per route.
    generateKey: (_context, tracker, name) => `${name}:${tracker}`,
    throttlers: [
      {
        name: 'ip',
        ttl: window,
        limit: config.perIp,
        // One counter per IPv6 /64 (throttler's default tracker, which a custom one must keep):
        // a host holds a whole /64, and counting each address would let it rotate past the limit.
        getTracker: (req) => (typeof req.ip === 'string' ? normalizeIp(req.ip) : 'unknown'),
        skipIf: () => config.perIp === 0,
      },
      {
        name: 'client',
        ttl: window,
        limit: config.perClient,
        getTracker: (req) => claimedClientId(req as OAuthRequest) ?? '',
        skipIf: (context) => config.perClient === 0 || claimedClientId(context.switchToHttp().getRequest<OAuthRequest>()) === undefined,
      },
    ],
  };
}

/** Abuse limits on the OAuth endpoints; counters in Redis when REDIS_URL is set, else in memory. */
@Global()
@Module({
  imports: [
    RateLimitStoreModule,
    ThrottlerModule.forRootAsync({ inject: [rateLimitConfig.KEY, RATE_LIMIT_STORE], useFactory: throttlerOptions }),
  ],
  providers: [ClientAuthFailures, { provide: APP_GUARD, useClass: OAuthThrottlerGuard }],
  exports: [ClientAuthFailures],
})
export class RateLimitModule {}
