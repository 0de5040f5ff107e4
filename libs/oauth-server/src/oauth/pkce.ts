import { createHash, timingSafeEqual } from 'node:crypto';

/** The only transform accepted: `plain` offers no protection once the request leaks (RFC 9700 §2.1.1). */
export const PKCE_METHODS = ['S256'] as const;

/** RFC 7636 §4.2: BASE64URL(SHA256(verifier)) is always 43 characters. */
export const S256_CHALLENGE_SHAPE = /^[A-Za-z0-9_-]{43}$/;

// RFC 7636 §4.1: code-verifier = 43*128unreserved.
const VERIFIER_SHAPE = /^[A-Za-z0-9._~-]{43,128}$/;

export function s256Challenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** RFC 7636 §4.6: compares BASE64URL(SHA256(verifier)) with the stored challenge in constant time. */
export function verifierMatches(verifier: string, challenge: string): boolean {
  if (!VERIFIER_SHAPE.test(verifier)) return false;
  const computed = Buffer.from(s256Challenge(verifier));
  const expected = Buffer.from(challenge);
  return computed.length === expected.length && timingSafeEqual(computed, expected);
}
