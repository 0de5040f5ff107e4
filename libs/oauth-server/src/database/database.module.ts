import { DynamicModule, Global, Module } from '@nestjs/common';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ConfigurationError } from '../config/configuration-error';
import { databaseConfig, DatabaseConfig } from '../config/database.config';
import { OAUTH_SERVER_DATA_SOURCE } from './data-source-name';
import { DatabaseAvailability } from './database-availability';
import { buildDataSourceOptions } from './database-options';
import { DatabaseService } from './database.service';
import { Transactions } from './transactions.service';
import { openForService } from './run-migrations';

const CONNECTION_ERRORS = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|Connection terminated|the database system is (starting up|shutting down)|too many clients/;

function isConnectionError(error: unknown): boolean {
  const text = `${(error as { code?: string })?.code ?? ''} ${(error as Error)?.message ?? ''}`;
  return CONNECTION_ERRORS.test(text) || (error instanceof AggregateError && error.errors.some(isConnectionError));
}

/**
 * The library's own named DataSource from `database.url` (migrated at start-up), or, with
 * `database.dataSourceName`, the host's DataSource of that name under the library's token (the
 * host registers OAUTH_SERVER_ENTITIES and OAUTH_SERVER_MIGRATIONS in it and runs them).
 *
 * A host DataSource must be PostgreSQL (review M2): TypeORM's SQLite driver has ONE connection, so
 * the host's queries would run inside the library's open transactions (a host INSERT during a
 * group commit that is then rolled back is silently undone; a host `transaction()` fails with
 * "cannot start a transaction within a transaction"), and the library's queue would not order them.
 */
export function dataSourceModule(hostDataSourceName?: string): DynamicModule {
  if (hostDataSourceName !== undefined) {
    return {
      module: HostDataSourceModule,
      global: true,
      providers: [
        {
          provide: getDataSourceToken(OAUTH_SERVER_DATA_SOURCE),
          inject: [getDataSourceToken(hostDataSourceName)],
          useFactory: (host: DataSource) => {
            if (host.options.type !== 'postgres') {
              throw new ConfigurationError(
                `database.dataSourceName: the DataSource "${hostDataSourceName}" is ${host.options.type}; a host DataSource must be PostgreSQL (on SQLite use database.url, the library's own connection)`,
              );
            }
            return host;
          },
        },
      ],
      exports: [getDataSourceToken(OAUTH_SERVER_DATA_SOURCE)],
    };
  }
  return TypeOrmModule.forRootAsync({
    name: OAUTH_SERVER_DATA_SOURCE,
    inject: [databaseConfig.KEY],
    // SQLite: a file that cannot be opened will not open on the next try either, so fail at once
    // in one line. PostgreSQL may be starting beside us: only an unreachable server is worth
    // waiting for (a failed migration or a missing schema fails the boot at once); each retry is
    // one log line (main.ts's logger).
    useFactory: (config: DatabaseConfig) => ({
      ...buildDataSourceOptions(config),
      ...(config.url.startsWith('sqlite:')
        ? { retryAttempts: 0 }
        : { retryAttempts: config.connectRetries, retryDelay: config.connectRetryDelayMs, toRetry: isConnectionError }),
      // openForService initializes the DataSource itself (or hands it back unopened, see there).
      manualInitialization: true,
    }),
    dataSourceFactory: (options) => openForService(options!),
  });
}

@Module({})
class HostDataSourceModule {}

@Global()
@Module({
  providers: [DatabaseService, DatabaseAvailability, Transactions],
  exports: [DatabaseService, DatabaseAvailability, Transactions],
})
export class DatabaseModule {}
