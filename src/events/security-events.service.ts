import { Injectable, Logger } from '@nestjs/common';
import type { SecurityEvent } from './security-event';

type Listener = (event: SecurityEvent) => void;

/**
 * A rotation is the normal course of every token request: at `log` level it costs a formatted
 * console line per request (measured in docs/readme/issue-6.md), so it is `debug`. Attacks and
 * failures stay loud; listeners (metrics) still see every event.
 */
const LEVELS: Partial<Record<SecurityEvent['type'], 'warn' | 'debug'>> = {
  token_rotated: 'debug',
  reuse_detected: 'warn',
  client_auth_failed: 'warn',
};

/** One place where security events are emitted; logs them and fans them out (e.g. to metrics). */
@Injectable()
export class SecurityEvents {
  private readonly logger = new Logger('SecurityEvents');
  private readonly listeners: Listener[] = [];

  emit(event: SecurityEvent): void {
    this.logger[LEVELS[event.type] ?? 'log']({ msg: 'security_event', ...event });
    for (const listener of this.listeners) listener(event);
  }

  subscribe(listener: Listener): void {
    this.listeners.push(listener);
  }
}
