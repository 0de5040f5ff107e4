import { Injectable, Logger } from '@nestjs/common';

/** Without a failure for this long, the next one starts a new episode (and is logged again). */
const EPISODE_QUIET_MS = 60_000;

/**
 * Whether the database has lately been able to do our work. Unavailability is logged once per
 * episode (its first failure, then one line when work succeeds again, with the count), not once
 * per request: an outage under load would otherwise write thousands of identical stack traces.
 * Readiness reads `recentlyFailing` (a write probe alone can pass while larger commits fail, e.g.
 * a nearly full disk).
 */
@Injectable()
export class DatabaseAvailability {
  private readonly logger = new Logger('Database');
  private episode?: { since: number; reason: string; failures: number };
  private lastFailureAt = 0;
  private lastSuccessAt = 0;

  failed(reason: string, error: unknown): void {
    const now = Date.now();
    if (this.episode && now - this.lastFailureAt > EPISODE_QUIET_MS) this.episode = undefined;
    this.lastFailureAt = now;
    if (this.episode) {
      this.episode.failures++;
      return;
    }
    this.episode = { since: now, reason, failures: 1 };
    this.logger.warn(`database_unavailable reason=${reason}: ${(error as Error)?.message ?? error} (503 temporarily_unavailable until it recovers; further failures are counted, not logged)`);
  }

  succeeded(): void {
    const now = Date.now();
    this.lastSuccessAt = now;
    if (!this.episode) return;
    const { since, reason, failures } = this.episode;
    this.episode = undefined;
    this.logger.warn(`database_available_again after ${now - since} ms, ${failures} failed unit(s) of work (reason=${reason})`);
  }

  /** A failure within `windowMs` and no success since. */
  recentlyFailing(windowMs: number): boolean {
    return this.lastFailureAt > this.lastSuccessAt && Date.now() - this.lastFailureAt < windowMs;
  }
}
