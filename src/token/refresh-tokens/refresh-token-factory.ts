import { randomUUID } from 'node:crypto';
import { randomToken, sha256Hex } from '../../common/secure-random';
import { RefreshTokenEntity } from './refresh-token.entity';

export interface MintedRefreshToken {
  /** Handed to the client once, never stored or logged. */
  value: string;
  entity: RefreshTokenEntity;
}

/** RFC 6749 §10.10: 256 bits from a CSPRNG; only the SHA-256 hash is kept (fosite's signatures). */
export function mintRefreshToken(input: {
  familyId: string;
  parentId: string | null;
  generation: number;
  issuedAt: number;
  idleTtlSeconds: number;
}): MintedRefreshToken {
  const value = randomToken(32);
  const entity = Object.assign(new RefreshTokenEntity(), {
    id: randomUUID(),
    tokenHash: hashRefreshToken(value),
    familyId: input.familyId,
    parentId: input.parentId,
    generation: input.generation,
    issuedAt: input.issuedAt,
    expiresAt: input.issuedAt + input.idleTtlSeconds * 1000,
    consumedAt: null,
  });
  return { value, entity };
}

export function hashRefreshToken(value: string): string {
  return sha256Hex(value);
}
