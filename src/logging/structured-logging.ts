import type { INestApplication } from '@nestjs/common';
import { Logger } from 'nestjs-pino';

/** Sends Nest's own log records (bootstrap, security events, errors) through pino as JSON lines. */
export function useStructuredLogging(app: INestApplication): void {
  app.useLogger(app.get(Logger));
}
