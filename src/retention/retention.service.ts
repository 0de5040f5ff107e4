import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Clock } from '../common/clock';
import { retentionConfig, RetentionConfig } from '../config/retention.config';
import { MetricsService } from '../metrics/metrics.service';
import { PURGE_KINDS, PurgeKind, RetentionRepository } from './retention.repository';

/**
 * A family past its absolute lifetime is kept this much longer, so that a rotation which passed its
 * expiry check an instant before the deadline never races the delete of its own family.
 */
export const EXPIRY_GRACE_MS = 60_000;

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
@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(RetentionService.name);
  private timer?: NodeJS.Timeout;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly repository: RetentionRepository,
    private readonly clock: Clock,
    private readonly metrics: MetricsService,
    @Inject(retentionConfig.KEY) private readonly config: RetentionConfig,
  ) {}

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
    const now = this.clock.now();
    const criteria = {
      expiredBefore: now - EXPIRY_GRACE_MS,
      revokedBefore: now - this.config.revokedTtlSeconds * 1000,
      limit: this.config.batchSize,
    };
    const deleted = await this.inBatches(async () => {
      const count = await this.repository.deleteEndedFamilies(criteria);
      this.metrics.retentionDeletedFamilies.inc(count);
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
        this.metrics.retentionDeletedRecords.inc({ kind }, count);
        return count;
      });
    }
    return deleted;
  }

  /** Runs `batch` until one comes back short or RETENTION_MAX_BATCHES ran; returns the total. */
  private async inBatches(batch: () => Promise<number>): Promise<number> {
    let total = 0;
    for (let run = 0; run < this.config.maxBatches; run++) {
      const count = await batch();
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
