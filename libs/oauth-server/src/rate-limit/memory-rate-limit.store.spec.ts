import { Clock } from '../common/clock';
import { MemoryRateLimitStore } from './memory-rate-limit.store';

class ManualClock extends Clock {
  current = 1_000_000;
  override now(): number {
    return this.current;
  }
}

describe('MemoryRateLimitStore', () => {
  let clock: ManualClock;
  let store: MemoryRateLimitStore;

  beforeEach(() => {
    clock = new ManualClock();
    store = new MemoryRateLimitStore(clock);
  });
  afterEach(() => store.close());

  it('allows `limit` hits per window, then blocks for blockDuration', async () => {
    for (let i = 1; i <= 3; i++) expect(await store.increment('k', 60_000, 3, 10_000, 'n')).toMatchObject({ totalHits: i, isBlocked: false });
    expect(await store.increment('k', 60_000, 3, 10_000, 'n')).toMatchObject({ isBlocked: true, timeToBlockExpire: 10 });
    expect(await store.blockedFor('k')).toBe(10);
    clock.current += 10_001;
    expect(await store.blockedFor('k')).toBe(0);
  });

  it('starts a new window when the old one has passed', async () => {
    for (let i = 0; i < 3; i++) await store.increment('k', 60_000, 3, 1_000, 'n');
    clock.current += 60_000;
    expect(await store.increment('k', 60_000, 3, 1_000, 'n')).toMatchObject({ totalHits: 1, isBlocked: false, timeToExpire: 60 });
  });

  it('keeps keys apart', async () => {
    await store.increment('a', 60_000, 1, 5_000, 'n');
    await store.increment('a', 60_000, 1, 5_000, 'n');
    expect(await store.blockedFor('a')).toBe(5);
    expect(await store.blockedFor('b')).toBe(0);
  });
});

describe('MemoryRateLimitStore.refund', () => {
  let clock: ManualClock;
  let store: MemoryRateLimitStore;
  beforeEach(() => {
    clock = new ManualClock();
    store = new MemoryRateLimitStore(clock);
  });
  afterEach(() => store.close());

  it('takes one hit back, never below zero, and never lifts a block', async () => {
    await store.increment('k', 60_000, 2, 10_000, 'n');
    await store.refund('k');
    await store.refund('k');
    expect(await store.increment('k', 60_000, 2, 10_000, 'n')).toMatchObject({ totalHits: 1 });
    await store.increment('k', 60_000, 2, 10_000, 'n');
    expect(await store.increment('k', 60_000, 2, 10_000, 'n')).toMatchObject({ isBlocked: true });
    await store.refund('k');
    expect(await store.blockedFor('k')).toBe(10);
  });
});
