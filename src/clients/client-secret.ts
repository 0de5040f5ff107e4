import { digestsEqual, randomToken, sha256Hex } from '../common/secure-random';

/**
 * Client secrets are generated here with 256 bits of randomness, so a guess is hopeless and a
 * slow password hash (bcrypt, scrypt, argon2) buys nothing against a stolen database while it
 * would cost milliseconds on every token request. A SHA-256 digest is therefore the stored form
 * (as for refresh tokens, and as fosite does for its signatures); comparison is constant-time.
 */
export const ClientSecret = {
  generate(): string {
    return randomToken(32);
  },
  hash(secret: string): string {
    return sha256Hex(secret);
  },
  matches(secret: string, storedHash: string): boolean {
    return digestsEqual(sha256Hex(secret), storedHash);
  },
  /** Compared against when the client is unknown, so that case costs the same work. */
  DUMMY_HASH: sha256Hex('no-such-client'),
};
