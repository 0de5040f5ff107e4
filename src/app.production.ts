import type { INestApplication } from '@nestjs/common';
import type { Environment } from './config/environment';
import { enableGracefulShutdown } from './lifecycle/graceful-shutdown';
import type { JsonLogger } from './logging/json-logger.service';
import { useStructuredLogging } from './logging/structured-logging';

/**
 * What only the real server process gets (main.ts), not the e2e apps: JSON logs through pino and
 * signal handling. Create the app with `bufferLogs: true` so that start-up records go through pino too.
 */
export function configureProduction(app: INestApplication, env: Environment): JsonLogger {
  const logger = useStructuredLogging(app, env.LOG_LEVEL);
  enableGracefulShutdown(app, env.SHUTDOWN_TIMEOUT);
  return logger;
}
