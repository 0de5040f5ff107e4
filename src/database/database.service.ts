import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Database } from 'sqlite3';
import { DataSource, EntityManager, EntityTarget, ObjectLiteral, QueryRunner } from 'typeorm';
import { databaseConfig, DatabaseConfig } from '../config/database.config';
import type { SqlExecutor } from './sql-executor';
import { SqliteGroupCommit } from './sqlite-group-commit';
import { SqliteStatements } from './sqlite-statements';

/**
 * Runs units of work in one transaction. TypeORM's SQLite driver shares one connection between
 * all callers, so concurrent transactions there would nest into each other's savepoints; on SQLite
 * every unit of work is therefore queued (SQLite has one writer anyway). PostgreSQL uses its pool.
 */
@Injectable()
export class DatabaseService implements OnModuleInit, OnModuleDestroy {
  private queue: Promise<unknown> = Promise.resolve();
  private sqliteStatements?: SqliteStatements;
  private readonly groupCommit = new SqliteGroupCommit(
    () => this.statements(),
    (task) => void this.serialized(task),
  );
  readonly isSqlite: boolean;

  constructor(
    @InjectDataSource() readonly dataSource: DataSource,
    @Inject(databaseConfig.KEY) private readonly config: DatabaseConfig,
  ) {
    this.isSqlite = dataSource.options.type === 'sqlite';
  }

  async onModuleInit(): Promise<void> {
    if (this.isSqlite) await this.dataSource.query(`PRAGMA synchronous = ${this.config.sqliteSynchronous}`);
  }

  async onModuleDestroy(): Promise<void> {
    await this.queue;
    await this.sqliteStatements?.finalizeAll();
    this.sqliteStatements = undefined;
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (!this.isSqlite) return this.dataSource.transaction(work);
    return this.serialized(() => this.dataSource.transaction(work));
  }

  /** A read or single statement that must not run inside another caller's open SQLite transaction. */
  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (!this.isSqlite) return work(this.dataSource.manager);
    return this.serialized(() => work(this.dataSource.manager));
  }

  /**
   * Hand-written SQL in one transaction, for hot paths (see SqlExecutor). On SQLite the statements
   * are prepared once and kept, and transactions that queue up behind each other are committed
   * together (SqliteGroupCommit): `work` may then run a second time, alone, so it must only touch
   * the database.
   */
  sqlTransaction<T>(work: (sql: SqlExecutor) => Promise<T>): Promise<T> {
    if (!this.isSqlite) return this.dataSource.transaction((manager) => work(postgresExecutor(manager.queryRunner!)));
    return this.groupCommit.transaction(work);
  }

  /** Hand-written SQL outside a transaction, queued on SQLite like `run()`. */
  async sqlRun<T>(work: (sql: SqlExecutor) => Promise<T>): Promise<T> {
    if (this.isSqlite) return this.serialized(() => work(this.statements()));
    const runner = this.dataSource.createQueryRunner();
    try {
      return await work(postgresExecutor(runner));
    } finally {
      await runner.release();
    }
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
