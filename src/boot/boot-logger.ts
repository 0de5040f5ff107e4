import type { LoggerService } from '@nestjs/common';
import pino from 'pino';
import { LeveledLogger, NestLogLevel, pinoLevelOf } from '../logging/leveled-logger';
import { pinoHttpOptions } from '../logging/pino-http-options';

/**
 * Nest's own start-up chatter (every module initialised, every route mapped: ~60 lines) says nothing
 * an operator acts on; it goes to debug. What matters keeps its level: the configuration summary,
 * migrations applied, signing keys, "listening", warnings and errors.
 */
const FRAMEWORK_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication', 'NestMicroservice']);

/**
 * The logger of the real server process, from the first line on: JSON through pino, one record per
 * line (an error's stack is one field, never coloured multi-line text). Until the app exists it
 * writes through its own synchronous pino (so nothing is lost when a failed boot exits); `attach`
 * then hands every record to the app's JSON logger (which adds the request id).
 */
export class BootLogger extends LeveledLogger {
  private readonly own: pino.Logger;
  private target?: LoggerService;

  constructor(logLevel: string) {
    super();
    this.own = pino({ level: pinoHttpOptions(logLevel).level }, pino.destination({ fd: 1, sync: true }));
  }

  attach(target: LoggerService): void {
    this.target = target;
  }

  override log(message: unknown, ...params: unknown[]): void {
    this.write(FRAMEWORK_CONTEXTS.has(contextOf(params)) ? 'debug' : 'log', message, params);
  }
  override error(message: unknown, ...params: unknown[]): void {
    const context = contextOf(params);
    // Nest's ExceptionHandler reports a failed boot that main.ts reports again, in one line; a
    // database connection attempt that will be retried is a warning, not yet an error.
    this.write(context === 'ExceptionHandler' ? 'debug' : context === 'TypeOrmModule' ? 'warn' : 'error', message, params);
  }

  protected write(level: NestLogLevel, message: unknown, params: unknown[]): void {
    if (this.target) {
      this.target[level]?.(message, ...params);
      return;
    }
    const context = contextOf(params);
    // Nest passes a stack (a string) before the context on errors; keep its first line only.
    const detail = params.length > 1 && typeof params[0] === 'string' ? { error: params[0].split('\n')[0] } : {};
    const pinoLevel = pinoLevelOf(level);
    if (typeof message === 'object' && message !== null) this.own[pinoLevel]({ context, ...detail, ...message });
    else this.own[pinoLevel]({ context, ...detail }, String(message));
  }
}

function contextOf(params: unknown[]): string {
  const last = params.at(-1);
  return typeof last === 'string' ? last : '';
}

/** A failed boot: one JSON line on stderr (a synchronous write, so it is there when the process exits). */
export function writeBootFailure(message: string): void {
  pino({ level: 'fatal' }, pino.destination({ fd: 2, sync: true })).fatal({ context: 'Bootstrap' }, message);
}
