import { Logger } from '@nestjs/common';
import { DataSource, DataSourceOptions, Migration } from 'typeorm';

const SQLITE_RETRIES = 20;

/**
 * Opens the database and applies pending migrations, safely when several instances start at once.
 * PostgreSQL: a session advisory lock (keyed by the schema) lets one instance migrate while the
 * others wait, then find nothing left to do; without it two `CREATE TABLE`s race and one instance
 * dies. SQLite: TypeORM reads the applied migrations before it opens its transaction, so a second
 * process may try to apply what the first just committed ("table already exists") or meet its write
 * lock (SQLITE_BUSY); the failed attempt rolled back whole, so it is retried and then finds the
 * migrations applied. A genuinely broken migration still fails, after the last attempt.
 */
export async function openAndMigrate(options: DataSourceOptions): Promise<DataSource> {
  const dataSource = await new DataSource({ ...options, migrationsRun: false }).initialize();
  return migrate(dataSource);
}

/**
 * The service's start-up: as openAndMigrate, but a SQLite file that cannot be opened at all
 * (SQLITE_CANTOPEN: a directory, a missing mount, no permission) is handed back unopened with the
 * reason, for DatabaseService to stop the boot with in one line. Thrown from here, the error would
 * pass through TypeOrmModule's retry logging and Nest's injector, several lines with a stack.
 */
export async function openForService(options: DataSourceOptions): Promise<DataSource> {
  const dataSource = new DataSource({ ...options, migrationsRun: false });
  try {
    await dataSource.initialize();
  } catch (error) {
    if (options.type !== 'sqlite' || (error as { code?: string }).code !== 'SQLITE_CANTOPEN') throw error;
    return Object.assign(dataSource, { openError: `cannot open the SQLite database ${options.database} (${(error as Error).message})` });
  }
  return migrate(dataSource);
}

async function migrate(dataSource: DataSource): Promise<DataSource> {
  try {
    if (dataSource.options.type === 'postgres') await ensureSchema(dataSource);
    const applied = dataSource.options.type === 'postgres' ? await migrateUnderAdvisoryLock(dataSource) : await migrateRetryingBusy(dataSource);
    // One start-up line: what this instance changed in the schema (usually nothing).
    new Logger('Database').log(applied.length === 0 ? 'migrations: schema up to date' : `migrations applied: ${applied.map((m) => m.name).join(', ')}`);
    return dataSource;
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
}

export class SchemaMissingError extends Error {
  override name = 'SchemaMissingError';
}

/**
 * `DATABASE_URL=postgres://…?schema=oauth`: creates the schema when it is missing and the user may
 * (CREATE privilege on the database); otherwise one sentence with the statement an owner must run.
 * Before the advisory lock, whose key is derived from current_schema() (NULL while it is missing).
 */
async function ensureSchema(dataSource: DataSource): Promise<void> {
  const schema = (dataSource.options as { schema?: string }).schema;
  if (!schema) return;
  const exists = async () => (await dataSource.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).length > 0;
  if (await exists()) return;
  try {
    // The name was checked against [a-z_][a-z0-9_]* (database-options.ts).
    await dataSource.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    new Logger('Database').log(`created schema ${schema}`);
  } catch (error) {
    // Two instances creating it at once: one wins (unique violation for the other), which is fine.
    if (await exists()) return;
    const [{ user }] = await dataSource.query('SELECT current_user AS user');
    const reason = (error as { code?: string }).code === '42501' ? `user ${user} may not create it` : (error as Error).message;
    throw new SchemaMissingError(`schema "${schema}" of DATABASE_URL does not exist and ${reason}: run CREATE SCHEMA ${schema} AUTHORIZATION "${user}"; as the database owner`);
  }
}

async function migrateUnderAdvisoryLock(dataSource: DataSource): Promise<Migration[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  const lockKey = "hashtext('oauth-migrations:' || current_schema())";
  try {
    await runner.query(`SELECT pg_advisory_lock(${lockKey})`);
    return await dataSource.runMigrations({ transaction: 'all' });
  } finally {
    await runner.query(`SELECT pg_advisory_unlock(${lockKey})`).catch(() => undefined);
    await runner.release();
  }
}

async function migrateRetryingBusy(dataSource: DataSource): Promise<Migration[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await dataSource.runMigrations({ transaction: 'all' });
    } catch (error) {
      if (!/SQLITE_BUSY|already exists/.test(String((error as Error).message)) || attempt >= SQLITE_RETRIES) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}
