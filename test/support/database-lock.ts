import { Client } from 'pg';
import type { TestDatabase } from './test-database';

export interface HeldLock {
  release(): Promise<void>;
}

/**
 * Another connection holding the write lock of the test database, as a second process or a long
 * migration would: SQLite `BEGIN EXCLUSIVE` (readers go on in WAL mode, writers wait), PostgreSQL
 * an EXCLUSIVE lock on the refresh tokens and heartbeat tables (SELECTs go on, UPDATEs wait).
 */
export async function holdWriteLock(database: TestDatabase): Promise<HeldLock> {
  if (database.sqliteFile) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const sqlite3 = require('sqlite3') as typeof import('sqlite3');
    const db = await new Promise<import('sqlite3').Database>((resolve, reject) => {
      const opened = new sqlite3.Database(database.sqliteFile!, (error) => (error ? reject(error) : resolve(opened)));
    });
    await new Promise<void>((resolve, reject) => db.exec('BEGIN EXCLUSIVE', (error) => (error ? reject(error) : resolve())));
    return {
      release: () => new Promise<void>((resolve) => db.exec('ROLLBACK', () => db.close(() => resolve()))),
    };
  }
  const url = new URL(database.url);
  const schema = url.searchParams.get('schema');
  url.searchParams.delete('schema');
  const pg = new Client({ connectionString: url.toString(), options: schema ? `-c search_path=${schema}` : undefined });
  await pg.connect();
  await pg.query('BEGIN');
  await pg.query('LOCK TABLE refresh_tokens, health_heartbeat, authorization_codes, pushed_authorization_requests IN EXCLUSIVE MODE');
  return {
    release: async () => {
      await pg.query('ROLLBACK');
      await pg.end();
    },
  };
}
