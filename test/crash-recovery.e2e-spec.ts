import { Clock, hashRefreshToken } from 'nest-oauth-server';
import { buildDist, CliClient, ServiceProcess } from './support/service-process';
import { TestApp, TestClient } from './support/test-app';
import { createTestDatabase, TestDatabase } from './support/test-database';

const CHAINS = 12;
const LOAD_MS = 1500;
/** Chains whose last rotation commits for sure but whose answer never reaches them. */
const DROPPED = 2;

interface Chain {
  /** Refresh tokens received in a 200, in order (the first one is from the family's start). */
  acked: string[];
  /** The token of a request that never got an answer (the server died under it, or the answer was dropped). */
  lost?: string;
}

/** Long enough to cover the restart: a retry after it is still inside the interval. */
const REUSE_INTERVAL = 120;

/**
 * Durability: chains of refreshes run under load against the real process, which is SIGKILLed and
 * restarted on the same database (a temp SQLite file, or PostgreSQL under `npm run test:pg`).
 */
describe.each([
  // Explicit: the retry window is on by default.
  ['strict rotation', { REFRESH_TOKEN_REUSE_INTERVAL: '0' }],
  ['retry-safe rotation', { REFRESH_TOKEN_REUSE_INTERVAL: String(REUSE_INTERVAL) }],
])('crash recovery (SIGKILL under load), %s', (mode, serviceEnv: Record<string, string>) => {
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

  const start = () => ServiceProcess.start({ databaseUrl: database.url, env: serviceEnv });

  /** Runs the chains under load, kills the service with SIGKILL and restarts it on the same database. */
  async function crashUnderLoad(): Promise<{ lost: Chain[]; completed: Chain[] }> {
    const chains: Chain[] = [];
    for (let i = 0; i < CHAINS; i++) {
      const token = (await admin.issueTokens(client, `user-${i}`)).refresh_token!;
      chains.push({ acked: [token] });
    }
    service = await start();
    // Half of the chains stop just before the kill (their last request completed), the other half
    // are hammering the server when it dies (their last request is in flight).
    const quiet = { now: false };
    const busy = { now: false };
    const load = chains.map((chain, i) => drive(chain, service, credentials, i % 2 === 0 ? busy : quiet));
    await sleep(LOAD_MS);
    quiet.now = true;
    await Promise.all(load.filter((_, i) => i % 2 === 1));
    // A committed rotation whose answer is lost is rare in a real kill; make sure some chains have one.
    for (const chain of chains.filter((_, i) => i % 2 === 1).slice(0, DROPPED)) {
      const res = await service.refresh(credentials, last(chain.acked));
      expect(res.status).toBe(200);
      await res.body?.cancel();
      chain.lost = last(chain.acked);
    }
    busy.now = true;
    await service.kill('SIGKILL');
    await Promise.all(load);

    const lost = chains.filter((chain) => chain.lost !== undefined);
    const completed = chains.filter((chain) => chain.lost === undefined);
    expect(chains.every((chain) => chain.acked.length > 3)).toBe(true);
    expect(lost.length).toBeGreaterThan(0);
    expect(completed.length).toBeGreaterThanOrEqual(CHAINS / 2 - DROPPED);
    await expectOneLiveTokenPerFamilyAndNoHalfRotation(admin);
    service = await start();

    for (const chain of completed) {
      // The last token received in a 200 continues the chain ...
      const next = await service.refresh(credentials, last(chain.acked));
      expect(next.status).toBe(200);
      // ... and its predecessor is dead.
      const previous = await service.refresh(credentials, chain.acked[chain.acked.length - 2]);
      expect(previous.status).toBe(400);
    }
    return { lost, completed };
  }

  if (mode === 'strict rotation') {
    it('no acknowledged rotation is lost, no rotation is half-done, no chain has two live tokens', async () => {
      const { lost } = await crashUnderLoad();
      for (const chain of lost) {
        // In flight at the kill: either the rotation never committed (the token still works) or it
        // committed and only the answer was lost (the token is consumed; presenting it is a reuse).
        const consumed = await isConsumed(admin, chain.lost!);
        const res = await service.refresh(credentials, chain.lost!);
        expect(res.status).toBe(consumed ? 400 : 200);
      }
    }, 60_000);
  } else {
    it('every chain whose request was in flight continues after the restart by retrying its last acknowledged token', async () => {
      const { lost } = await crashUnderLoad();
      const outcomes = { unseenSuccessorServed: 0, neverConsumed: 0 };
      for (const chain of lost) {
        // The token in flight is the last one the chain received in a 200.
        expect(chain.lost).toBe(last(chain.acked));
        const successor = await successorOf(admin, chain.lost!);
        const res = await service.refresh(credentials, chain.lost!);
        expect(res.status).toBe(200);
        const received = ((await res.json()) as { refresh_token: string }).refresh_token;
        if (successor) {
          // The rotation committed but its answer died with the process: the retry hands out the
          // successor the client never saw, not a new one.
          expect(hashRefreshToken(received)).toBe(successor);
          outcomes.unseenSuccessorServed++;
        } else {
          outcomes.neverConsumed++;
        }
        // The chain goes on with what it received ...
        const next = await service.refresh(credentials, received);
        expect(next.status).toBe(200);
        const after = await service.refresh(credentials, ((await next.json()) as { refresh_token: string }).refresh_token);
        expect(after.status).toBe(200);
        // ... and the retried token is no longer retryable: its successor has been used (reuse).
        expect((await service.refresh(credentials, chain.lost!)).status).toBe(400);
      }
      expect(outcomes.unseenSuccessorServed + outcomes.neverConsumed).toBe(lost.length);
      expect(outcomes.unseenSuccessorServed).toBeGreaterThanOrEqual(DROPPED);
    }, 60_000);
  }
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
  const stored = await admin.dataSource().query(`SELECT consumed_at FROM refresh_tokens WHERE token_hash = '${hashRefreshToken(token)}'`);
  return stored[0].consumed_at !== null;
}

/** The hash of the successor the token was rotated into, or null while it is unconsumed. */
async function successorOf(admin: TestApp, token: string): Promise<string | null> {
  const rows: { token_hash: string }[] = await admin
    .dataSource()
    .query(`SELECT c.token_hash FROM refresh_tokens c JOIN refresh_tokens p ON c.parent_id = p.id WHERE p.token_hash = '${hashRefreshToken(token)}'`);
  return rows[0]?.token_hash ?? null;
}

const last = <T>(items: T[]): T => items[items.length - 1];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
