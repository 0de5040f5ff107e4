import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { DatabaseAvailability } from '../database/database-availability';
import { DatabaseService } from '../database/database.service';

const CHECK_TIMEOUT_MS = 2000;
/** How long a failure of real work keeps readiness down when nothing has succeeded since. */
const RECENT_FAILURE_WINDOW_MS = 5000;

/**
 * Readiness of the storage: the database answers, and every migration this build knows is applied
 * (an instance of a newer build must not take traffic on an older schema).
 */
@Injectable()
export class DatabaseHealthIndicator {
  private migrationsApplied = false;

  constructor(
    private readonly database: DatabaseService,
    private readonly availability: DatabaseAvailability,
    private readonly indicators: HealthIndicatorService,
  ) {}

  /**
   * Can a rotation commit now? A write probe in a transaction (SELECT 1 passed with a full disk or
   * a read-only file while every refresh failed), and no unavailability error of real work in the
   * last few seconds without a success since (a one-row probe may pass while larger commits fail).
   */
  async reachable(): Promise<HealthIndicatorResult> {
    const check = this.indicators.check('database');
    try {
      await withTimeout(this.database.probeWrite());
      if (this.availability.recentlyFailing(RECENT_FAILURE_WINDOW_MS)) return check.down({ message: 'recent database work failed as unavailable' });
      return check.up();
    } catch (error) {
      return check.down({ message: (error as Error).message });
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
      return check.down({ message: (error as Error).message });
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
