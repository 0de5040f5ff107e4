import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DatabaseService } from '../../database/database.service';
import { DatabaseClock } from './database-clock.service';

/**
 * A lease row per scheduled job, so exactly one instance performs a step. Taking it is one
 * conditional UPDATE ("mine already, or expired"), whose affected-row count says who won: the same
 * statement on SQLite (several processes may share the file) and PostgreSQL. An instance that dies
 * holding the lease loses it when it expires, and the next instance carries on.
 *
 * Expiry is written and compared with the DATABASE's clock inside the statement, never this
 * instance's: with its own clock, an instance running fast wrote expires_at = its now + TTL, far in
 * everyone else's future, and kept the lease for as long as its clock was off (review H1).
 */
@Injectable()
export class SchedulerLease {
  /** This process's holder id; never reused, so a restarted instance does not inherit a lease. */
  readonly holder = randomUUID();

  constructor(
    private readonly database: DatabaseService,
    private readonly databaseClock: DatabaseClock,
  ) {}

  async tryAcquire(name: string, ttlMs: number): Promise<boolean> {
    const now = this.databaseClock.sqlNow;
    return this.database.sqlRun(async (sql) => {
      await sql.run('INSERT INTO scheduler_leases (name, holder, expires_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING', [name, '', 0]);
      const taken = await sql.run(
        `UPDATE scheduler_leases SET holder = $1, expires_at = ${now} + $2 WHERE name = $3 AND (holder = $1 OR expires_at <= ${now})`,
        [this.holder, ttlMs, name],
      );
      return taken === 1;
    });
  }
}
