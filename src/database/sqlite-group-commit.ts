import type { SqlExecutor } from './sql-executor';

type Work<T> = (sql: SqlExecutor) => Promise<T>;

interface Unit {
  work: Work<unknown>;
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
 */
export class SqliteGroupCommit {
  private collecting?: Unit[];

  constructor(
    private readonly sql: () => SqlExecutor,
    private readonly schedule: (task: () => Promise<void>) => void,
  ) {}

  transaction<T>(work: Work<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const unit: Unit = { work, resolve: resolve as (value: unknown) => void, reject };
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

  private async commit(group: Unit[]): Promise<void> {
    const sql = this.sql();
    const results: unknown[] = [];
    try {
      await sql.run('BEGIN', []);
      for (const unit of group) results.push(await unit.work(sql));
      await sql.run('COMMIT', []);
    } catch (error) {
      await sql.run('ROLLBACK', []).catch(() => undefined);
      if (group.length === 1) return group[0].reject(error);
      for (const unit of group) await this.commit([unit]);
      return;
    }
    group.forEach((unit, index) => unit.resolve(results[index]));
  }
}
