import { DatabaseAvailability } from 'nest-oauth-server';
import { holdWriteLock } from './support/database-lock';
import { TestApp, TestClient } from './support/test-app';

/**
 * Issue 13 items 2 and 3: database work is bounded by DATABASE_TIMEOUT, the client gets
 * `503 temporarily_unavailable` with Retry-After (never a 500, never silence), and the work it was
 * told did not happen does not commit later: the client's retry with the same token succeeds.
 */
describe('the database temporarily unavailable', () => {
  let t: TestApp;
  let client: TestClient;

  beforeAll(async () => {
    // Strict rotation: a rotation that committed behind the client's back would show as reuse.
    t = await TestApp.create({ env: { DATABASE_TIMEOUT: '0.5', REFRESH_TOKEN_REUSE_INTERVAL: '0' } });
    client = await t.createClient();
  });
  afterAll(() => t.close());

  it('answers 503 with Retry-After within the deadline while a write lock is held, and the token rotates once it is free', async () => {
    const { refresh_token: token } = await t.issueTokens(client);
    const lock = await holdWriteLock(t.database);
    let released = false;
    try {
      const started = Date.now();
      const response = await t.refresh(client, token!);
      const took = Date.now() - started;
      expect(response.status).toBe(503);
      expect(response.headers['retry-after']).toMatch(/^\d+$/);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.body).toEqual({ error: 'temporarily_unavailable', error_description: expect.any(String) });
      expect(took).toBeLessThan(2500);
      expect(t.get(DatabaseAvailability).recentlyFailing(10_000)).toBe(true);
      // A few more while it lasts: all 503, none of them a 500.
      const more = await Promise.all([1, 2, 3].map(() => t.refresh(client, token!)));
      expect(more.map((r) => r.status)).toEqual([503, 503, 503]);
      await lock.release();
      released = true;
      // Nothing of the refused attempts committed later: the same token is still the live one.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const retry = await t.refresh(client, token!);
      expect(retry.status).toBe(200);
      expect(t.get(DatabaseAvailability).recentlyFailing(10_000)).toBe(false);
      await t.refresh(client, retry.body.refresh_token).expect(200);
    } finally {
      if (!released) await lock.release();
    }
  }, 20_000);

  it('refuses, before COMMIT, the rotation of a client that hung up: its retry with the same token is a first use', async () => {
    const slow = await TestApp.create({ database: t.database, env: { DATABASE_TIMEOUT: '5', REFRESH_TOKEN_REUSE_INTERVAL: '0' } });
    try {
      const { refresh_token: token } = await slow.issueTokens(client);
      const lock = await holdWriteLock(slow.database);
      // The client gives up after 300 ms (its own timeout) while the rotation waits for the lock.
      const abandoned = slow.refresh(client, token!).timeout(300).then(
        () => 'answered',
        (error: Error) => error.message,
      );
      expect(await abandoned).toMatch(/timeout/i);
      await lock.release();
      await new Promise((resolve) => setTimeout(resolve, 500));
      // Strict rotation: had the abandoned rotation committed, this would be reuse (400).
      await slow.refresh(client, token!).expect(200);
    } finally {
      await slow.close();
    }
  }, 20_000);
});
