import { Inject, Injectable, Logger } from '@nestjs/common';
import { rateLimitConfig, RateLimitConfig } from '../config/rate-limit.config';
import { SecurityEvents } from '../events/security-events.service';
import { sha256Hex } from '../common/secure-random';
import { CLIENT_ID_SHAPE, loggableClientId } from '../logging/loggable-client-id';
import { failOpen } from './fail-open';
import { RATE_LIMIT_STORE, RateLimitStore } from './rate-limit-store';

const FAILURES = 'auth_failures';
const ALARM = 'auth_failure_alarm';

/**
 * Failed client authentications (a wrong or missing secret, an unknown or disabled id alike).
 *
 * The block is keyed on (claimed client id, client address with an IPv6 /64 as one): past
 * RATE_LIMIT_AUTH_FAILURES within the window that pair is refused for RATE_LIMIT_AUTH_FAILURE_BLOCK
 * seconds, so a guesser (or a misconfigured job) at one address never locks the legitimate client
 * out at another (issue 11 item 2). Guessing spread over many addresses is not blocked but seen: the
 * failures of a client id from all addresses are counted too, and the first to reach
 * RATE_LIMIT_AUTH_FAILURE_ALARM in a window emits `client_auth_failure_alarm` (logged, counted).
 * Unknown ids are counted alike, so the limiter reveals nothing about which ids exist.
 * The store being down fails open (logged), as everywhere in the rate limits.
 */
@Injectable()
export class ClientAuthFailures {
  private readonly logger = new Logger(ClientAuthFailures.name);

  constructor(
    @Inject(RATE_LIMIT_STORE) private readonly store: RateLimitStore,
    @Inject(rateLimitConfig.KEY) private readonly config: RateLimitConfig,
    private readonly events: SecurityEvents,
  ) {}

  async record(clientId: string, address: string): Promise<void> {
    if (!this.config.lockout) return;
    const { window, authFailures, authFailureBlock, authFailureAlarm } = this.config;
    await failOpen(this.logger, 'failure not counted', undefined, async () => {
      await this.store.increment(blockKey(clientId, address), window * 1000, authFailures, authFailureBlock * 1000, FAILURES);
      // Never blocks (no limit to pass): only counts, and exactly one failure sees the threshold.
      const all = await this.store.increment(`${ALARM}:${storable(clientId)}`, window * 1000, Number.MAX_SAFE_INTEGER, 0, ALARM);
      if (all.totalHits === authFailureAlarm) {
        this.events.emit({ type: 'client_auth_failure_alarm', clientId: loggableClientId(clientId), failures: all.totalHits, window });
      }
    });
  }

  /** Seconds the client id stays refused at this address; 0 when it may authenticate. */
  async blockedFor(clientId: string, address: string): Promise<number> {
    if (!this.config.lockout) return 0;
    return failOpen(this.logger, 'request not limited', 0, () => this.store.blockedFor(blockKey(clientId, address)));
  }
}

function blockKey(clientId: string, address: string): string {
  return `${FAILURES}:${storable(clientId)}:${address}`;
}

/** A claimed id goes into a (Redis) key only if it has our shape; anything else may be a swapped-in secret. */
function storable(clientId: string): string {
  return CLIENT_ID_SHAPE.test(clientId) ? clientId : `sha256:${sha256Hex(clientId)}`;
}
