import { Clock } from '../src/common/clock';
import { buildDist, CliClient, ServiceProcess } from './support/service-process';
import { TestApp, TestClient } from './support/test-app';
import { createTestDatabase, TestDatabase } from './support/test-database';

const CHAINS = 12;
const LOAD_MS = 1500;

interface Chain {
  /** Refresh tokens received in a 200, in order (the first one is from the family's start). */
  acked: string[];
  /** The token of a request that never got an answer because the server died under it. */
  lost?: string;
}

/**
 * Durability: chains of refreshes run under load against the real process, which is SIGKILLed and
 * restarted on the same database (a temp SQLite file, or PostgreSQL under `npm run test:pg`).
 */
describe('crash recovery (SIGKILL under load)', () => {
  let database: TestDatabase;
  let admin: TestApp;
  let service: ServiceProcess;
  let client: TestClient;
  let credentials: CliClient;

  beforeAll(async () => {
    buildDist();
    database = await createTestDatabase();
    // In-process app on the same database: issues the chains' first tokens and reads the tables.
    // It uses the real clock, as the service processes do.
    admin = await TestApp.create({ database, override: (builder) => builder.overrideProvider(Clock).useValue(new Clock()) });
    client = await admin.createClient();
    credentials = { client_id: client.clientId, client_secret: client.clientSecret! };
  }, 60_000);
  afterAll(async () => {
    await service?.kill('SIGKILL');
    await admin?.close();
    await database?.drop();
  });

  it('no acknowledged rotation is lost, no rotation is half-done, no chain has two live tokens', async () => {
    const chains: Chain[] = [];
    for (let i = 0; i < CHAINS; i++) {
      const token = (await admin.issueTokens(client, `user-${i}`)).refresh_token!;
      chains.push({ acked: [token] });
    }
    service = await ServiceProcess.start({ databaseUrl: database.url });
    // Half of the chains stop just before the kill (their last request completed), the other half
    // are hammering the server when it dies (their last request is in flight).
    const quiet = { now: false };
    const busy = { now: false };
    const load = chains.map((chain, i) => drive(chain, service, credentials, i % 2 === 0 ? busy : quiet));
    await sleep(LOAD_MS);
    quiet.now = true;
    await Promise.all(load.filter((_, i) => i % 2 === 1));
    busy.now = true;
    await service.kill('SIGKILL');
    await Promise.all(load);

    const lost = chains.filter((chain) => chain.lost !== undefined);
    const completed = chains.filter((chain) => chain.lost === undefined);
    expect(chains.every((chain) => chain.acked.length > 3)).toBe(true);

    expect(lost.length).toBeGreaterThan(0);
    expect(completed.length).toBeGreaterThanOrEqual(CHAINS / 2);
    await expectOneLiveTokenPerFamilyAndNoHalfRotation(admin);
    service = await ServiceProcess.start({ databaseUrl: database.url });

    for (const chain of completed) {
      // The last token received in a 200 continues the chain ...
      const next = await service.refresh(credentials, last(chain.acked));
      expect(next.status).toBe(200);
      // ... and its predecessor is dead.
      const previous = await service.refresh(credentials, chain.acked[chain.acked.length - 2]);
      expect(previous.status).toBe(400);
    }
    for (const chain of lost) {
      // In flight at the kill: either the rotation never committed (the token still works) or it
      // committed and only the answer was lost (the token is consumed; presenting it is a reuse).
      const consumed = await isConsumed(admin, chain.lost!);
      const res = await service.refresh(credentials, chain.lost!);
      expect(res.status).toBe(consumed ? 400 : 200);
    }
  }, 60_000);
});

async function drive(chain: Chain, service: ServiceProcess, credentials: CliClient, stop: { now: boolean }): Promise<void> {
  while (!stop.now) {
    const token = last(chain.acked);
    let res: Response;
    try {
      res = await service.refresh(credentials, token);
    } catch {
      chain.lost = token;
      return;
    }
    if (res.status !== 200) throw new Error(`chain got ${res.status}: ${await res.text()}`);
    try {
      chain.acked.push(((await res.json()) as { refresh_token: string }).refresh_token);
    } catch {
      chain.lost = token; // the connection died while the body was being read
      return;
    }
  }
}

/** Straight from the tables: every live family has exactly one unconsumed token, every consumed one a successor. */
async function expectOneLiveTokenPerFamilyAndNoHalfRotation(admin: TestApp): Promise<void> {
  const rows: { family_id: string; live: string; tokens: string; children: string }[] = await admin.dataSource().query(
    `SELECT t.family_id,
            SUM(CASE WHEN t.consumed_at IS NULL THEN 1 ELSE 0 END) AS live,
            COUNT(*) AS tokens,
            (SELECT COUNT(*) FROM refresh_tokens c WHERE c.family_id = t.family_id AND c.parent_id IS NOT NULL) AS children
       FROM refresh_tokens t JOIN token_families f ON f.id = t.family_id
      WHERE f.revoked_at IS NULL
      GROUP BY t.family_id`,
  );
  expect(rows).toHaveLength(CHAINS);
  for (const row of rows) {
    expect(Number(row.live)).toBe(1);
    expect(Number(row.children)).toBe(Number(row.tokens) - 1);
  }
}

async function isConsumed(admin: TestApp, token: string): Promise<boolean> {
  const { hashRefreshToken } = await import('../src/token/refresh-tokens/refresh-token-factory');
  const stored = await admin.dataSource().query(`SELECT consumed_at FROM refresh_tokens WHERE token_hash = '${hashRefreshToken(token)}'`);
  return stored[0].consumed_at !== null;
}

const last = <T>(items: T[]): T => items[items.length - 1];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
