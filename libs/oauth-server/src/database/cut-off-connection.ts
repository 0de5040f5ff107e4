import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import type { SqlExecutor } from './sql-executor';

/**
 * SQLite's one connection as a unit of work sees it, with a switch to cut it off (review M1): a
 * unit refused at its deadline while `fn` still awaits something else is rolled back and the queue
 * released at once; from then on every statement `fn` still makes fails here, instead of running
 * on the shared connection in autocommit mode or inside the next unit's transaction.
 */
export class CutOffConnection {
  readonly sql: SqlExecutor;
  readonly manager: EntityManager;
  private cutOffError?: Error;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(dataSource: DataSource, runner: QueryRunner, sql: SqlExecutor) {
    this.sql = {
      all: (statement, params) => this.guarded(() => sql.all(statement, params)),
      run: (statement, params) => this.guarded(() => sql.run(statement, params)),
    };
    // TypeORM's repositories reach the connection through their runner's query(); the rest of the
    // runner (its transaction state) is the shared one's.
    const guardedQuery = (...args: Parameters<QueryRunner['query']>) => this.guarded(() => runner.query(...args));
    const guardedRunner = new Proxy(runner, { get: (target, property, receiver) => (property === 'query' ? guardedQuery : Reflect.get(target, property, receiver)) });
    this.manager = dataSource.createEntityManager(guardedRunner);
  }

  /** No statement starts after this; resolves once those already sent have settled (SQLite bounds each by busy_timeout). */
  async cutOff(error: Error): Promise<void> {
    this.cutOffError = error;
    await Promise.allSettled([...this.inFlight]);
  }

  private guarded<T>(statement: () => Promise<T>): Promise<T> {
    if (this.cutOffError) return Promise.reject(this.cutOffError);
    const pending = statement();
    this.inFlight.add(pending);
    const done = () => this.inFlight.delete(pending);
    pending.then(done, done);
    return pending;
  }
}
