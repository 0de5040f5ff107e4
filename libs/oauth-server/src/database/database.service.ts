import { randomInt } from 'node:crypto';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { OAUTH_SERVER_DATA_SOURCE } from './data-source-name';
import type { Database } from 'sqlite3';
import { DataSource, EntityManager, EntityTarget, ObjectLiteral, QueryRunner } from 'typeorm';
import { databaseConfig, DatabaseConfig } from '../config/database.config';
import { AmbientTransaction, atLevel, currentLevel, withTransaction } from './ambient-transaction';
import { DatabaseAvailability } from './database-availability';
import { DatabaseUnavailableError, unavailabilityReason } from './database-unavailable';
import { CutOffConnection } from './cut-off-connection';
import { currentRequestSignal } from './request-signal';
import type { SqlExecutor } from './sql-executor';
import { SqliteGroupCommit } from './sqlite-group-commit';
import { SqliteStatements } from './sqlite-statements';
import { UnitOfWork } from './unit-of-work';

/** A PostgreSQL transaction chosen as a deadlock victim (or a serialization failure) is re-run this often. */
const POSTGRES_RETRIES = 3;
/** Heartbeat rows of instances silent this long are removed (an instance rewrites its own every probe). */
const HEARTBEAT_ROW_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * Runs units of work in one transaction. TypeORM's SQLite driver shares one connection between
 * all callers, so concurrent transactions there would nest into each other's savepoints; on SQLite
 * every unit of work is therefore queued (SQLite has one writer anyway). PostgreSQL uses its pool.
 *
 * Every unit is bounded by DATABASE_TIMEOUT, from the moment it is asked for (queueing included),
 * and refused before COMMIT once its deadline passed or its HTTP client disconnected (UnitOfWork).
 * Errors that mean the database is unavailable are recorded once per episode (DatabaseAvailability)
 * and answered 503 by the exception filter.
 *
 * Inside `unitOfWork(fn)` (public as `Transactions.run`) every method here joins that open
 * transaction instead: no queue entry (which on SQLite would wait behind `fn` forever), no
 * connection of its own (which on PostgreSQL would commit outside it), the same deadline; each
 * joined write is a savepoint, so that one failing call is undone alone, as it would be on its own.
 */
@Injectable()
export class DatabaseService implements OnModuleInit, OnModuleDestroy {
  private queue: Promise<unknown> = Promise.resolve();
  private sqliteStatements?: SqliteStatements;
  /** The read connection (sqlRead), opened at the first read; null where there is none (an in-memory database). */
  private sqliteReader?: Promise<{ db: Database; statements: SqliteStatements } | null>;
  private readonly groupCommit = new SqliteGroupCommit(
    () => this.statements(),
    (task) => void this.serialized(task),
  );
  readonly isSqlite: boolean;
  /** This instance's heartbeat row (1 is the migration's row, left to the sweep). */
  private readonly heartbeatId = randomInt(2, 2 ** 31 - 1);
  private heartbeatsSwept = false;
  private readonly logger = new Logger(DatabaseService.name);

  constructor(
    @InjectDataSource(OAUTH_SERVER_DATA_SOURCE) readonly dataSource: DataSource,
    @Inject(databaseConfig.KEY) private readonly config: DatabaseConfig,
    readonly availability: DatabaseAvailability,
  ) {
    this.isSqlite = dataSource.options.type === 'sqlite';
  }

  async onModuleInit(): Promise<void> {
    const openError = (this.dataSource as { openError?: string }).openError;
    if (openError) throw new Error(openError);
    if (this.isSqlite) await this.dataSource.query(`PRAGMA synchronous = ${this.config.sqliteSynchronous}`);
    // A database we cannot write to (a read-only file or mount, a standby) would answer every
    // rotation 503 while reads pass: refuse to start, in one line, instead (issue 13, item 4).
    await this.probeWrite().catch((error: unknown) => {
      if (unavailabilityReason(error) !== 'read_only') return;
      throw new Error(`the database at DATABASE_URL is read-only (${(error as Error).message}); the service needs to write`);
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.queue;
    await this.sqliteStatements?.finalizeAll();
    this.sqliteStatements = undefined;
    const reader = await this.sqliteReader?.catch(() => null);
    this.sqliteReader = undefined;
    if (reader) {
      await reader.statements.finalizeAll();
      await new Promise<void>((resolve) => reader.db.close(() => resolve()));
    }
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const level = currentLevel();
    if (level) return atLevel(level, () => level.transaction.savepoint(() => work(level.transaction.manager)));
    return this.bounded((unit) => {
      if (!this.isSqlite) return this.postgresTransaction(unit, (runner) => work(runner.manager), false);
      return this.serialized(() => {
        unit.check();
        return this.dataSource.transaction(async (manager) => {
          const result = await work(manager);
          unit.beforeCommit();
          return result;
        });
      });
    });
  }

  /**
   * A read that must not run inside another caller's open SQLite transaction. Reads only: a write
   * here would commit on its own, past the deadline or after the client left (an UPDATE waiting on
   * a lock commits once it gets it, though the caller was answered 503), so writes go through
   * `transaction()` / `sqlTransaction()` / `sqlRun()`, which refuse them before COMMIT (review M3).
   * `probe`: a health check, not recorded in DatabaseAvailability (see probeWrite).
   */
  run<T>(work: (manager: EntityManager) => Promise<T>, { probe = false } = {}): Promise<T> {
    const level = probe ? undefined : currentLevel();
    if (level) return atLevel(level, () => level.transaction.read(() => work(level.transaction.manager)));
    return this.bounded((unit) => {
      if (!this.isSqlite) {
        unit.check();
        return work(this.dataSource.manager);
      }
      return this.serialized(() => {
        unit.check();
        return work(this.dataSource.manager);
      });
    }, !probe);
  }

  /**
   * Hand-written SQL in one transaction, for hot paths (see SqlExecutor). On SQLite the statements
   * are prepared once and kept, and transactions that queue up behind each other are committed
   * together (SqliteGroupCommit): `work` may then run a second time, alone, so it must only touch
   * the database. For the same reason a PostgreSQL deadlock victim is simply run again.
   */
  sqlTransaction<T>(work: (sql: SqlExecutor) => Promise<T>): Promise<T> {
    const level = currentLevel();
    if (level) return atLevel(level, () => level.transaction.savepoint(work));
    return this.bounded((unit) => {
      if (!this.isSqlite) return this.postgresTransaction(unit, (runner) => work(postgresExecutor(runner)), true);
      return this.groupCommit.transaction(work, unit);
    });
  }

  /**
   * Hand-written SQL queued on SQLite like `run()`, outside a transaction while it only reads
   * (`all`): the hot lookups cost no BEGIN/COMMIT. Its first write (`run`) opens a transaction,
   * committed when `work` returns, and refused before that COMMIT once the deadline passed or the
   * client left, as `transaction()` is: a statement that waited out DATABASE_TIMEOUT on a lock must
   * not commit after the caller was answered 503 (review M3). `all` must therefore not write.
   */
  sqlRun<T>(work: (sql: SqlExecutor) => Promise<T>): Promise<T> {
    const level = currentLevel();
    if (level) return atLevel(level, () => level.transaction.savepoint(work, true));
    return this.bounded(async (unit) => {
      if (this.isSqlite) {
        return this.serialized(() => {
          unit.check();
          const statements = this.statements();
          return lazyTransaction(unit, work, {
            all: (sql, params) => statements.all(sql, params),
            run: (sql, params) => statements.run(sql, params),
            begin: () => statements.run('BEGIN', []).then(() => undefined),
            commit: () => statements.run('COMMIT', []).then(() => undefined),
            rollback: () => statements.run('ROLLBACK', []).then(() => undefined),
          });
        });
      }
      const runner = this.dataSource.createQueryRunner();
      try {
        await runner.connect();
        unit.check();
        const executor = postgresExecutor(runner);
        return await lazyTransaction(unit, work, {
          ...executor,
          begin: () => runner.startTransaction(),
          commit: () => runner.commitTransaction(),
          rollback: () => runner.rollbackTransaction(),
        });
      } finally {
        await runner.release();
      }
    });
  }

  /**
   * Runs `fn` in one transaction that every storage call made inside it joins (see the class
   * comment); nested, it joins the outer one (as a savepoint). Under DATABASE_TIMEOUT and the
   * request's abort signal like any unit, refused before COMMIT once either fired. Not group
   * committed and never re-run: `fn` may do more than touch the database (but no I/O: see
   * Transactions). On SQLite a refused unit is rolled back at once, `fn` still pending, so that the
   * queue does not wait for it (review M1); its connection is cut off (CutOffConnection) and its
   * ambient transaction stays joinable, so `fn`'s later calls fail instead of running elsewhere.
   */
  unitOfWork<T>(fn: () => Promise<T>): Promise<T> {
    const level = currentLevel();
    if (level) return atLevel(level, () => level.transaction.savepoint(fn));
    let transaction: AmbientTransaction | undefined;
    const inTransaction = async (manager: EntityManager, sql: SqlExecutor, unit: UnitOfWork) => {
      transaction = new AmbientTransaction(unit, manager, sql, !this.isSqlite, (error) => this.logger.error(`an afterCommit callback failed: ${(error as Error)?.stack ?? String(error)}`));
      const result = await withTransaction(transaction, fn);
      transaction.beforeCommit();
      return result;
    };
    // Closed when the transaction ended, not when the caller was answered: at a deadline `fn` may
    // still be running, and its calls must keep failing the unit's check, not start units of their own.
    const ended = <T>(outcome: Promise<T>) =>
      outcome.then(
        (result) => {
          transaction?.close(true);
          return result;
        },
        (error: unknown) => {
          transaction?.close(false);
          throw error;
        },
      );
    return this.bounded((unit) => {
      if (!this.isSqlite) return ended(this.postgresTransaction(unit, (runner) => inTransaction(runner.manager, postgresExecutor(runner), unit), false));
      return this.serialized(async () => {
        unit.check();
        const runner = this.dataSource.createQueryRunner();
        const connection = new CutOffConnection(this.dataSource, runner, this.statements());
        await runner.startTransaction();
        const settled = inTransaction(connection.manager, connection.sql, unit).then(
          (value) => ({ value }),
          (error: unknown) => ({ error }),
        );
        // The one queue is held until `fn` settles or the unit is refused, whichever comes first (review M1).
        const outcome = await Promise.race([settled, unit.refusal.then((error) => ({ error, refused: true }))]);
        if ('value' in outcome) {
          try {
            await runner.commitTransaction();
          } catch (error) {
            unit.commitFailed();
            await runner.rollbackTransaction().catch(() => undefined);
            transaction?.close(false);
            throw error;
          }
          transaction?.close(true);
          return outcome.value;
        }
        if ('refused' in outcome) {
          transaction?.cutOff();
          await connection.cutOff(outcome.error);
        } else transaction?.close(false);
        await runner.rollbackTransaction().catch(() => undefined);
        throw outcome.error;
      });
    });
  }

  /** True while this code runs inside a unit of work (its reads may see writes not yet committed). */
  get inUnitOfWork(): boolean {
    return currentLevel() !== undefined;
  }

  /** `callback` runs once the unit of work this code runs in has committed (at once outside one); never if it rolls back. */
  afterCommit(callback: () => void): void {
    const level = currentLevel();
    if (level) level.afterCommit(callback);
    else callback();
  }

  /**
   * One SELECT that does not queue behind writes (issue 17): on SQLite a second connection to the
   * same file, `query_only`, with its statements kept; in WAL mode it reads the last committed state
   * while the writer runs (and fsyncs) a commit group. On PostgreSQL one pooled query. For reads
   * that any committed state answers correctly, or whose result the dependent write checks again
   * (a rotation's conditional consume): never for a read that must see a write still in its queue.
   */
  sqlRead<Row>(sql: string, params: unknown[]): Promise<Row[]> {
    // Inside a unit of work the read joins its transaction: it must see the unit's own writes.
    if (currentLevel()) return this.sqlRun((executor) => executor.all<Row>(sql, params));
    return this.bounded(async (unit) => {
      if (!this.isSqlite) {
        unit.check();
        return this.dataSource.query(sql, params);
      }
      // A failed open (a transient error) is not kept: the next read tries again.
      const reader = await (this.sqliteReader ??= this.openReader().catch((error: unknown) => {
        this.sqliteReader = undefined;
        throw error;
      }));
      if (reader === null) return this.serialized(() => (unit.check(), this.statements().all<Row>(sql, params)));
      unit.check();
      return reader.statements.all<Row>(sql, params);
    });
  }

  private async openReader(): Promise<{ db: Database; statements: SqliteStatements } | null> {
    const file = this.dataSource.options.database as string;
    if (file === ':memory:' || file === '') return null;
    const driver = this.dataSource.driver as unknown as { sqlite: { Database: new (file: string, callback: (error: Error | null) => void) => Database } };
    const db = await new Promise<Database>((resolve, reject) => {
      const opened = new driver.sqlite.Database(file, (error) => (error ? reject(error) : resolve(opened)));
    });
    // Reads only, whatever a caller passes; a writer's lock is waited out as the main connection does.
    const pragmas = `PRAGMA query_only = ON; PRAGMA busy_timeout = ${this.config.timeoutMs}`;
    try {
      await new Promise<void>((resolve, reject) => db.exec(pragmas, (error) => (error ? reject(error) : resolve())));
    } catch (error) {
      db.close(() => undefined);
      throw error;
    }
    return { db, statements: new SqliteStatements(db) };
  }

  /**
   * A cheap write in a transaction (this instance's own row of health_heartbeat), for readiness:
   * can a rotation commit now? It takes the same queue and write lock as a rotation (but no kept
   * statement, so that the connection can always close). Not recorded in DatabaseAvailability: a
   * probe that passes must not hide larger commits that are failing, nor a failing one keep
   * readiness down. One row per instance (a random id), so instances on one PostgreSQL database
   * never wait on each other's row lock (review H3); the first probe of a process removes rows of
   * instances gone for a day, skipping every row another instance is writing.
   */
  probeWrite(): Promise<void> {
    const beat = async (manager: EntityManager) => {
      const now = Date.now();
      await manager.query('INSERT INTO health_heartbeat (id, beat_at) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET beat_at = excluded.beat_at', [this.heartbeatId, now]);
      if (this.heartbeatsSwept) return;
      await manager.query('DELETE FROM health_heartbeat WHERE id <> $1 AND beat_at < $2', [this.heartbeatId, now - HEARTBEAT_ROW_TTL_MS]);
      this.heartbeatsSwept = true;
    };
    return this.bounded((unit) => {
      if (!this.isSqlite) return this.postgresTransaction(unit, (runner) => beat(runner.manager), true);
      return this.serialized(() => {
        unit.check();
        return this.dataSource.transaction(async (manager) => {
          await beat(manager);
          unit.beforeCommit();
        });
      });
    }, false);
  }

  /** The quoted column list of an entity, for hand-written SELECTs whose rows go to `hydrate`. */
  selectList(entity: EntityTarget<ObjectLiteral>, alias?: string): string {
    const escape = (name: string) => this.dataSource.driver.escape(name);
    return this.dataSource
      .getMetadata(entity)
      .columns.map((column) => (alias ? `${alias}.${escape(column.databaseName)}` : escape(column.databaseName)))
      .join(', ');
  }

  /** An entity from a raw row, with TypeORM's own conversions (transformers, simple-json, ...). */
  hydrate<T extends ObjectLiteral>(entity: EntityTarget<T>, row: Record<string, unknown>): T {
    const metadata = this.dataSource.getMetadata(entity);
    const result = metadata.create() as T;
    for (const column of metadata.columns) {
      column.setEntityValue(result, this.dataSource.driver.prepareHydratedValue(row[column.databaseName], column));
    }
    return result;
  }

  /** One unit of work under the deadline; unavailability becomes a DatabaseUnavailableError, recorded once per episode. */
  private async bounded<T>(work: (unit: UnitOfWork) => Promise<T>, record = true): Promise<T> {
    const unit = new UnitOfWork(this.config.timeoutMs, currentRequestSignal());
    try {
      const result = await unit.race(work(unit));
      if (record) this.availability.succeeded();
      return result;
    } catch (error) {
      const reason = unavailabilityReason(error);
      if (reason === undefined) throw error;
      // A client that hung up, or a lost lock conflict, is not the database being unavailable.
      if (reason !== 'aborted' && reason !== 'conflict' && record) this.availability.failed(reason, error);
      throw error instanceof DatabaseUnavailableError ? error : new DatabaseUnavailableError(reason, (error as Error).message, error);
    }
  }

  private async postgresTransaction<T>(unit: UnitOfWork, work: (runner: QueryRunner) => Promise<T>, retryable: boolean): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const runner = this.dataSource.createQueryRunner();
      try {
        await runner.connect();
        unit.check();
        await runner.startTransaction();
        const result = await work(runner);
        unit.beforeCommit();
        await runner.commitTransaction();
        return result;
      } catch (error) {
        unit.commitFailed();
        if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
        const code = (error as { driverError?: { code?: string } }).driverError?.code;
        if (!retryable || attempt >= POSTGRES_RETRIES || unit.refused || (code !== '40P01' && code !== '40001')) throw error;
      } finally {
        await runner.release();
      }
    }
  }

  private statements(): SqliteStatements {
    // TypeORM's SQLite driver holds one node-sqlite3 Database; every caller shares it.
    this.sqliteStatements ??= new SqliteStatements((this.dataSource.driver as unknown as { databaseConnection: Database }).databaseConnection);
    return this.sqliteStatements;
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work, work);
    this.queue = result.catch(() => undefined);
    return result;
  }
}

function postgresExecutor(runner: QueryRunner): SqlExecutor {
  return {
    all: (sql, params) => runner.query(sql, params),
    run: async (sql, params) => (await runner.query(sql, params, true)).affected ?? 0,
  };
}

interface LazyTransactionExecutor extends SqlExecutor {
  begin(): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

/** Runs `work`, opening a transaction at its first write; commits it only if `unit` may still commit. */
async function lazyTransaction<T>(unit: UnitOfWork, work: (sql: SqlExecutor) => Promise<T>, executor: LazyTransactionExecutor): Promise<T> {
  let open = false;
  const sql: SqlExecutor = {
    all: (statement, params) => executor.all(statement, params),
    run: async (statement, params) => {
      if (!open) {
        unit.check();
        await executor.begin();
        open = true;
      }
      return executor.run(statement, params);
    },
  };
  try {
    const result = await work(sql);
    if (open) {
      unit.beforeCommit();
      await executor.commit();
      open = false;
    }
    return result;
  } catch (error) {
    if (open) {
      unit.commitFailed();
      await executor.rollback().catch(() => undefined);
    }
    throw error;
  }
}
