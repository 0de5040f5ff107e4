import { DatabaseService } from 'nest-oauth-server';
import { holdWriteLock } from './support/database-lock';
import { TestApp } from './support/test-app';

describe('health checks (liveness, readiness)', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('live and ready on a migrated, reachable database', async () => {
    t = await TestApp.create();
    const live = await t.http().get('/health/live').expect(200);
    expect(live.body).toMatchObject({ status: 'ok' });
    const ready = await t.http().get('/health/ready').expect(200);
    expect(ready.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' }, migrations: { status: 'up' } } });
    expect(ready.headers['cache-control']).toBe('no-store');
  });

  it('not ready (503) while a migration of this build is not applied; still live', async () => {
    t = await TestApp.create();
    await t.dataSource().query(`DELETE FROM migrations WHERE name = 'ScaleOutSchema1764288000500'`);
    const ready = await t.http().get('/health/ready').expect(503);
    expect(ready.body).toMatchObject({ status: 'error', error: { migrations: { status: 'down', message: 'migrations pending' } } });
    await t.http().get('/health/live').expect(200);
  });

  it('not ready (503) while the database answers reads but cannot commit (a held write lock); ready again once it can', async () => {
    t = await TestApp.create({ env: { DATABASE_TIMEOUT: '0.5' } });
    const lock = await holdWriteLock(t.database);
    try {
      const ready = await t.http().get('/health/ready').expect(503);
      expect(ready.body).toMatchObject({ status: 'error', error: { database: { status: 'down' } } });
      await t.http().get('/health/live').expect(200);
    } finally {
      await lock.release();
    }
    // The failed probe's outcome answers for READINESS_CACHE_MS (review H3), then a new probe runs.
    t.clock.advance(1);
    await t.http().get('/health/ready').expect(200);
  });

  it('not ready (503) when the database does not answer', async () => {
    t = await TestApp.create();
    await t.dataSource().destroy();
    const ready = await t.http().get('/health/ready').expect(503);
    expect(ready.body).toMatchObject({ status: 'error', error: { database: { status: 'down' } } });
    // A fixed text for anyone who asks, not the driver's error (review H3).
    expect(ready.body.error.database.message).toBe('database unavailable');
  });

  it('a flood of readiness probes runs one heartbeat write per second, and rotations alongside it are not refused (review H3)', async () => {
    t = await TestApp.create();
    const client = await t.createClient();
    const tokens = await Promise.all([1, 2, 3, 4, 5].map(() => t!.issueTokens(client)));
    const probes = jest.spyOn(t.get(DatabaseService), 'probeWrite');
    const [ready, refreshes] = await Promise.all([
      Promise.all(Array.from({ length: 200 }, () => t!.http().get('/health/ready'))),
      Promise.all(tokens.map((issued) => t!.refresh(client, issued.refresh_token!))),
    ]);
    expect(ready.every((response) => response.status === 200)).toBe(true);
    expect(refreshes.map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);
    expect(probes).toHaveBeenCalledTimes(1);
    t.clock.advance(1);
    await t.http().get('/health/ready').expect(200);
    expect(probes).toHaveBeenCalledTimes(2);
  }, 20_000);

  it('each instance writes its own heartbeat row: instances on one database never contend for one row (review H3)', async () => {
    t = await TestApp.create();
    const other = await TestApp.create({ database: t.database });
    try {
      await t.http().get('/health/ready').expect(200);
      await other.http().get('/health/ready').expect(200);
      const rows = (await t.dataSource().query('SELECT id FROM health_heartbeat')) as { id: number }[];
      // The migration's row (id 1, never beaten) is swept by the first probe; one row per instance remains.
      expect(new Set(rows.map((row) => Number(row.id))).size).toBe(2);
      expect(rows.map((row) => Number(row.id))).not.toContain(1);
    } finally {
      await other.close();
    }
  });
});
