import { createHmac, randomUUID } from 'node:crypto';
import { digestsEqual, RANDOM_TOKEN_SHAPE, randomToken, sha256Hex } from '../../common/secure-random';
import { RefreshTokenEntity } from './refresh-token.entity';

/** Every refresh token, random or derived, is 32 bytes in base64url: anything else cannot be one (no lookup needed). */
export const REFRESH_TOKEN_SHAPE = RANDOM_TOKEN_SHAPE;

export interface MintedRefreshToken {
  /** Handed to the client once, never stored or logged. */
  value: string;
  entity: RefreshTokenEntity;
}

export interface MintInput {
  familyId: string;
  parentId: string | null;
  generation: number;
  issuedAt: number;
  idleTtlSeconds: number;
}

/** RFC 6749 §10.10: 256 bits from a CSPRNG; only the SHA-256 hash is kept (fosite's signatures). */
export function mintRefreshToken(input: MintInput): MintedRefreshToken {
  return buildRefreshToken(input, randomUUID(), randomToken(32));
}

/**
 * With a retry window (REFRESH_TOKEN_REUSE_INTERVAL > 0) a successor is not random but derived:
 * HMAC-SHA-256(server key, successor id ‖ predecessor). In strict mode nothing is ever recomputed,
 * so successors are minted with mintRefreshToken instead (see RefreshGrantService.rotate).
 * Only the server can compute it, and only from the predecessor the client presents, so a retry of
 * a rotation can be answered with the very same successor while only its hash is stored. The
 * successor's random row id (never disclosed) salts each rotation, so the server key plus one old
 * token is not enough to walk the chain forward; that also needs the database.
 */
export function mintSuccessorToken(input: MintInput & { parentId: string }, key: Buffer, predecessor: string): MintedRefreshToken {
  const id = randomUUID();
  return buildRefreshToken(input, id, deriveSuccessorValue(key, id, predecessor));
}

/** True when `successor` is the token derived from `predecessor` (constant-time hash compare). */
export function isDerivedSuccessor(successor: RefreshTokenEntity, key: Buffer, predecessor: string): boolean {
  return digestsEqual(hashRefreshToken(deriveSuccessorValue(key, successor.id, predecessor)), successor.tokenHash);
}

export function deriveSuccessorValue(key: Buffer, successorId: string, predecessor: string): string {
  // 32 bytes → 43 base64url characters: the same shape as a random refresh token.
  return createHmac('sha256', key).update(`refresh_token successor\0${successorId}\0${predecessor}`, 'utf8').digest('base64url');
}

export function hashRefreshToken(value: string): string {
  return sha256Hex(value);
}

function buildRefreshToken(input: MintInput, id: string, value: string): MintedRefreshToken {
  const entity = Object.assign(new RefreshTokenEntity(), {
    id,
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
