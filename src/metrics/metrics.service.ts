import { Injectable } from '@nestjs/common';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { RetentionService, type SecurityEvent, SecurityEvents } from 'nest-oauth-server';

/**
 * The Prometheus registry of one application (not prom-client's global one, so that several apps in
 * one process, as in the tests, do not collide). Security counters are fed by SecurityEvents.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  private readonly tokensIssued = this.counter('oauth_tokens_issued_total', 'Token responses issued (RFC 6749 §5.1, access token with or without refresh token), by grant type; bootstrap = tokens:issue, first_party = microservice oauth.issue', ['grant_type']);
  private readonly reuseDetected = this.counter('oauth_refresh_token_reuse_detected_total', 'Retired refresh tokens presented again and rejected (RFC 9700 §4.14.2)');
  private readonly retryServed = this.counter('oauth_refresh_token_retry_served_total', 'Retried rotations answered with the successor already issued (REFRESH_TOKEN_REUSE_INTERVAL)');
  private readonly retryRefused = this.counter('oauth_refresh_token_retry_refused_total', 'Retries inside the window refused without revoking (REFRESH_TOKEN_RETRY_LIMIT reached, successor expired)', ['reason']);
  private readonly codeReuseDetected = this.counter('oauth_authorization_code_reuse_detected_total', 'Authorization codes presented a second time (RFC 6749 §4.1.2)');
  private readonly familiesRevoked = this.counter('oauth_token_family_revocations_total', 'Token families revoked, by reason', ['reason']);
  private readonly clientAuthFailures = this.counter('oauth_client_authentication_failures_total', 'Failed client authentications at OAuth endpoints (invalid_client)');
  private readonly clientAuthFailureAlarms = this.counter('oauth_client_authentication_failure_alarms_total', 'Client ids whose failed authentications from all addresses reached RATE_LIMIT_AUTH_FAILURE_ALARM in a window (distributed guessing)');
  private readonly adminAuthFailures = this.counter('oauth_admin_authentication_failures_total', 'Requests to /admin with a wrong or missing admin API key');
  readonly retentionDeletedFamilies = this.counter('oauth_retention_deleted_families_total', 'Ended token families (with their tokens) deleted by the retention cleanup of this instance');
  readonly retentionDeletedRecords = this.counter('oauth_retention_deleted_records_total', 'Expired login requests, authorization codes, revoked access-token ids and used single-use ids (used_jtis) deleted by the retention cleanup of this instance', ['kind']);
  readonly requestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency, by method, route and status code',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  constructor(events: SecurityEvents, retention: RetentionService) {
    collectDefaultMetrics({ register: this.registry });
    events.subscribe((event) => this.count(event));
    retention.subscribe(({ kind, count }) => (kind === 'families' ? this.retentionDeletedFamilies.inc(count) : this.retentionDeletedRecords.inc({ kind }, count)));
  }

  /** Every counter of this service lives in this app's registry (see the class comment). */
  private counter<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  private count(event: SecurityEvent): void {
    switch (event.type) {
      // Only tokens_issued counts issuance: family_created and token_rotated precede one of them.
      case 'tokens_issued':
        return this.tokensIssued.inc({ grant_type: event.grantType });
      case 'retry_served':
        return this.retryServed.inc();
      case 'retry_refused':
        // Two reasons, chosen by the code.
        return this.retryRefused.inc({ reason: event.reason });
      case 'reuse_detected':
        return this.reuseDetected.inc();
      case 'code_reuse_detected':
        return this.codeReuseDetected.inc();
      case 'family_revoked':
        // Reasons are a small fixed set chosen by the code, safe as a label.
        return this.familiesRevoked.inc({ reason: event.reason });
      case 'client_families_revoked':
        return event.count > 0 ? this.familiesRevoked.inc({ reason: event.reason }, event.count) : undefined;
      case 'client_auth_failed':
        return this.clientAuthFailures.inc();
      case 'client_auth_failure_alarm':
        return this.clientAuthFailureAlarms.inc();
      case 'admin_auth_failed':
        return this.adminAuthFailures.inc();
    }
  }
}
