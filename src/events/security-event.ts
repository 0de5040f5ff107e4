/**
 * Security-relevant facts, logged as structured records and counted. They carry identifiers
 * (family, client, subject) and never a token or a secret.
 */
export type SecurityEvent =
  | { type: 'family_created'; familyId: string; clientId: string; grantType: string }
  | { type: 'token_rotated'; familyId: string; clientId: string; generation: number }
  /** A retried rotation answered with the successor already issued (REFRESH_TOKEN_REUSE_INTERVAL). */
  | { type: 'retry_served'; familyId: string; clientId: string; generation: number }
  /** A retired refresh token presented again and rejected; `reason` says why it was no retry. */
  | { type: 'reuse_detected'; familyId: string; clientId: string; generation: number; reason?: ReuseReason }
  | { type: 'family_revoked'; familyId: string; clientId: string; reason: string }
  | { type: 'families_revoked'; by: 'subject' | 'client' | 'family'; count: number; reason: string }
  | { type: 'client_auth_failed'; clientId?: string; reason: string };

export type SecurityEventType = SecurityEvent['type'];

export type ReuseReason =
  | 'strict'
  | 'outside_interval'
  | 'other_client'
  | 'successor_used'
  | 'not_derived';
