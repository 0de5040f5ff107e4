import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

export interface TestDatabase {
  url: string;
  /** The SQLite file, for tests that inspect the bytes on disk; undefined on PostgreSQL. */
  sqliteFile?: string;
  drop(): Promise<void>;
}

/**
 * A database of its own for one test file: a temp SQLite file by default, or a fresh schema in the
 * PostgreSQL at TEST_DATABASE_URL (dropped afterwards), so the same e2e suite runs on both.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const postgresUrl = process.env.TEST_DATABASE_URL;
  if (postgresUrl) return createPostgresSchema(postgresUrl);
  const dir = mkdtempSync(join(tmpdir(), 'oauth-e2e-'));
  const sqliteFile = join(dir, 'oauth.sqlite');
  return { url: `sqlite:${sqliteFile}`, sqliteFile, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

async function createPostgresSchema(baseUrl: string): Promise<TestDatabase> {
  const schema = `e2e_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  await withPg(baseUrl, (pg) => pg.query(`CREATE SCHEMA ${schema}`));
  const url = new URL(baseUrl);
  url.searchParams.set('schema', schema);
  return {
    url: url.toString(),
    drop: () => withPg(baseUrl, (pg) => pg.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)).then(() => undefined),
  };
}

async function withPg<T>(url: string, work: (pg: Client) => Promise<T>): Promise<T> {
  const pg = new Client({ connectionString: url });
  await pg.connect();
  try {
    return await work(pg);
  } finally {
    await pg.end();
  }
}
