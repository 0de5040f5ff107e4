import { digestsEqual, randomToken, sha256Hex } from '../common/secure-random';

/**
 * Client secrets are generated here with 256 bits of randomness, so a guess is hopeless and a
 * slow password hash (bcrypt, scrypt, argon2) buys nothing against a stolen database while it
 * would cost milliseconds on every token request. A SHA-256 digest is therefore the stored form
 * (as for refresh tokens, and as fosite does for its signatures); comparison is constant-time.
 */
const DUMMY_HASH = sha256Hex('no-such-client');

export const ClientSecret = {
  generate(): string {
    return randomToken(32);
  },
  hash(secret: string): string {
    return sha256Hex(secret);
  },
  /**
   * The secret matches `storedHash`, or `previousHash` (a rotated-out secret still in its overlap).
   * The second comparison runs even without a previous hash, so every request does the same work.
   */
  matches(secret: string, storedHash: string, previousHash?: string): boolean {
    const presented = sha256Hex(secret);
    const current = digestsEqual(presented, storedHash);
    const previous = digestsEqual(presented, previousHash ?? DUMMY_HASH);
    return current || (previousHash !== undefined && previous);
  },
  /** Compared against when the client is unknown, so that case costs the same work. */
  DUMMY_HASH,
};
