import type { LoggerService } from '@nestjs/common';

/** Nest's log levels: one method each on a LoggerService. */
export type NestLogLevel = 'log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal';

/** The pino level a Nest level is written at (pino has no `log` nor `verbose`). */
export function pinoLevelOf(level: NestLogLevel): 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal' {
  return level === 'log' ? 'info' : level === 'verbose' ? 'trace' : level;
}

/**
 * Nest's LoggerService as one `write(level, …)`: the service's loggers differ in where a record goes,
 * not in the six methods Nest calls, so a subclass overrides a method only to change its level.
 */
export abstract class LeveledLogger implements LoggerService {
  log(message: unknown, ...params: unknown[]): void {
    this.write('log', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('verbose', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  protected abstract write(level: NestLogLevel, message: unknown, params: unknown[]): void;
}
