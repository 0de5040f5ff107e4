import { holdWriteLock } from '../support/database-lock';
import { FaultLab, printFigures } from './support/fault-lab';
import { PrivatePostgres } from './support/private-postgres';
import { sleep } from './support/refresh-fleet';

/**
 * Issue 13 on PostgreSQL, two instances on a private cluster (never the machine's shared one):
 * SIGTERM with keep-alive clients, kill -9, a held table lock, the database stopped and started,
 * the database frozen (SIGSTOP) longer than the clients' timeout while they retry, and a clock
 * jump on one instance.
 */
describe('faults on PostgreSQL', () => {
  let cluster: PrivatePostgres;
  let lab: FaultLab;

  beforeAll(async () => {
    cluster = await PrivatePostgres.create();
    lab = new FaultLab('PostgreSQL', { url: cluster.url, drop: async () => undefined });
    await lab.setUp();
  }, 90_000);
  afterAll(async () => {
    printFigures(lab?.figures ?? []);
    await lab?.tearDown();
    cluster?.destroy();
  });

  it('SIGTERM with keep-alive clients: the instance drains, exits 0, its clients move on', async () => {
    await lab.scenario('SIGTERM', async () => {
      expect(await lab.services[0].kill('SIGTERM')).toEqual({ code: 0, signal: null });
      await lab.restart(0);
    });
  });

  it('kill -9 under load: a lost answer is retried with the token the client holds', async () => {
    await lab.scenario('kill -9', async () => {
      await lab.services[1].kill('SIGKILL');
      await lab.restart(1);
      return { answersMayBeLost: true };
    });
  });

  it('a table lock held past the client timeout: 503 with Retry-After, not ready, then recovery', async () => {
    await lab.scenario('table lock 3.5 s', async () => {
      const lock = await holdWriteLock({ url: cluster.url, drop: async () => undefined });
      let notReadySeen = false;
      try {
        await sleep(1500);
        notReadySeen = (await lab.ready(0)) === 503;
        await sleep(2000);
      } finally {
        await lock.release();
      }
      await lab.waitUntilReady(0);
      return { notReadySeen, expectUnavailable: true };
    });
  });

  it('the database stopped and started again: 503 while it is down, recovery without a restart', async () => {
    await lab.scenario('database stop/start', async () => {
      cluster.stop();
      await sleep(1500);
      const notReadySeen = (await lab.ready(0)) === 503;
      cluster.start();
      await lab.waitUntilReady(0);
      await lab.waitUntilReady(1);
      // A COMMIT can reach the server just before it stops; its answer is then lost with the connection.
      return { notReadySeen, expectUnavailable: true, answersMayBeLost: true };
    });
  });

  it('the database frozen (SIGSTOP) for 4 s, longer than the client timeout: nothing commits behind a 503', async () => {
    await lab.scenario('database freeze 4 s', async () => {
      cluster.signalAll('SIGSTOP');
      let notReadySeen = false;
      try {
        await sleep(1000);
        notReadySeen = (await lab.ready(0)) === 503;
        await sleep(2000);
      } finally {
        cluster.signalAll('SIGCONT');
      }
      await lab.waitUntilReady(0);
      await lab.waitUntilReady(1);
      // A COMMIT frozen on its way can complete after the client gave up: the retry window's case.
      return { notReadySeen, expectUnavailable: true, answersMayBeLost: true };
    });
  });

  // A third instance, 31 days ahead, cleaning up every second beside the two serving ones. Its
  // cutoffs come from the database clock and it refuses to run that far off: no live family is
  // deleted (one such instance once deleted them all), and no rotation meets a lock of its.
  it('a clock jump on one instance (+31 days): no live family deleted, no rotation disturbed', async () => {
    await lab.scenario('clock +31 days on one instance', async () => {
      const jumped = await lab.startService({ CLOCK_OFFSET_MS: String(31 * 86_400_000), RETENTION_INTERVAL: '1' });
      try {
        await sleep(2500);
        expect(jumped.logs()).toContain('retention cleanup refused');
      } finally {
        await jumped.kill('SIGKILL');
      }
      expect(await lab.familyCount()).toBe(24);
    });
  });
});
