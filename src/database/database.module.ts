import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { databaseConfig, DatabaseConfig } from '../config/database.config';
import { buildDataSourceOptions } from './database-options';
import { DatabaseService } from './database.service';
import { openAndMigrate } from './run-migrations';

const CONNECTION_ERRORS = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|Connection terminated|the database system is (starting up|shutting down)|too many clients/;

function isConnectionError(error: unknown): boolean {
  const text = `${(error as { code?: string })?.code ?? ''} ${(error as Error)?.message ?? ''}`;
  return CONNECTION_ERRORS.test(text) || (error instanceof AggregateError && error.errors.some(isConnectionError));
}

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [databaseConfig.KEY],
      useFactory: (config: DatabaseConfig) => ({
        ...buildDataSourceOptions(config),
        // Only an unreachable server is worth waiting for; a failed migration or a missing schema
        // fails the boot at once. Each retry is one log line (main.ts's logger).
        retryAttempts: config.connectRetries,
        retryDelay: config.connectRetryDelayMs,
        toRetry: isConnectionError,
      }),
      dataSourceFactory: (options) => openAndMigrate(options!),
    }),
  ],
  providers: [DatabaseService],
  exports: [DatabaseService],
})
export class DatabaseModule {}
