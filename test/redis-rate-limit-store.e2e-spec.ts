import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { RedisRateLimitStore } from 'nest-oauth-server';
import { TestApp } from './support/test-app';

const REDIS_URL = 'redis://127.0.0.1:6379';

describe('RedisRateLimitStore against the local Redis', () => {
  const prefix = `oauth-test:${process.pid}:${randomUUID()}:`;
  const stores = [new RedisRateLimitStore(REDIS_URL, prefix), new RedisRateLimitStore(REDIS_URL, prefix)];
  const redis = new Redis(REDIS_URL);

  beforeAll(() => Promise.all(stores.map((store) => store.open())));
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await Promise.all([...stores.map((store) => store.close()), redis.quit()]);
  });

  it('counts atomically: of 60 concurrent hits from two instances with limit 10, exactly 10 pass', async () => {
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => stores[i % 2].increment('burst', 60_000, 10, 30_000, 'n')));
    expect(results.filter((result) => !result.isBlocked)).toHaveLength(10);
    expect(await stores[0].blockedFor('burst')).toBeGreaterThanOrEqual(29);
    expect(await stores[1].blockedFor('burst')).toBeGreaterThanOrEqual(29);
  });

  it('expires the window and the block in Redis itself', async () => {
    await stores[0].increment('short', 200, 1, 200, 'n');
    expect((await stores[0].increment('short', 200, 1, 200, 'n')).isBlocked).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect(await stores[0].blockedFor('short')).toBe(0);
    expect((await stores[0].increment('short', 200, 1, 200, 'n')).isBlocked).toBe(false);
  });
});

describe('rate limiter with Redis unreachable', () => {
  it('fails open: requests are served, not answered with 5xx', async () => {
    // Port 1 on loopback: nothing listens there.
    const t = await TestApp.create({ env: { RATE_LIMIT_ENABLED: 'true', REDIS_URL: 'redis://127.0.0.1:1', RATE_LIMIT_PER_IP: '1' } });
    try {
      const client = await t.createClient();
      for (let i = 0; i < 3; i++) await t.refresh(client, (await t.issueTokens(client)).refresh_token!).expect(200);
    } finally {
      await t.close();
    }
  });
});
