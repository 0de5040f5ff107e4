import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../../database/database.service';

/**
 * The database server's clock, one clock shared by every instance: the signing-key schedule and its
 * lease are decided by it, so one instance whose own clock is fast cannot hold the lease forever or
 * retire a key the others still need (review H1). Same expressions as RetentionRepository.databaseNow.
 */
@Injectable()
export class DatabaseClock {
  constructor(private readonly database: DatabaseService) {}

  /** An SQL expression for "now" in epoch milliseconds, evaluated by the database. */
  get sqlNow(): string {
    return this.database.isSqlite
      ? "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"
      : '(extract(epoch from clock_timestamp()) * 1000)::bigint';
  }

  async now(): Promise<number> {
    const [row] = (await this.database.run((manager) => manager.query(`SELECT ${this.sqlNow} AS now`))) as { now: string | number }[];
    return Number(row.now);
  }
}
