import { Inject, Injectable, Logger } from '@nestjs/common';
import { rateLimitConfig, RateLimitConfig } from '../config/rate-limit.config';
import { failOpen } from './fail-open';
import { RATE_LIMIT_STORE, RateLimitStore } from './rate-limit-store';

const FAILURES = 'admin_auth_failures';

/**
 * Wrong admin API keys per client address (IPv6 /64 as one): past RATE_LIMIT_ADMIN_AUTH_FAILURES
 * within the window the address is refused for RATE_LIMIT_AUTH_FAILURE_BLOCK seconds, whatever key
 * it sends (issue 10 item 10). Only failures count, so the login app with the right key is never
 * throttled. The store being down fails open (logged).
 */
@Injectable()
export class AdminAuthFailures {
  private readonly logger = new Logger(AdminAuthFailures.name);

  constructor(
    @Inject(RATE_LIMIT_STORE) private readonly store: RateLimitStore,
    @Inject(rateLimitConfig.KEY) private readonly config: RateLimitConfig,
  ) {}

  async record(address: string): Promise<void> {
    if (!this.config.lockout) return;
    const { window, adminAuthFailures, authFailureBlock } = this.config;
    await failOpen(this.logger, 'failure not counted', undefined, async () => {
      await this.store.increment(`${FAILURES}:${address}`, window * 1000, adminAuthFailures, authFailureBlock * 1000, FAILURES);
    });
  }

  /** Seconds the address stays refused; 0 when it may try. */
  async blockedFor(address: string): Promise<number> {
    if (!this.config.lockout) return 0;
    return failOpen(this.logger, 'request not limited', 0, () => this.store.blockedFor(`${FAILURES}:${address}`));
  }
}
