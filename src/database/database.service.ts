import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { databaseConfig, DatabaseConfig } from '../config/database.config';

/**
 * Runs units of work in one transaction. TypeORM's SQLite driver shares one connection between
 * all callers, so concurrent transactions there would nest into each other's savepoints; on SQLite
 * every unit of work is therefore queued (SQLite has one writer anyway). PostgreSQL uses its pool.
 */
@Injectable()
export class DatabaseService implements OnModuleInit {
  private queue: Promise<unknown> = Promise.resolve();
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

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (!this.isSqlite) return this.dataSource.transaction(work);
    return this.serialized(() => this.dataSource.transaction(work));
  }

  /** A read or single statement that must not run inside another caller's open SQLite transaction. */
  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (!this.isSqlite) return work(this.dataSource.manager);
    return this.serialized(() => work(this.dataSource.manager));
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work, work);
    this.queue = result.catch(() => undefined);
    return result;
  }
}
