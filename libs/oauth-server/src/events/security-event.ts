/**
 * Security-relevant facts, logged as structured records and counted. They carry identifiers
 * (family, client, subject) and never a token or a secret.
 */
export type SecurityEvent =
  | { type: 'family_created'; familyId: string; clientId: string; grantType: string }
  /**
   * One token response (RFC 6749 §5.1) built, whatever the way in: emitted by TokenIssuer only, so
   * every grant and every bootstrap path is counted exactly once. `grantType` is chosen by code.
   */
  | { type: 'tokens_issued'; grantType: string; clientId: string; familyId?: string; refreshToken: boolean }
  | { type: 'token_rotated'; familyId: string; clientId: string; generation: number }
  /** A retried rotation answered with the successor already issued (REFRESH_TOKEN_REUSE_INTERVAL). */
  | { type: 'retry_served'; familyId: string; clientId: string; generation: number }
  /**
   * A retry within the window refused without revoking the family: its successor was already
   * replayed REFRESH_TOKEN_RETRY_LIMIT times, or has expired. `generation` is the successor's.
   */
  | { type: 'retry_refused'; familyId: string; clientId: string; generation: number; reason: RetryRefusal }
  /** A retired refresh token presented again and rejected; `reason` says why it was no retry. */
  | { type: 'reuse_detected'; familyId: string; clientId: string; generation: number; reason?: ReuseReason }
  /** An authorization code presented a second time (RFC 6749 §4.1.2); its family, if any, is revoked. */
  | { type: 'code_reuse_detected'; clientId: string; familyId: string | null }
  | { type: 'family_revoked'; familyId: string; clientId: string; reason: string }
  | { type: 'families_revoked'; by: 'subject' | 'client' | 'family'; count: number; reason: string }
  /** A disabled or deleted client's families, revoked in bounded steps (no per-family event: there may be millions). */
  | { type: 'client_families_revoked'; clientId: string; count: number; reason: string }
  /** `clientId` as `loggableClientId` gives it: our id shape, else a short hash (never a swapped-in secret). */
  | { type: 'client_auth_failed'; clientId?: string; reason: string }
  /** A client id's failed authentications from all addresses reached RATE_LIMIT_AUTH_FAILURE_ALARM in one window (distributed guessing). */
  | { type: 'client_auth_failure_alarm'; clientId: string; failures: number; window: number }
  /** A wrong or missing admin API key; `address` is the caller's (IPv6 /64 as one). */
  | { type: 'admin_auth_failed'; address: string; reason: string };

export type SecurityEventType = SecurityEvent['type'];

export type ReuseReason =
  | 'strict'
  | 'outside_interval'
  | 'other_client'
  | 'successor_used'
  | 'not_derived'
  // RFC 9449 §5: a retired token of a DPoP-bound family presented without proof of the family's key.
  | 'other_key';

export type RetryRefusal = 'retry_limit' | 'successor_expired';
