import { Injectable, Logger } from '@nestjs/common';
import type { SecurityEvent, SecurityEventType } from './security-event';

type Listener = (event: SecurityEvent) => unknown;

/**
 * A rotation is the normal course of every token request: at `log` level it costs a formatted
 * console line per request (measured in docs/readme/issue-6.md), so it is `debug`. Attacks and
 * failures stay loud; listeners (metrics) still see every event.
 */
const LEVELS: Partial<Record<SecurityEvent['type'], 'warn' | 'debug'>> = {
  token_rotated: 'debug',
  tokens_issued: 'debug',
  code_reuse_detected: 'warn',
  reuse_detected: 'warn',
  retry_refused: 'warn',
  client_auth_failed: 'warn',
  client_auth_failure_alarm: 'warn',
  admin_auth_failed: 'warn',
};

/**
 * One place where security events are emitted; logs them, counts them and fans them out.
 *
 * `emit` never throws. Events are emitted after a rotation or a code exchange has committed: if a
 * listener (or the logger) threw there, the client would get a 500 for a rotation that happened,
 * retry with its old token and lose its family to reuse detection. So every listener runs on its
 * own, a failing one is logged (once per listener and event type, not per request) and neither
 * the request nor the other listeners notice.
 */
@Injectable()
export class SecurityEvents {
  private readonly logger = new Logger('SecurityEvents');
  private readonly listeners: Listener[] = [];
  private readonly counts = new Map<SecurityEventType, number>();

  /** Listener and event type pairs whose failure was logged already. */
  private readonly reportedFailures = new Set<string>();

  emit(event: SecurityEvent): void {
    this.counts.set(event.type, (this.counts.get(event.type) ?? 0) + 1);
    this.isolated('logger', event, () => this.logger[LEVELS[event.type] ?? 'log']({ msg: 'security_event', ...event }));
    this.listeners.forEach((listener, index) => this.isolated(`listener ${index}`, event, () => listener(event)));
  }

  subscribe(listener: Listener): void {
    this.listeners.push(listener);
  }

  private isolated(name: string, event: SecurityEvent, run: () => unknown): void {
    try {
      const result = run();
      // An async listener's rejection would otherwise be an unhandled rejection (a crash on Node 20).
      if (result instanceof Promise) result.catch((error: unknown) => this.reportFailure(name, event, error));
    } catch (error) {
      this.reportFailure(name, event, error);
    }
  }

  private reportFailure(name: string, event: SecurityEvent, error: unknown): void {
    const key = `${name}:${event.type}`;
    if (this.reportedFailures.has(key)) return;
    this.reportedFailures.add(key);
    // The error's name only: an event carries no secrets, but a listener's error message might.
    try {
      this.logger.error({ msg: 'security_event_listener_failed', listener: name, type: event.type, error: (error as Error)?.name ?? typeof error });
    } catch {
      // Nothing left to tell: the logger itself is what fails.
    }
  }

  /** Events of `type` emitted by this process since start. */
  count(type: SecurityEventType): number {
    return this.counts.get(type) ?? 0;
  }
}
