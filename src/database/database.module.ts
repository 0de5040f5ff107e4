import { Global, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { databaseConfig, DatabaseConfig } from '../config/database.config';
import { DatabaseAvailability } from './database-availability';
import { buildDataSourceOptions } from './database-options';
import { DatabaseService } from './database.service';
import { requestSignalMiddleware } from './request-signal';
import { openForService } from './run-migrations';

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [databaseConfig.KEY],
      // SQLite: a file that cannot be opened will not open on the next try either, so fail at
      // once in one line (Nest's default is nine silent retries, ~25 s). PostgreSQL may be
      // starting beside us: a few quick retries.
      useFactory: (config: DatabaseConfig) => ({
        ...buildDataSourceOptions(config),
        ...(config.url.startsWith('sqlite:') ? { retryAttempts: 0 } : { retryAttempts: 5, retryDelay: 1000 }),
        // openForService initializes the DataSource itself (or hands it back unopened, see there).
        manualInitialization: true,
      }),
      dataSourceFactory: (options) => openForService(options!),
    }),
  ],
  providers: [DatabaseService, DatabaseAvailability],
  exports: [DatabaseService, DatabaseAvailability],
})
export class DatabaseModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    // Database work of a request is refused before COMMIT once its client has gone (UnitOfWork).
    consumer.apply(requestSignalMiddleware).forRoutes('*');
  }
}
