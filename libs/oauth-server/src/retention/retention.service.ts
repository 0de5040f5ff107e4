import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Clock } from '../common/clock';
import { retentionConfig, RetentionConfig } from '../config/retention.config';
import { unavailabilityReason } from '../database/database-unavailable';
import { PURGE_KINDS, PurgeKind, RetentionRepository } from './retention.repository';

/**
 * A family past its absolute lifetime is kept this much longer, so that a rotation which passed its
 * expiry check an instant before the deadline never races the delete of its own family.
 */
export const EXPIRY_GRACE_MS = 60_000;

const LOCK_CONFLICT_RETRIES = 3;

/** PostgreSQL deadlock_detected, lock_not_available (NOWAIT), serialization_failure. */
function isLockConflict(error: unknown): boolean {
  return unavailabilityReason(error) === 'conflict';
}

/**
 * Periodic cleanup, on every instance (no leader needed: batches are disjoint or serialized, see
 * RetentionRepository). Deletes families past their absolute lifetime and revoked families after
 * RETENTION_REVOKED_TTL. Consumed tokens of a live family are kept until the family ends: presenting
 * one of them is how reuse is detected (RFC 9700 §4.14.2).
 *
 * The same runs delete short-lived records past EXPIRY_GRACE_MS: login requests, authorization
 * codes (a used one only once the family it issued is revoked or deleted, RFC 6749 §4.1.2) and the
 * ids of revoked access tokens that have expired anyway.
 */
/** One batch's deletions: ended families, or expired records of one kind. */
export interface RetentionDeletion {
  kind: 'families' | PurgeKind;
  count: number;
}

export type RetentionListener = (deleted: RetentionDeletion) => void;

@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(RetentionService.name);
  private timer?: NodeJS.Timeout;
  private running: Promise<unknown> = Promise.resolve();
  /** Who counts the deletions (the service's metrics); the library itself has no metrics. */
  private readonly listeners: RetentionListener[] = [];

  constructor(
    private readonly repository: RetentionRepository,
    private readonly clock: Clock,
    @Inject(retentionConfig.KEY) private readonly config: RetentionConfig,
  ) {}

  subscribe(listener: RetentionListener): void {
    this.listeners.push(listener);
  }

  /** A failing listener must not stop a cleanup whose deletions have committed. */
  private notify(deleted: RetentionDeletion): void {
    for (const listener of this.listeners) {
      try {
        listener(deleted);
      } catch (error) {
        this.logger.warn({ msg: 'retention_listener_failed', error: (error as Error)?.message });
      }
    }
  }

  onApplicationBootstrap(): void {
    if (this.config.intervalSeconds === 0) return;
    const interval = this.config.intervalSeconds * 1000;
    // A random first delay spreads the runs of instances that were started together.
    this.timer = setTimeout(() => this.tick(interval), Math.random() * interval);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One cleanup run of at most RETENTION_MAX_BATCHES batches; returns the families deleted. */
  async runOnce(): Promise<number> {
    const now = await this.cutoffClock();
    if (now === undefined) return 0;
    const criteria = {
      expiredBefore: now - EXPIRY_GRACE_MS,
      revokedBefore: now - this.config.revokedTtlSeconds * 1000,
      limit: this.config.batchSize,
    };
    const deleted = await this.inBatches(async () => {
      const count = await this.repository.deleteEndedFamilies(criteria);
      this.notify({ kind: 'families', count });
      return count;
    });
    const records = await this.purgeExpired(now);
    if (deleted > 0 || Object.values(records).some((n) => n > 0)) {
      this.logger.log({ msg: 'retention_cleanup', deleted_families: deleted, deleted_records: records });
    }
    return deleted;
  }

  /** Deletes expired short-lived records, each kind in at most RETENTION_MAX_BATCHES batches. */
  async purgeExpired(now = this.clock.now()): Promise<Record<PurgeKind, number>> {
    const criteria = { expiredBefore: now - EXPIRY_GRACE_MS, limit: this.config.batchSize };
    const deleted = {} as Record<PurgeKind, number>;
    for (const kind of PURGE_KINDS) {
      deleted[kind] = await this.inBatches(async () => {
        const count = await this.repository.purgeExpired(kind, criteria);
        this.notify({ kind, count });
        return count;
      });
    }
    return deleted;
  }

  /**
   * "Now" for deletion cutoffs: the database's clock, shared by every instance, so that one
   * instance whose clock jumped cannot delete live families in the shared database (a +31 days jump
   * once deleted all of them). Beyond RETENTION_MAX_CLOCK_SKEW between the two clocks this
   * instance's expiry decisions are not to be trusted either: the run is refused, loudly.
   */
  private async cutoffClock(): Promise<number | undefined> {
    const local = this.clock.now();
    if (this.config.maxClockSkewSeconds === 0) return local;
    const database = await this.repository.databaseNow();
    if (Math.abs(local - database) > this.config.maxClockSkewSeconds * 1000) {
      this.logger.error(
        `retention cleanup refused: this instance's clock is ${Math.round((local - database) / 1000)} s off the database's (RETENTION_MAX_CLOCK_SKEW=${this.config.maxClockSkewSeconds}); fix the clock (NTP)`,
      );
      return undefined;
    }
    return database;
  }

  /**
   * Runs `batch` until one comes back short or RETENTION_MAX_BATCHES ran; returns the total. A batch
   * that lost a lock conflict with rotations (deadlock victim, NOWAIT) rolled back whole and is
   * retried a few times, then left for the next run: cleanup yields, client requests never do.
   */
  private async inBatches(batch: () => Promise<number>): Promise<number> {
    let total = 0;
    for (let run = 0, conflicts = 0; run < this.config.maxBatches; run++) {
      let count: number;
      try {
        count = await batch();
      } catch (error) {
        if (!isLockConflict(error) || ++conflicts > LOCK_CONFLICT_RETRIES) throw error;
        await new Promise((resolve) => setTimeout(resolve, 20 * conflicts));
        run--;
        continue;
      }
      total += count;
      if (count < this.config.batchSize) break;
    }
    return total;
  }

  private tick(interval: number): void {
    this.running = this.runOnce().catch((error: unknown) => this.logger.error(`retention cleanup failed: ${(error as Error)?.message ?? error}`));
    void this.running.finally(() => {
      if (this.timer === undefined) return;
      this.timer = setTimeout(() => this.tick(interval), interval);
      this.timer.unref();
    });
  }
}
