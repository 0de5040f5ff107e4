import { EXPIRY_GRACE_MS, ReplayCache, RetentionService } from 'nest-oauth-server';
import { TestApp } from './support/test-app';

/** The shared single-use store on a real database (SQLite here, PostgreSQL under jest.pg.config.js). */
describe('ReplayCache (used_jtis)', () => {
  let t: TestApp;
  let second: TestApp;
  let cache: ReplayCache;

  beforeAll(async () => {
    t = await TestApp.create({ env: { RETENTION_BATCH_SIZE: '3', RETENTION_MAX_BATCHES: '1000' } });
    // A second instance on the same database: the store must hold across instances.
    second = await TestApp.create({ database: t.database });
    cache = t.get(ReplayCache);
  });
  afterAll(async () => {
    await second.close();
    await t.close();
  });

  const rows = async () => Number((await t.dataSource().query('SELECT COUNT(*) AS n FROM used_jtis'))[0].n);
  let n = 0;
  const freshId = () => `jti-${++n}-${Math.random().toString(36).slice(2)}`;

  it('is true the first time and false for a replay', async () => {
    const id = freshId();
    const exp = t.clock.now() + 60_000;
    await expect(cache.useOnce('dpop', id, exp)).resolves.toBe(true);
    await expect(cache.useOnce('dpop', id, exp)).resolves.toBe(false);
    await expect(cache.useOnce('dpop', id, exp + 1000)).resolves.toBe(false);
  });

  it('keeps namespaces apart', async () => {
    const id = freshId();
    const exp = t.clock.now() + 60_000;
    await expect(cache.useOnce('dpop', id, exp)).resolves.toBe(true);
    await expect(cache.useOnce('client_assertion', id, exp)).resolves.toBe(true);
    await expect(cache.useOnce('client_assertion', id, exp)).resolves.toBe(false);
  });

  it('20 concurrent uses of one id, on two instances: exactly one is true', async () => {
    const id = freshId();
    const exp = t.clock.now() + 60_000;
    const caches = [cache, second.get(ReplayCache)];
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => caches[i % 2].useOnce('client_assertion', id, exp)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('an expired row for the same id may be reused, once', async () => {
    const id = freshId();
    await expect(cache.useOnce('dpop', id, t.clock.now() + 1000)).resolves.toBe(true);
    t.clock.advance(1); // seconds: the row expired
    await expect(cache.useOnce('dpop', id, t.clock.now() + 1000)).resolves.toBe(true);
    await expect(cache.useOnce('dpop', id, t.clock.now() + 1000)).resolves.toBe(false);
  });

  it('an id whose expiry has already passed is refused (it could not be remembered)', async () => {
    await expect(cache.useOnce('dpop', freshId(), t.clock.now())).resolves.toBe(false);
    await expect(cache.useOnce('dpop', freshId(), t.clock.now() - 1)).resolves.toBe(false);
  });

  it('stores the id hashed, whatever its length', async () => {
    const long = 'x'.repeat(5000);
    await expect(cache.useOnce('dpop', long, t.clock.now() + 60_000)).resolves.toBe(true);
    await expect(cache.useOnce('dpop', long, t.clock.now() + 60_000)).resolves.toBe(false);
    const stored = await t.dataSource().query("SELECT id FROM used_jtis WHERE namespace = 'dpop'");
    for (const row of stored as { id: string }[]) expect(row.id).toMatch(/^[0-9a-f]{64}$/);
  });

  it('retention purges expired rows in bounded batches and keeps live ones', async () => {
    const retention = t.get(RetentionService);
    t.clock.advance(3600);
    await retention.purgeExpired();
    expect(await rows()).toBe(0);
    for (let i = 0; i < 7; i++) await cache.useOnce('client_assertion', freshId(), t.clock.now() + 10_000);
    const live = freshId();
    await cache.useOnce('client_assertion', live, t.clock.now() + 10_000 + EXPIRY_GRACE_MS + 1);
    t.clock.advance((10_000 + EXPIRY_GRACE_MS) / 1000);
    const purged = await retention.purgeExpired();
    expect(purged.usedJtis).toBe(7); // batches of 3: 3 + 3 + 1
    expect(await rows()).toBe(1);
    await expect(cache.useOnce('client_assertion', live, t.clock.now() + 60_000)).resolves.toBe(false);
  });
});
