import { Injectable, Logger } from '@nestjs/common';
import type { SecurityEvent } from './security-event';

type Listener = (event: SecurityEvent) => void;

/** One place where security events are emitted; logs them and fans them out (e.g. to metrics). */
@Injectable()
export class SecurityEvents {
  private readonly logger = new Logger('SecurityEvents');
  private readonly listeners: Listener[] = [];

  emit(event: SecurityEvent): void {
    const level = event.type === 'reuse_detected' || event.type === 'client_auth_failed' ? 'warn' : 'log';
    this.logger[level]({ msg: 'security_event', ...event });
    for (const listener of this.listeners) listener(event);
  }

  subscribe(listener: Listener): void {
    this.listeners.push(listener);
  }
}
