import { Injectable, Logger } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { Clock, DatabaseAvailability, DatabaseService } from 'nest-oauth-server';

const CHECK_TIMEOUT_MS = 2000;
/** How long a failure of real work keeps readiness down when nothing has succeeded since. */
const RECENT_FAILURE_WINDOW_MS = 5000;
/**
 * How long one probe's outcome answers every readiness request. /health/ready is unauthenticated
 * and unthrottled: without this, each hit was a write transaction (the SQLite writer queue and an
 * fsync), so a flood of probes slowed rotations down (review H3). One probe per second is plenty
 * for a load balancer.
 */
export const READINESS_CACHE_MS = 1000;
/** What an unauthenticated caller learns of a failure: not the driver's text (hosts, paths, SQL). */
const UNAVAILABLE = 'database unavailable';

interface Outcome {
  up: boolean;
  message?: string;
}

/**
 * Readiness of the storage: the database answers, and every migration this build knows is applied
 * (an instance of a newer build must not take traffic on an older schema).
 */
@Injectable()
export class DatabaseHealthIndicator {
  private readonly logger = new Logger('Health');
  private migrationsApplied = false;
  private probing?: Promise<Outcome>;
  private lastProbe?: { at: number; outcome: Outcome };

  constructor(
    private readonly database: DatabaseService,
    private readonly availability: DatabaseAvailability,
    private readonly indicators: HealthIndicatorService,
    private readonly clock: Clock,
  ) {}

  /**
   * Can a rotation commit now? A write probe in a transaction (SELECT 1 passed with a full disk or
   * a read-only file while every refresh failed), and no unavailability error of real work in the
   * last few seconds without a success since (a one-row probe may pass while larger commits fail).
   */
  async reachable(): Promise<HealthIndicatorResult> {
    const check = this.indicators.check('database');
    const outcome = await this.probe();
    return outcome.up ? check.up() : check.down({ message: outcome.message });
  }

  /**
   * The write probe, single-flight (concurrent requests share one) and its outcome reused for
   * READINESS_CACHE_MS: at most about one heartbeat write per second per instance, whatever the
   * request rate.
   */
  private probe(): Promise<Outcome> {
    const now = this.clock.now();
    const age = this.lastProbe ? now - this.lastProbe.at : Infinity;
    // A clock that went back does not keep a stale outcome forever.
    if (this.lastProbe && age >= 0 && age < READINESS_CACHE_MS) return Promise.resolve(this.lastProbe.outcome);
    this.probing ??= this.runProbe().then((outcome) => {
      this.lastProbe = { at: this.clock.now(), outcome };
      this.probing = undefined;
      return outcome;
    });
    return this.probing;
  }

  private async runProbe(): Promise<Outcome> {
    try {
      await withTimeout(this.database.probeWrite());
      if (this.availability.recentlyFailing(RECENT_FAILURE_WINDOW_MS)) return { up: false, message: 'recent database work failed as unavailable' };
      return { up: true };
    } catch (error) {
      this.logger.warn(`readiness: the database write probe failed: ${(error as Error).message}`);
      return { up: false, message: UNAVAILABLE };
    }
  }

  async migrated(): Promise<HealthIndicatorResult> {
    const check = this.indicators.check('migrations');
    try {
      // Once applied, migrations cannot become pending again in this process: ask only until then.
      if (!this.migrationsApplied) {
        const pending = await withTimeout(this.database.run(() => this.database.dataSource.showMigrations(), { probe: true }));
        this.migrationsApplied = !pending;
      }
      return this.migrationsApplied ? check.up() : check.down({ message: 'migrations pending' });
    } catch (error) {
      this.logger.warn(`readiness: the migrations check failed: ${(error as Error).message}`);
      return check.down({ message: UNAVAILABLE });
    }
  }
}

function withTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
