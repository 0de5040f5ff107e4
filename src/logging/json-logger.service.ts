import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger as Pino } from 'pino';
import { LeveledLogger, NestLogLevel, pinoLevelOf } from './leveled-logger';

/**
 * Nest's LoggerService over pino: one JSON line per record, carrying the request id of the request
 * it was made in (the request's child logger, kept in AsyncLocalStorage by the access-log middleware).
 * Written here because nestjs-pino 5 (the release for NestJS 12) requires Node.js 22.
 */
export class JsonLogger extends LeveledLogger {
  readonly requestLogger = new AsyncLocalStorage<Pino>();

  constructor(private readonly root: Pino) {
    super();
  }

  protected write(nestLevel: NestLogLevel, message: unknown, params: unknown[]): void {
    const level = pinoLevelOf(nestLevel);
    const logger = this.requestLogger.getStore() ?? this.root;
    if (!logger.isLevelEnabled(level)) return;
    // Nest's contract: the context is the last parameter; an error passes its stack before it.
    const record: Record<string, unknown> = {};
    if (params.length > 0) record.context = params.at(-1);
    const rest = params.slice(0, -1);
    if (level === 'error' && typeof message === 'string' && rest.length === 1 && typeof rest[0] === 'string' && /\n\s*at /.test(rest[0])) {
      const error = new Error(message);
      error.stack = rest[0];
      logger[level]({ ...record, err: error });
    } else if (message instanceof Error) logger[level]({ ...record, err: message });
    else if (typeof message === 'object' && message !== null) logger[level]({ ...record, ...message });
    else logger[level](record, String(message));
  }
}
