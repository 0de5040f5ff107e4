import { Inject, Injectable, Logger } from '@nestjs/common';
import { rateLimitConfig, RateLimitConfig } from '../config/rate-limit.config';
import { OAuthError } from '../oauth/oauth-error';
import { failOpen } from './fail-open';
import { RATE_LIMIT_STORE, RateLimitStore } from './rate-limit-store';

/** Which per-IP counter a route is charged to (see docs/hardening.md, "Quota model"). */
export type AddressLimit = 'oauth' | 'authorize';

/**
 * The quotas of the OAuth endpoints, written once: a per-IP counter (per route family) charged
 * before any work and refunded for a confidential client's success, and a per-client quota
 * charged once the client is authenticated. A limit of 0 is no limit. When the store is down the
 * request is served (fail open), loudly: a limiter outage must not take every token request down.
 */
@Injectable()
export class RateLimits {
  private readonly logger = new Logger(RateLimits.name);

  constructor(
    @Inject(RATE_LIMIT_STORE) private readonly store: RateLimitStore,
    @Inject(rateLimitConfig.KEY) private readonly config: RateLimitConfig,
  ) {}

  /** Counts one request from `address`; throws slow_down over the limit. Returns the key to refund, if charged. */
  async chargeAddress(limit: AddressLimit, address: string): Promise<string | undefined> {
    const max = limit === 'authorize' ? this.config.authorizePerIp : this.config.perIp;
    if (!this.config.enabled || max === 0) return undefined;
    // 'ip' keeps the key of earlier versions, so counters survive a rolling upgrade.
    const key = `${limit === 'authorize' ? 'authorize_ip' : 'ip'}:${address}`;
    await this.charge(key, max, `over the per-IP limit of ${max} per ${this.config.window}s`);
    return key;
  }

  /**
   * Takes back the charge of a request that turned out to be an authenticated client's success.
   * Never awaited by the caller and never rejects: it runs after the grant committed (a rotation,
   * a consumed code), so a slow limiter must not hold that answer, or the client times out and
   * retries a token that is already used (review H2).
   */
  refund(key: string): void {
    void failOpen(this.logger, 'request not limited', undefined, () => this.store.refund(key));
  }

  /**
   * Counts one request of an authenticated client against its own quota. A public client (`none`)
   * "authenticates" with its client_id alone, which its app publishes: a quota shared by all its
   * users could be spent by anyone, locking every user out (review H4). Its quota is therefore kept
   * per (client, address); pass `address` for it, and only for it.
   */
  async chargeClient(clientId: string, address?: string): Promise<void> {
    const max = this.config.perClient;
    if (!this.config.enabled || max === 0) return;
    const key = address === undefined ? `client:${clientId}` : `client:${clientId}:${address}`;
    await this.charge(key, max, `over the per-client limit of ${max} per ${this.config.window}s`);
  }

  private async charge(key: string, max: number, debug: string): Promise<void> {
    const window = this.config.window * 1000;
    const record = await failOpen(this.logger, 'request not limited', undefined, () => this.store.increment(key, window, max, window, key.slice(0, key.indexOf(':'))));
    if (record?.isBlocked) throw OAuthError.slowDown(record.timeToBlockExpire, debug);
  }
}
