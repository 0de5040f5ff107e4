import { setTimeout as sleep } from 'node:timers/promises';
import { buildDist, CliClient, runCli, ServiceProcess } from './support/service-process';
import { createTestDatabase, TestDatabase } from './support/test-database';

const ADMIN_API_KEY = 'cache-admin-key-0123456789-abcdefghijklmnop';
/** The default CLIENT_CACHE_MAX_STALENESS_MS: what docs/performance.md promises across instances. */
const STALENESS_MS = 1000;

/**
 * The client cache across instances (issue 17): two real service processes on one database
 * (PostgreSQL under `npm run test:pg`, one SQLite file otherwise). A client write through instance
 * A is seen by A's next request and by B within the staleness bound (B reads the version the
 * database triggers bump); so is a write by the CLI, a third process.
 */
describe('client cache across instances', () => {
  let database: TestDatabase;
  let a: ServiceProcess;
  let b: ServiceProcess;

  beforeAll(async () => {
    buildDist();
    database = await createTestDatabase();
    a = await ServiceProcess.start({ databaseUrl: database.url, env: { ADMIN_API_KEY } });
    b = await ServiceProcess.start({ databaseUrl: database.url, env: { ADMIN_API_KEY } });
  }, 60_000);
  afterAll(async () => {
    await Promise.all([a?.kill('SIGKILL'), b?.kill('SIGKILL')]);
    await database?.drop();
  });

  const createClient = () => runCli<CliClient>(database.url, ['clients:create', '--name', 'cached', '--grant-types', 'client_credentials']);
  const token = (service: ServiceProcess, client: CliClient, secret = client.client_secret) =>
    service.fetch('/oauth/token', {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${client.client_id}:${secret}`).toString('base64')}`,
      },
      body: 'grant_type=client_credentials',
    });
  /** Milliseconds from `since` until `service` answers `status` (polling), or Infinity past a generous deadline. */
  const seenAfter = async (since: number, service: ServiceProcess, client: CliClient, status: number, secret?: string) => {
    while (performance.now() - since < STALENESS_MS + 3000) {
      if ((await token(service, client, secret)).status === status) return performance.now() - since;
      await sleep(20);
    }
    return Infinity;
  };

  it('a disable through instance A: A refuses the next request, B within the staleness bound', async () => {
    const client = await createClient();
    for (const service of [a, b]) expect((await token(service, client)).status).toBe(200); // both keep the row
    const started = performance.now();
    const res = await a.fetch(`/admin/clients/${client.client_id}/disable`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_API_KEY}` } });
    expect(res.status).toBe(200);
    expect((await token(a, client)).status).toBe(401);
    // Margin over the bound: one version read and the request itself, on a loaded machine.
    expect(await seenAfter(started, b, client, 401)).toBeLessThan(STALENESS_MS + 500);
  });

  it('a secret rotation by the CLI (a third process): the old secret refused on both within the bound, the new one accepted', async () => {
    const client = await createClient();
    for (const service of [a, b]) expect((await token(service, client)).status).toBe(200);
    const rotated = await runCli<{ client_secret: string }>(database.url, ['clients:rotate-secret', client.client_id]);
    const committed = performance.now();
    for (const service of [a, b]) {
      expect(await seenAfter(committed, service, client, 401)).toBeLessThan(STALENESS_MS + 500);
      expect((await token(service, client, rotated.client_secret)).status).toBe(200);
    }
  });
});
