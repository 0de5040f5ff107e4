import { Inject, Injectable } from '@nestjs/common';
import { rateLimitConfig, RateLimitConfig } from '../config/rate-limit.config';
import { RATE_LIMIT_STORE, RateLimitStore } from './rate-limit-store';

const FAILURES = 'auth_failures';

/**
 * Counts failed client authentications per claimed client_id; past the limit within the window,
 * that client id (and only it) is refused for RATE_LIMIT_AUTH_FAILURE_BLOCK seconds. Unknown ids
 * are counted alike, so the limiter reveals nothing about which ids exist.
 */
@Injectable()
export class ClientAuthFailures {
  constructor(
    @Inject(RATE_LIMIT_STORE) private readonly store: RateLimitStore,
    @Inject(rateLimitConfig.KEY) private readonly config: RateLimitConfig,
  ) {}

  async record(clientId: string): Promise<void> {
    if (!this.config.enabled) return;
    const { window, authFailures, authFailureBlock } = this.config;
    await this.store.increment(key(clientId), window * 1000, authFailures, authFailureBlock * 1000, FAILURES);
  }

  /** Seconds the client id stays refused; 0 when it may authenticate. */
  blockedFor(clientId: string): Promise<number> {
    return this.config.enabled ? this.store.blockedFor(key(clientId)) : Promise.resolve(0);
  }
}

function key(clientId: string): string {
  return `${FAILURES}:${clientId}`;
}
