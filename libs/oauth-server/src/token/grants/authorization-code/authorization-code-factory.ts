import { randomUUID } from 'node:crypto';
import { randomToken, sha256Hex } from '../../../common/secure-random';
import { AuthorizationCodeEntity } from './authorization-code.entity';

export interface MintedAuthorizationCode {
  /** Sent to the client once, in the redirect; never stored or logged. */
  value: string;
  entity: AuthorizationCodeEntity;
}

/** RFC 6749 §10.10: 256 bits from a CSPRNG, stored as its SHA-256. */
export function mintAuthorizationCode(input: {
  clientId: string;
  subject: string;
  scope: string;
  redirectUri: string;
  codeChallenge: string;
  dpopJkt?: string | null;
  issuedAt: number;
  ttlSeconds: number;
}): MintedAuthorizationCode {
  const value = randomToken(32);
  const entity = Object.assign(new AuthorizationCodeEntity(), {
    id: randomUUID(),
    codeHash: hashAuthorizationCode(value),
    clientId: input.clientId,
    subject: input.subject,
    scope: input.scope,
    redirectUri: input.redirectUri,
    codeChallenge: input.codeChallenge,
    dpopJkt: input.dpopJkt ?? null,
    createdAt: input.issuedAt,
    expiresAt: input.issuedAt + input.ttlSeconds * 1000,
    consumedAt: null,
    familyId: null,
    accessTokenJti: null,
    accessTokenExpiresAt: null,
  });
  return { value, entity };
}

export function hashAuthorizationCode(value: string): string {
  return sha256Hex(value);
}
