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
    await t.http().get('/health/ready').expect(200);
  });

  it('not ready (503) when the database does not answer', async () => {
    t = await TestApp.create();
    await t.dataSource().destroy();
    const ready = await t.http().get('/health/ready').expect(503);
    expect(ready.body).toMatchObject({ status: 'error', error: { database: { status: 'down' } } });
  });
});
