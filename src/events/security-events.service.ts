import { Injectable, Logger } from '@nestjs/common';
import type { SecurityEvent, SecurityEventType } from './security-event';

type Listener = (event: SecurityEvent) => void;

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
  client_auth_failed: 'warn',
  client_auth_failure_alarm: 'warn',
  admin_auth_failed: 'warn',
};

/** One place where security events are emitted; logs them, counts them and fans them out. */
@Injectable()
export class SecurityEvents {
  private readonly logger = new Logger('SecurityEvents');
  private readonly listeners: Listener[] = [];
  private readonly counts = new Map<SecurityEventType, number>();

  emit(event: SecurityEvent): void {
    this.counts.set(event.type, (this.counts.get(event.type) ?? 0) + 1);
    this.logger[LEVELS[event.type] ?? 'log']({ msg: 'security_event', ...event });
    for (const listener of this.listeners) listener(event);
  }

  subscribe(listener: Listener): void {
    this.listeners.push(listener);
  }

  /** Events of `type` emitted by this process since start. */
  count(type: SecurityEventType): number {
    return this.counts.get(type) ?? 0;
  }
}
