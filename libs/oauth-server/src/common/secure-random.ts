import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** What `randomToken()` returns; anything else presented as one of our credentials cannot be one. */
export const RANDOM_TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** An opaque credential: 32 random bytes (256 bits) as base64url, 43 characters. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Constant-time equality of two hex digests of equal length. */
export function digestsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}
