import { ConfigType, registerAs } from '@nestjs/config';
import { loadEnvironment } from './environment';

export const databaseConfig = registerAs('database', () => {
  const env = loadEnvironment();
  return {
    url: env.DATABASE_URL,
    sqliteSynchronous: env.SQLITE_SYNCHRONOUS,
    connectRetries: env.DATABASE_CONNECT_RETRIES,
    connectRetryDelayMs: env.DATABASE_CONNECT_RETRY_DELAY_MS,
    timeoutMs: Math.round(env.DATABASE_TIMEOUT * 1000),
    clientCacheMaxStalenessMs: env.CLIENT_CACHE_MAX_STALENESS_MS,
  };
});

export type DatabaseConfig = ConfigType<typeof databaseConfig>;
