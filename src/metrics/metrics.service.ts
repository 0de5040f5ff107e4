import { Injectable } from '@nestjs/common';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { SecurityEvent } from '../events/security-event';
import { SecurityEvents } from '../events/security-events.service';

/**
 * The Prometheus registry of one application (not prom-client's global one, so that several apps in
 * one process, as in the tests, do not collide). Security counters are fed by SecurityEvents.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  private readonly tokensIssued = new Counter({
    name: 'oauth_tokens_issued_total',
    help: 'Token responses issued, by grant type (bootstrap: first tokens of a family issued by the CLI or another service)',
    labelNames: ['grant_type'],
    registers: [this.registry],
  });
  private readonly reuseDetected = new Counter({
    name: 'oauth_refresh_token_reuse_detected_total',
    help: 'Retired refresh tokens presented again (RFC 9700 §4.14.2)',
    registers: [this.registry],
  });
  private readonly familiesRevoked = new Counter({
    name: 'oauth_token_family_revocations_total',
    help: 'Token families revoked, by reason',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  private readonly clientAuthFailures = new Counter({
    name: 'oauth_client_authentication_failures_total',
    help: 'Failed client authentications at OAuth endpoints (invalid_client)',
    registers: [this.registry],
  });
  readonly retentionDeletedFamilies = new Counter({
    name: 'oauth_retention_deleted_families_total',
    help: 'Ended token families (with their tokens) deleted by the retention cleanup of this instance',
    registers: [this.registry],
  });
  readonly requestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency, by method, route and status code',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  constructor(events: SecurityEvents) {
    collectDefaultMetrics({ register: this.registry });
    events.subscribe((event) => this.count(event));
  }

  private count(event: SecurityEvent): void {
    switch (event.type) {
      case 'family_created':
        return this.tokensIssued.inc({ grant_type: event.grantType });
      case 'token_rotated':
        return this.tokensIssued.inc({ grant_type: 'refresh_token' });
      case 'reuse_detected':
        return this.reuseDetected.inc();
      case 'family_revoked':
        // Reasons are a small fixed set chosen by the code, safe as a label.
        return this.familiesRevoked.inc({ reason: event.reason });
      case 'client_auth_failed':
        return this.clientAuthFailures.inc();
    }
  }
}
