import { Logger } from '@nestjs/common';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import Redis from 'ioredis';
import type { RateLimitStore } from './rate-limit-store';

/**
 * Count, expire and block in one atomic step, so that instances sharing Redis never lose or
 * double a hit (a GET-then-SET from two instances would). Both keys carry the same hash tag, so
 * the script also runs on Redis Cluster.
 * KEYS: hits, block. ARGV: window ms, limit, block ms. Returns hits, window ms left, blocked, block ms left.
 */
const INCREMENT_SCRIPT = `
local blockLeft = redis.call('PTTL', KEYS[2])
if blockLeft > 0 then
  return {tonumber(redis.call('GET', KEYS[1]) or '0'), math.max(redis.call('PTTL', KEYS[1]), 0), 1, blockLeft}
end
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local windowLeft = redis.call('PTTL', KEYS[1])
if windowLeft < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  windowLeft = tonumber(ARGV[1])
end
if hits > tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  return {hits, windowLeft, 1, tonumber(ARGV[3])}
end
return {hits, windowLeft, 0, 0}
`;

/** KEYS: hits. One hit back, only within a live window and never below 0 (a DECR alone could make a key without expiry). */
const REFUND_SCRIPT = `
local hits = tonumber(redis.call('GET', KEYS[1]) or '0')
if hits > 0 and redis.call('PTTL', KEYS[1]) > 0 then redis.call('DECR', KEYS[1]) end
return 0
`;

const CONNECT_WAIT_MS = 2000;
/**
 * The longest a request waits for one Redis command. A frozen Redis (a stalled node, a full network
 * buffer) would otherwise hold every request unbounded; past this the command fails, and the limits
 * fail open like when Redis is down (review H2).
 */
export const COMMAND_TIMEOUT_MS = 250;
/**
 * After a command fails, the store is skipped (limits fail open at once) for this long before
 * Redis is asked again. Without it, every limit a request passes through waits out its own
 * timeout: three limits on one token request made a frozen Redis cost each request 750 ms.
 */
export const COOL_OFF_MS = 2000;

type RateLimitRedis = Redis & {
  rateLimitIncrement(hits: string, block: string, ttl: number, limit: number, blockMs: number): Promise<number[]>;
  rateLimitRefund(hits: string): Promise<number>;
};

/** Counters shared by every instance through Redis (REDIS_URL). */
export class RedisRateLimitStore implements RateLimitStore {
  private readonly logger = new Logger(RedisRateLimitStore.name);
  private readonly redis: RateLimitRedis;
  private unavailableUntil = 0;

  constructor(url: string, private readonly prefix: string) {
    // No offline queue: while Redis is unreachable a command fails at once and the guard fails
    // open, instead of every token request waiting for reconnection attempts. commandTimeout: the
    // same when Redis is reachable but does not answer.
    this.redis = new Redis(url, {
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      connectTimeout: CONNECT_WAIT_MS,
      commandTimeout: COMMAND_TIMEOUT_MS,
      disconnectTimeout: 200,
    }) as RateLimitRedis;
    this.redis.on('error', (error) => this.logger.warn(`redis: ${error.message}`));
    this.redis.defineCommand('rateLimitIncrement', { numberOfKeys: 2, lua: INCREMENT_SCRIPT });
    this.redis.defineCommand('rateLimitRefund', { numberOfKeys: 1, lua: REFUND_SCRIPT });
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, _throttlerName?: string): Promise<ThrottlerStorageRecord> {
    const [hits, windowLeft, blocked, blockLeft] = await this.guarded(() => this.redis.rateLimitIncrement(this.key(key, 'hits'), this.key(key, 'block'), ttl, limit, blockDuration));
    return { totalHits: hits, timeToExpire: seconds(windowLeft), isBlocked: blocked === 1, timeToBlockExpire: seconds(blockLeft) };
  }

  async refund(key: string): Promise<void> {
    await this.guarded(() => this.redis.rateLimitRefund(this.key(key, 'hits')));
  }

  async blockedFor(key: string): Promise<number> {
    return seconds(await this.guarded(() => this.redis.pttl(this.key(key, 'block'))));
  }

  /** Waits (bounded) for the first connection, so requests right after boot are counted. */
  async open(): Promise<void> {
    if (this.redis.status === 'ready') return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.redis.off('ready', done);
        resolve();
      };
      const timer = setTimeout(() => {
        this.logger.warn('redis not reachable yet: rate limits fail open until it is');
        done();
      }, CONNECT_WAIT_MS);
      this.redis.once('ready', done);
    });
  }

  async close(): Promise<void> {
    if (this.redis.status === 'ready') await this.redis.quit().catch(() => undefined);
    this.redis.disconnect();
  }

  private async guarded<T>(command: () => Promise<T>): Promise<T> {
    if (Date.now() < this.unavailableUntil) throw new Error('redis failed recently, not asked again yet');
    try {
      return await command();
    } catch (error) {
      this.unavailableUntil = Date.now() + COOL_OFF_MS;
      throw error;
    }
  }

  private key(key: string, part: string): string {
    return `${this.prefix}{${key}}:${part}`;
  }
}

function seconds(ms: number): number {
  return ms > 0 ? Math.ceil(ms / 1000) : 0;
}
