import { RetentionService } from 'nest-oauth-server';
import { TestApp, TestClient } from './support/test-app';

const METRICS_TOKEN = 'm'.repeat(40);

const ABSOLUTE_TTL = 600;
const REVOKED_TTL = 300;
const TICK = 60;

/**
 * Retention under a steady refresh load, on the fake clock: every simulated minute a new family
 * starts and every live family refreshes once; every other minute the cleanup runs. Families live
 * ten minutes, so the refresh_tokens table must level off instead of growing with the load.
 */
describe('retention cleanup', () => {
  let t: TestApp;
  let client: TestClient;
  let retention: RetentionService;

  beforeAll(async () => {
    t = await TestApp.create({
      env: {
        REFRESH_TOKEN_ABSOLUTE_TTL: String(ABSOLUTE_TTL),
        // Strict: the replayed predecessor below must be reuse (the retry window is on by default).
        REFRESH_TOKEN_REUSE_INTERVAL: '0',
        RETENTION_REVOKED_TTL: String(REVOKED_TTL),
        RETENTION_BATCH_SIZE: '3',
        RETENTION_MAX_BATCHES: '1000',
        // /metrics is on the public port only behind METRICS_TOKEN (or on METRICS_PORT).
        METRICS_TOKEN,
        // The cleanup follows the hand-moved clock here, not the database's (retention-clock e2e).
        RETENTION_MAX_CLOCK_SKEW: '0',
      },
    });
    client = await t.createClient();
    retention = t.get(RetentionService);
  });
  afterAll(() => t.close());

  const count = async (table: string) => Number((await t.dataSource().query(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);

  it('keeps the token table bounded under steady load, deleting only families that ended', async () => {
    const chains: { current: string; previous?: string; endsAt: number }[] = [];
    const sizes: number[] = [];
    let issued = 0;
    for (let minute = 0; minute < 50; minute++) {
      const started = await t.issueTokens(client, `user-${minute}`);
      chains.push({ current: started.refresh_token!, endsAt: t.clock.now() + ABSOLUTE_TTL * 1000 });
      issued++;
      for (const chain of chains.filter((c) => c.endsAt > t.clock.now())) {
        const res = await t.refresh(client, chain.current);
        if (res.status !== 200) continue; // revoked below
        [chain.previous, chain.current] = [chain.current, res.body.refresh_token];
        issued++;
      }
      // Now and then a stolen token is replayed: that family is revoked and later deleted.
      if (minute % 7 === 3) await t.refresh(client, chains[chains.length - 2].previous!).expect(400);
      t.clock.advance(TICK);
      if (minute % 2 === 1) await retention.runOnce();
      sizes.push(await count('refresh_tokens'));
    }
    const warm = sizes.slice(0, 20);
    const steady = sizes.slice(20);
    // Levelled off: the second half never exceeds what the table held after the first families ended.
    expect(Math.max(...steady)).toBeLessThanOrEqual(Math.max(...warm) + ABSOLUTE_TTL / TICK);
    expect(sizes[sizes.length - 1]).toBeLessThan(issued / 3);

    // Nothing past its absolute lifetime (plus grace) or revoked for longer than the retention remains.
    const now = t.clock.now();
    const families: { expires_at: string; revoked_at: string | null }[] = await t.dataSource().query('SELECT expires_at, revoked_at FROM token_families');
    for (const family of families) {
      expect(Number(family.expires_at)).toBeGreaterThan(now - 2 * TICK * 1000 - 60_000);
      if (family.revoked_at !== null) expect(Number(family.revoked_at)).toBeGreaterThan(now - REVOKED_TTL * 1000 - 2 * TICK * 1000);
    }
  }, 60_000);

  it('keeps consumed tokens of live families: a replay after a cleanup is still detected as reuse', async () => {
    const first = await t.issueTokens(client, 'replay');
    const second = await t.refresh(client, first.refresh_token!).expect(200);
    t.clock.advance(ABSOLUTE_TTL / 2);
    await retention.runOnce();
    const reuse = await t.refresh(client, first.refresh_token!).expect(400);
    expect(reuse.body.error).toBe('invalid_grant');
    // The reuse revoked the family: the token received in the 200 is dead as well.
    await t.refresh(client, second.body.refresh_token).expect(400);
  });

  it('is safe when several runs (instances) clean at the same moment', async () => {
    for (let i = 0; i < 20; i++) await t.issueTokens(client, `crowd-${i}`);
    const families = await count('token_families');
    t.clock.advance(ABSOLUTE_TTL * 2);
    const scraped = async () => Number(/^oauth_retention_deleted_families_total (\d+)$/m.exec((await t.http().get('/metrics').set('authorization', `Bearer ${METRICS_TOKEN}`)).text)![1]);
    const before = await scraped();
    const deleted = await Promise.all([retention.runOnce(), retention.runOnce(), retention.runOnce()]);
    expect(deleted.reduce((a, b) => a + b, 0)).toBe(families);
    expect((await scraped()) - before).toBe(families);
    expect(await count('token_families')).toBe(0);
    expect(await count('refresh_tokens')).toBe(0);
  });
});
