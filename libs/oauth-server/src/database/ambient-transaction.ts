import { AsyncLocalStorage } from 'node:async_hooks';
import type { EntityManager } from 'typeorm';
import type { SqlExecutor } from './sql-executor';
import type { UnitOfWork } from './unit-of-work';

/** One name for every level: savepoints nest strictly (calls of one level run one at a time), so the innermost is always meant. */
const SAVEPOINT = 'unit_of_work';

/**
 * The open transaction of a `Transactions.run()` (fosite's MaybeBeginTx): the connection its
 * statements go through, its deadline, and the work to do once it has committed. Storage calls
 * made inside `run` find it in AsyncLocalStorage and use its connection instead of queueing for
 * one of their own: on SQLite's single queue that second entry would wait for the first forever,
 * and on PostgreSQL a second pooled connection would commit on its own.
 */
export class AmbientTransaction {
  private closed = false;
  /** Rolled back at its deadline while `fn` still ran (review M1): its later calls must fail, not start units of their own. */
  private cut = false;
  /** A failed statement that no savepoint undid: PostgreSQL would turn the COMMIT into a ROLLBACK without a word. */
  private failure?: unknown;
  private readonly committed: (() => void)[] = [];

  constructor(
    readonly unit: UnitOfWork,
    readonly manager: EntityManager,
    readonly sql: SqlExecutor,
    private readonly abortsOnError: boolean,
    /** A failing afterCommit callback is reported here: the unit did commit, so it must not be reported as failed. */
    private readonly callbackFailed: (error: unknown) => void,
  ) {}

  /** True while calls carrying it must come here: open, or cut off (they then fail the unit's check). */
  get joinable(): boolean {
    return !this.closed || this.cut;
  }

  /** Rolled back under `fn`'s feet: nothing of it commits, and what `fn` still calls fails. */
  cutOff(): void {
    this.cut = true;
    this.close(false);
  }

  /** A read: on PostgreSQL its failure poisons the transaction, so it is remembered and the commit refused. */
  async read<T>(work: () => Promise<T>): Promise<T> {
    this.unit.check();
    try {
      return await work();
    } catch (error) {
      if (this.abortsOnError) this.failure ??= error;
      throw error;
    }
  }

  /**
   * Work of its own inside the transaction, undone alone (ROLLBACK TO SAVEPOINT) when it throws, as
   * if it had been a transaction of its own. `lazy`: the savepoint is taken at the first write
   * through `sql` (reads cost nothing extra); a failure before it is a failed read.
   */
  async savepoint<T>(work: (sql: SqlExecutor) => Promise<T>, lazy = false): Promise<T> {
    this.unit.check();
    let taken = false;
    const take = async () => {
      this.unit.check();
      await this.sql.run(`SAVEPOINT ${SAVEPOINT}`, []);
      taken = true;
    };
    const sql: SqlExecutor = {
      all: (statement, params) => this.sql.all(statement, params),
      run: async (statement, params) => {
        if (!taken) await take();
        return this.sql.run(statement, params);
      },
    };
    if (!lazy) await take();
    let result: T;
    try {
      result = await work(sql);
    } catch (error) {
      if (!taken) {
        if (this.abortsOnError) this.failure ??= error;
        throw error;
      }
      try {
        await this.sql.run(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`, []);
        await this.sql.run(`RELEASE SAVEPOINT ${SAVEPOINT}`, []);
      } catch (rollbackError) {
        this.failure ??= rollbackError;
      }
      throw error;
    }
    if (taken) await this.sql.run(`RELEASE SAVEPOINT ${SAVEPOINT}`, []);
    return result;
  }

  /** `callback` runs once the transaction committed; never if it rolls back. */
  afterCommit(callback: () => void): void {
    this.committed.push(callback);
  }

  /** Just before COMMIT: throws what must stop it. */
  beforeCommit(): void {
    if (this.failure !== undefined) throw this.failure;
    this.unit.beforeCommit();
  }

  /** The transaction ended (`committed`: it did). Later calls that still carry it start their own. */
  close(committed: boolean): void {
    this.closed = true;
    if (!committed) return;
    for (const callback of this.committed.splice(0)) {
      try {
        callback();
      } catch (error) {
        this.callbackFailed(error);
      }
    }
  }
}

/**
 * One level of nesting: the calls made at one level run one after another (a connection runs one
 * statement at a time). Each level keeps the afterCommit work registered at it until it ends, so
 * that a savepoint rolled back discards its own work only, never a sibling's registered while it
 * ran (review M5: `Promise.all([families.start(..), failingCall().catch(..)])`).
 */
export class AmbientLevel {
  tail: Promise<unknown> = Promise.resolve();
  private readonly callbacks: (() => void)[] = [];
  private outcome?: 'kept' | 'undone';

  /** `parent`: the level whose call opened this one; none at the top (its work is the transaction's). */
  constructor(
    readonly transaction: AmbientTransaction,
    private readonly parent?: AmbientLevel,
  ) {}

  afterCommit(callback: () => void): void {
    if (this.parent === undefined) return this.transaction.afterCommit(callback);
    if (this.outcome === 'undone') return;
    if (this.outcome === 'kept') return this.parent.afterCommit(callback);
    this.callbacks.push(callback);
  }

  /** The call of this level ended: its work goes to the parent level if it was kept, else nowhere. */
  end(kept: boolean): void {
    this.outcome = kept ? 'kept' : 'undone';
    const callbacks = this.callbacks.splice(0);
    if (kept) for (const callback of callbacks) this.parent!.afterCommit(callback);
  }
}

const storage = new AsyncLocalStorage<AmbientLevel>();

/** The open transaction of the `Transactions.run()` this code runs in, if any. */
export function currentLevel(): AmbientLevel | undefined {
  const level = storage.getStore();
  return level?.transaction.joinable ? level : undefined;
}

/** Runs `work` at `level`'s turn, with a fresh level for the calls `work` itself makes. */
export function atLevel<T>(level: AmbientLevel, work: () => Promise<T>): Promise<T> {
  const inner = () => {
    const own = new AmbientLevel(level.transaction, level);
    return storage.run(own, work).then(
      (result) => (own.end(true), result),
      (error: unknown) => {
        own.end(false);
        throw error;
      },
    );
  };
  const result = level.tail.then(inner, inner);
  level.tail = result.catch(() => undefined);
  return result;
}

/** Runs `work` with `transaction` as the ambient transaction. */
export function withTransaction<T>(transaction: AmbientTransaction, work: () => Promise<T>): Promise<T> {
  return storage.run(new AmbientLevel(transaction), work);
}
