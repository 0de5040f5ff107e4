import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import type { Clock } from '../common/clock';
import type { RateLimitStore } from './rate-limit-store';

interface Counter {
  hits: number;
  windowEndsAt: number;
  blockedUntil: number;
}

const SWEEP_INTERVAL_MS = 60_000;

/** One process's counters; used when REDIS_URL is not set. Expired entries are swept. */
export class MemoryRateLimitStore implements RateLimitStore {
  private readonly counters = new Map<string, Counter>();
  private readonly sweeper = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS).unref();

  constructor(private readonly clock: Clock) {}

  async increment(key: string, ttl: number, limit: number, blockDuration: number, _throttlerName?: string): Promise<ThrottlerStorageRecord> {
    const now = this.clock.now();
    let counter = this.counters.get(key);
    if (counter && counter.blockedUntil > now) return record(counter, now, true);
    if (!counter || counter.windowEndsAt <= now) {
      counter = { hits: 0, windowEndsAt: now + ttl, blockedUntil: 0 };
      this.counters.set(key, counter);
    }
    counter.hits += 1;
    if (counter.hits > limit) counter.blockedUntil = now + blockDuration;
    return record(counter, now, counter.hits > limit);
  }

  async refund(key: string): Promise<void> {
    const counter = this.counters.get(key);
    if (counter && counter.windowEndsAt > this.clock.now() && counter.hits > 0) counter.hits -= 1;
  }

  async blockedFor(key: string): Promise<number> {
    const counter = this.counters.get(key);
    return counter ? seconds(counter.blockedUntil - this.clock.now()) : 0;
  }

  async open(): Promise<void> {}

  async close(): Promise<void> {
    clearInterval(this.sweeper);
  }

  private sweep(): void {
    const now = this.clock.now();
    for (const [key, counter] of this.counters) {
      if (counter.windowEndsAt <= now && counter.blockedUntil <= now) this.counters.delete(key);
    }
  }
}

function record(counter: Counter, now: number, isBlocked: boolean): ThrottlerStorageRecord {
  return {
    totalHits: counter.hits,
    timeToExpire: seconds(counter.windowEndsAt - now),
    isBlocked,
    timeToBlockExpire: isBlocked ? seconds(counter.blockedUntil - now) : 0,
  };
}

function seconds(ms: number): number {
  return ms > 0 ? Math.ceil(ms / 1000) : 0;
}
