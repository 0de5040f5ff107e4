import type { ThrottlerStorage } from '@nestjs/throttler';

/**
 * A fixed-window counter with blocking, shared by every instance when it lives in Redis.
 * `increment` is @nestjs/throttler's contract (ttl and blockDuration in milliseconds; the record's
 * times in seconds); `blockedFor` looks without counting.
 */
export interface RateLimitStore extends ThrottlerStorage {
  /** Seconds until `key` is no longer blocked; 0 when it is not blocked. */
  blockedFor(key: string): Promise<number>;
  /**
   * Takes one hit back from `key`'s current window (never below 0, never lifting a block): a request
   * charged up front that turned out not to count. Atomic, like `increment`.
   */
  refund(key: string): Promise<void>;
  open(): Promise<void>;
  close(): Promise<void>;
}

export const RATE_LIMIT_STORE = Symbol('RATE_LIMIT_STORE');
