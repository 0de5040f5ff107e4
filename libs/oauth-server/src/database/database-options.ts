import { resolve } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import { LoginRequestEntity } from '../authorize/login-request.entity';
import { PushedAuthorizationRequestEntity } from '../authorize/pushed-authorization-request.entity';
import { ClientEntity } from '../clients/client.entity';
import { AuthorizationCodeEntity } from '../token/grants/authorization-code/authorization-code.entity';
import { SigningKeyEntity } from '../token/keys/signing-key.entity';
import { RevokedAccessTokenEntity } from '../token-status/revoked-access-token.entity';
import { RefreshTokenEntity } from '../token/refresh-tokens/refresh-token.entity';
import { ServerSecretEntity } from '../token/refresh-tokens/server-secret.entity';
import { TokenFamilyEntity } from '../token/refresh-tokens/token-family.entity';
import { migrations } from './migrations';
import { secureSqliteFiles } from './sqlite-file-modes';

/** Every entity of the library: register them in a host's own DataSource (`database.dataSourceName`). */
export const OAUTH_SERVER_ENTITIES: Function[] = [
  ClientEntity,
  TokenFamilyEntity,
  RefreshTokenEntity,
  SigningKeyEntity,
  RevokedAccessTokenEntity,
  LoginRequestEntity,
  AuthorizationCodeEntity,
  ServerSecretEntity,
  PushedAuthorizationRequestEntity,
];

/** The library's migrations in order; a host's own DataSource runs them (`database.dataSourceName`). */
export const OAUTH_SERVER_MIGRATIONS: Function[] = migrations;

export interface DatabaseSettings {
  url: string;
  sqliteSynchronous?: 'FULL' | 'NORMAL';
  /** DATABASE_TIMEOUT in ms: the driver-side bounds of one unit of work (default 5 s). */
  timeoutMs?: number;
}

/** One set of entities and migrations for both drivers; the URL picks the driver. */
export function buildDataSourceOptions(settings: DatabaseSettings): DataSourceOptions {
  // Migrations run at start-up through openAndMigrate() (run-migrations.ts), under a lock; the
  // TypeORM CLI (data-source.ts) must not apply them merely by connecting (`migration:show`).
  const timeoutMs = settings.timeoutMs ?? 5000;
  const common = { entities: OAUTH_SERVER_ENTITIES, migrations, migrationsRun: false, synchronize: false, logging: false } as const;
  if (settings.url.startsWith('sqlite:')) {
    const database = sqlitePath(settings.url);
    // Directory 0700, files 0600 whatever the umask: the file holds the signing keys.
    if (database !== ':memory:') secureSqliteFiles(database);
    return {
      ...common,
      type: 'sqlite',
      database,
      // WAL lets readers run beside the one writer; busy_timeout waits out another process's write
      // lock instead of failing; synchronous=FULL fsyncs each commit so that an acknowledged
      // rotation survives a power cut, not only a process crash (NORMAL trades that for speed).
      // (synchronous is set by DatabaseService once the connection is open.)
      // busy_timeout is DATABASE_TIMEOUT: a lock held longer is answered 503, not waited out.
      enableWAL: true,
      busyTimeout: timeoutMs,
      driver: sqlite3WithoutTrace(),
    };
  }
  const url = new URL(settings.url);
  const schema = url.searchParams.get('schema') ?? undefined;
  url.searchParams.delete('schema');
  if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error('DATABASE_URL schema must match [a-z_][a-z0-9_]*');
  // search_path as well as TypeORM's `schema`, so that hand-written SQL resolves to the same tables.
  // Every wait is bounded (issue 13, item 2): acquiring a pooled connection, each statement on the
  // server (statement_timeout), a transaction left open (idle_in_transaction_session_timeout), and
  // the answer itself on the client side (query_timeout: a frozen server never cancels anything).
  const extra = {
    max: 10,
    connectionTimeoutMillis: timeoutMs,
    statement_timeout: timeoutMs,
    idle_in_transaction_session_timeout: timeoutMs * 2,
    query_timeout: timeoutMs + 1000,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  };
  return { ...common, type: 'postgres', url: url.toString(), schema, extra };
}

/**
 * TypeORM calls `sqlite3.verbose()`, which wraps every database call to capture a stack trace and
 * `util.inspect` its arguments: about a tenth of the server's CPU time per token request (see
 * docs/readme/issue-6.md). Handing TypeORM the module with `verbose()` as a no-op keeps the plain
 * driver; SQL errors still carry the statement through TypeORM's QueryFailedError.
 */
function sqlite3WithoutTrace(): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sqlite3 = require('sqlite3') as object;
  return Object.create(sqlite3, { verbose: { value: () => sqlite3 } });
}

function sqlitePath(url: string): string {
  const path = url.slice('sqlite:'.length).replace(/^\/\//, '');
  return path === ':memory:' ? path : resolve(path);
}
