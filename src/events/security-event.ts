/**
 * Security-relevant facts, logged as structured records and counted. They carry identifiers
 * (family, client, subject) and never a token or a secret.
 */
export type SecurityEvent =
  | { type: 'family_created'; familyId: string; clientId: string; grantType: string }
  | { type: 'token_rotated'; familyId: string; clientId: string; generation: number }
  | { type: 'reuse_detected'; familyId: string; clientId: string; generation: number }
  | { type: 'family_revoked'; familyId: string; clientId: string; reason: string }
  | { type: 'client_auth_failed'; clientId?: string; reason: string };

export type SecurityEventType = SecurityEvent['type'];
