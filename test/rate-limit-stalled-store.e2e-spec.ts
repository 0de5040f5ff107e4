import { createServer, Server, Socket } from 'node:net';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import { COOL_OFF_MS, RATE_LIMIT_STORE, RateLimitStore } from 'nest-oauth-server';
import { TestApp } from './support/test-app';

/** Review H2: a limiter that does not answer must never hold a committed rotation's response. */

/** Counts like the memory store would (never blocks), but its refund never settles. */
class RefundNeverSettles implements RateLimitStore {
  refunds = 0;
  async increment(): Promise<ThrottlerStorageRecord> {
    return { totalHits: 1, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 };
  }
  refund(): Promise<void> {
    this.refunds += 1;
    return new Promise(() => undefined);
  }
  async blockedFor(): Promise<number> {
    return 0;
  }
  async open(): Promise<void> {}
  async close(): Promise<void> {}
}

/**
 * A Redis that accepts the connection, answers the ready check (INFO) and then never answers
 * again: a frozen node, as `CLIENT PAUSE` or a stalled network would make it (the machine's Redis
 * is shared, so it is not paused here).
 */
async function frozenRedis(): Promise<{ url: string; unanswered: () => number; close: () => Promise<void> }> {
  let unanswered = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let frozen = false;
    socket.on('data', (chunk) => {
      // Commands before the ready check (CLIENT SETINFO ...) get +OK, INFO a ready answer; then silence.
      for (const command of chunk.toString('latin1').split(/\*\d+\r\n/).slice(1)) {
        if (frozen) {
          unanswered += 1;
          continue;
        }
        if (/^\$4\r\ninfo\r\n/i.test(command)) {
          socket.write('$11\r\nloading:0\r\n\r\n');
          frozen = true;
        } else socket.write('+OK\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `redis://127.0.0.1:${port}`,
    unanswered: () => unanswered,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('a stalled rate-limit store', () => {
  it('never waits for the refund: a confidential client\'s rotation is answered within 1 s', async () => {
    const store = new RefundNeverSettles();
    const t = await TestApp.create({
      env: { RATE_LIMIT_ENABLED: 'true' },
      override: (builder) => builder.overrideProvider(RATE_LIMIT_STORE).useValue(store),
    });
    try {
      const client = await t.createClient();
      const first = await t.refresh(client, (await t.issueTokens(client)).refresh_token!).timeout(1000).expect(200);
      // The successor works: the rotation committed and was answered.
      await t.refresh(client, first.body.refresh_token).timeout(1000).expect(200);
      expect(store.refunds).toBe(2);
    } finally {
      await t.close();
    }
  });

  it('fails open on a frozen Redis (commandTimeout): every request is answered within 1 s', async () => {
    const redis = await frozenRedis();
    const t = await TestApp.create({ env: { RATE_LIMIT_ENABLED: 'true', REDIS_URL: redis.url, RATE_LIMIT_PER_IP: '1' } });
    try {
      const client = await t.createClient();
      const started = Date.now();
      let live = (await t.issueTokens(client)).refresh_token!;
      for (let i = 0; i < 2; i++) live = (await t.refresh(client, live).timeout(1000).expect(200)).body.refresh_token;
      // Unauthenticated and failed requests too (charged per IP, no refund).
      await t.http().post('/oauth/token').type('form').send({ grant_type: 'refresh_token' }).timeout(1000).expect(401);
      expect(Date.now() - started).toBeLessThan(3000);
      // A command did reach a connected Redis (not the offline fast path) and was never answered;
      // after it, the store was skipped for its cool-off instead of every limit waiting its timeout.
      expect(redis.unanswered()).toBeGreaterThanOrEqual(1);
      expect(redis.unanswered()).toBeLessThanOrEqual(1 + Math.floor((Date.now() - started) / COOL_OFF_MS));
    } finally {
      await t.close();
      await redis.close();
    }
  });
});
