import { unavailabilityReason } from './database-unavailable';
import type { SqlExecutor } from './sql-executor';
import type { UnitOfWork } from './unit-of-work';

type Work<T> = (sql: SqlExecutor) => Promise<T>;

interface Unit {
  work: Work<unknown>;
  guard?: UnitOfWork;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** Enough to amortize a commit; small enough that one group never holds the writer for long. */
const MAX_GROUP = 64;

/**
 * Group commit for SQLite's single connection: units of work that arrive while the connection is
 * busy are run, in arrival order, in ONE transaction, so they share one BEGIN/COMMIT and, with
 * synchronous=FULL, one fsync. Each unit still resolves only after that COMMIT, so an answer is
 * never sent before its writes are durable, and each unit's writes stay atomic: a group commits
 * whole or not at all. Should a group fail, it is rolled back and its units are re-run one
 * transaction each, so one failing unit fails alone. A unit may therefore run twice: it must
 * only touch the database. A later unit sees the writes of earlier units of its group, exactly as
 * if the units had run one after another (which is how the queue ordered them anyway).
 *
 * Two exceptions to the re-run, both so that an answer of "not done" stays true and on time: a
 * group that failed because the database is unavailable (busy past busy_timeout, disk full,
 * read-only) fails all its units at once, since running each alone would wait out the busy timeout
 * once per unit (a 5 s timeout became 10 s and more); and a unit refused by its deadline or
 * its client's disconnect before COMMIT is dropped, the others committed without it.
 */
export class SqliteGroupCommit {
  private collecting?: Unit[];

  constructor(
    private readonly sql: () => SqlExecutor,
    private readonly schedule: (task: () => Promise<void>) => void,
  ) {}

  transaction<T>(work: Work<T>, guard?: UnitOfWork): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const unit: Unit = { work, guard, resolve: resolve as (value: unknown) => void, reject };
      if (this.collecting && this.collecting.length < MAX_GROUP) {
        this.collecting.push(unit);
        return;
      }
      const group = [unit];
      this.collecting = group;
      this.schedule(async () => {
        if (this.collecting === group) this.collecting = undefined;
        await this.commit(group);
      });
    });
  }

  private async commit(units: Unit[]): Promise<void> {
    const group = units.filter((unit) => !refuse(unit));
    if (group.length === 0) return;
    const sql = this.sql();
    const results: unknown[] = [];
    try {
      await sql.run('BEGIN', []);
      for (const unit of group) results.push(await unit.work(sql));
      if (group.some((unit) => unit.guard?.refused)) throw new RefusedDuringGroup();
      for (const unit of group) unit.guard?.beforeCommit();
      await sql.run('COMMIT', []);
    } catch (error) {
      for (const unit of group) unit.guard?.commitFailed();
      await sql.run('ROLLBACK', []).catch(() => undefined);
      // The others did nothing wrong: committed again without the refused units.
      if (error instanceof RefusedDuringGroup) return this.commit(group);
      if (group.length === 1 || unavailabilityReason(error) !== undefined) return group.forEach((unit) => unit.reject(error));
      for (const unit of group) await this.commit([unit]);
      return;
    }
    group.forEach((unit, index) => unit.resolve(results[index]));
  }
}

class RefusedDuringGroup extends Error {}

/** Rejects (and drops) a unit whose deadline passed or whose client left: it must not run. */
function refuse(unit: Unit): boolean {
  try {
    unit.guard?.check();
    return false;
  } catch (error) {
    unit.reject(error);
    return true;
  }
}
