import { digestsEqual, sha256Hex } from 'nest-oauth-server';

/**
 * The microservice's shared secret, checked in one place for the guard (every message, every
 * transport) and for the TCP socket (which closes a connection at its first message without it).
 * Both sides are hashed first so the comparison is constant-time whatever the presented length;
 * an empty configured or presented secret matches nothing.
 */
export class SharedSecret {
  private readonly expectedHash: string;

  constructor(private readonly secret: string) {
    this.expectedHash = sha256Hex(secret);
  }

  /** True when `presented` is the configured (non-empty) secret. */
  matches(presented: unknown): boolean {
    if (typeof presented !== 'string' || presented === '' || this.secret === '') return false;
    return digestsEqual(sha256Hex(presented), this.expectedHash);
  }

  /** True when `data` is a message payload (an object) carrying the secret in its `secret` member. */
  carriedBy(data: unknown): boolean {
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return false;
    return this.matches((data as Record<string, unknown>).secret);
  }
}
