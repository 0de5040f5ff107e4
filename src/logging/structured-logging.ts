import type { INestApplication } from '@nestjs/common';
import pinoHttp from 'pino-http';
import { JsonLogger } from './json-logger.service';
import { pinoHttpOptions } from './pino-http-options';

/**
 * The real server's logs: an access-log line per request (pino-http) and Nest's own records (boot,
 * security events, errors) as JSON lines, the ones made during a request carrying its request id.
 * Returns the logger for main.ts to hand its boot logger to.
 */
export function useStructuredLogging(app: INestApplication, logLevel: string): JsonLogger {
  const http = pinoHttp(pinoHttpOptions(logLevel));
  const logger = new JsonLogger(http.logger);
  app.use((req: Parameters<typeof http>[0], res: Parameters<typeof http>[1], next: () => void) => {
    http(req, res);
    logger.requestLogger.run(req.log, next);
  });
  app.useLogger(logger);
  return logger;
}
