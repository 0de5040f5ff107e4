import { DatabaseClock, KEY_TIMING_MARGIN_MS, KeysAdmin, LEASE_TTL_MS, SchedulerLease, SIGNING_KEYS_LEASE, SigningKeyScheduler, SigningKeysService } from 'nest-oauth-server';
import { introspect, postAs } from './support/oauth-requests';
import { TestApp, TestClient } from './support/test-app';
import { createTestDatabase, TestDatabase } from './support/test-database';

const DAY_MS = 86_400_000;
const ROTATION = 3600;
const JWKS_MAX_AGE = 300;
/** JWKS max-age + reload interval + margin (SigningKeySchedule.propagationMs). */
const PROPAGATION = JWKS_MAX_AGE + 5 + 60;
const env = { SIGNING_KEY_ROTATION_INTERVAL: String(ROTATION), JWKS_MAX_AGE: String(JWKS_MAX_AGE), ACCESS_TOKEN_TTL: '900', REFRESH_TOKEN_REUSE_INTERVAL: '0' };

const kidOf = (jwt: string): string => JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString()).kid;

interface KeyRow {
  kid: string;
  activates_at: string | number;
  retired_at: string | number | null;
}

const keyRows = async (t: TestApp): Promise<KeyRow[]> => t.dataSource().query('SELECT kid, activates_at, retired_at FROM signing_keys ORDER BY generation');
const setActivatesAt = (t: TestApp, kid: string, at: number) => t.dataSource().query('UPDATE signing_keys SET activates_at = $1 WHERE kid = $2', [at, kid]);
const mint = (t: TestApp, client: TestClient) => postAs(t, '/oauth/token', client, { grant_type: 'client_credentials', scope: 'read' });

/**
 * Review H1: the signing-key schedule and its lease followed each instance's own clock, so one
 * instance running 31 days ahead took the lease for good, created K2 and retired K1 by its clock,
 * and every other instance (K1 retired, K2 still pending) answered 500 to every token request.
 */
describe('signing-key schedule by the database clock, with one instance 31 days ahead', () => {
  let database: TestDatabase;
  let healthy: TestApp;
  let jumped: TestApp;
  let client: TestClient;
  const db = () => healthy.get(DatabaseClock).now();
  const tickBoth = async () => {
    // The jumped instance's clock moves on: time passes for it, as for the others.
    jumped.clock.advance(600);
    await jumped.get(SigningKeyScheduler).tick();
    await healthy.get(SigningKeyScheduler).tick();
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    const checked = { ...env, SIGNING_KEY_MAX_CLOCK_SKEW: '60' };
    healthy = await TestApp.create({ database, env: checked });
    jumped = await TestApp.create({ database, env: { ...checked, CLOCK_OFFSET_MS: String(31 * DAY_MS) } });
    client = await healthy.createClient({ grantTypes: ['client_credentials'], scope: 'read' });
  });
  afterAll(async () => {
    // Closed in reverse order of creation, so that each restores the environment it found.
    await jumped?.close();
    await healthy?.close();
    await database?.drop();
  });
  beforeEach(() => {
    healthy.clock.setToRealTime();
    jumped.clock.setToRealTime();
  });

  it('K1 near the end of its interval: the jumped instance neither takes the lease nor steps; the healthy one still signs with K1', async () => {
    const [k1] = await keyRows(healthy);
    // The rotation comes due (by the database clock) in two minutes.
    await setActivatesAt(healthy, k1.kid, (await db()) - (ROTATION - PROPAGATION - 120) * 1000);
    for (let round = 0; round < 4; round++) {
      await tickBoth();
      const res = await mint(healthy, client).expect(200);
      expect(kidOf(res.body.access_token)).toBe(k1.kid);
    }
    const rows = await keyRows(healthy);
    expect(rows.map((row) => row.kid)).toEqual([k1.kid]);
    expect(rows[0].retired_at).toBeNull();
  });

  it('the lease is never held past the database now() + TTL, and the jumped instance cannot take it from the holder', async () => {
    expect(await healthy.get(SigningKeyScheduler).tick()).toBe(true);
    // Called directly (past its own clock check): the lease compares by the database clock.
    expect(await jumped.get(SchedulerLease).tryAcquire(SIGNING_KEYS_LEASE, LEASE_TTL_MS)).toBe(false);
    const [lease] = await healthy.dataSource().query('SELECT expires_at FROM scheduler_leases WHERE name = $1', [SIGNING_KEYS_LEASE]);
    expect(Number(lease.expires_at)).toBeLessThanOrEqual((await db()) + LEASE_TTL_MS);
    expect(await healthy.get(SigningKeyScheduler).tick()).toBe(true);
  });

  it('a due rotation adds K2 pending by the database clock; K1 is retired only once K2 has signed for the margin', async () => {
    const [k1] = await keyRows(healthy);
    await setActivatesAt(healthy, k1.kid, (await db()) - (ROTATION - 300) * 1000);
    await healthy.get(SigningKeyScheduler).tick();
    const rows = await keyRows(healthy);
    expect(rows).toHaveLength(2);
    const k2 = rows[1];
    // Pending for the propagation delay from the database's now, not from the jumped clock.
    expect(Number(k2.activates_at)).toBeLessThanOrEqual((await db()) + PROPAGATION * 1000);
    expect(kidOf((await mint(healthy, client).expect(200)).body.access_token)).toBe(k1.kid);

    // K2 active for less than the margin: K1 is not retired yet.
    await setActivatesAt(healthy, k2.kid, (await db()) - KEY_TIMING_MARGIN_MS / 2);
    healthy.clock.setToRealTime();
    await tickBoth();
    expect((await keyRows(healthy)).find((row) => row.kid === k1.kid)!.retired_at).toBeNull();
    expect(kidOf((await mint(healthy, client).expect(200)).body.access_token)).toBe(k2.kid);

    await setActivatesAt(healthy, k2.kid, (await db()) - KEY_TIMING_MARGIN_MS - 1000);
    await tickBoth();
    expect((await keyRows(healthy)).find((row) => row.kid === k1.kid)!.retired_at).not.toBeNull();
    expect(kidOf((await mint(healthy, client).expect(200)).body.access_token)).toBe(k2.kid);
  });
});

/** No key can sign by this instance's clock: a published pending key signs; none at all is a 503, never a 500. */
describe('signing when no key is active', () => {
  let t: TestApp;
  let client: TestClient;
  const retire = (kid: string, removeAfter: number) =>
    t.dataSource().query('UPDATE signing_keys SET retired_at = $1, remove_after = $2 WHERE kid = $3', [t.clock.now(), removeAfter, kid]);
  // Only a re-read, as an instance that does not hold the lease does (no scheduled step here).
  const reload = () => t.get(SigningKeysService).reload();

  beforeAll(async () => {
    t = await TestApp.create({ env });
    client = await t.createClient({ grantTypes: ['client_credentials', 'refresh_token'], scope: 'read' });
  });
  afterAll(() => t?.close());

  it('the old key retired elsewhere, the new one still pending here: the pending key signs', async () => {
    const [k1] = await keyRows(t);
    const k2 = (await t.get(KeysAdmin).rotate()).kid;
    await retire(k1.kid, t.clock.now() + 3_600_000);
    await reload();
    expect(kidOf((await mint(t, client).expect(200)).body.access_token)).toBe(k2);
  });

  it('no usable key at all: 503 temporarily_unavailable with Retry-After, nothing committed; the same refresh token works once a key is back', async () => {
    const issued = await t.issueTokens(client, 'alice', 'read');
    const [, k2] = await keyRows(t);
    await retire(k2.kid, t.clock.now());
    await reload();
    const refused = await t.refresh(client, issued.refresh_token!).expect(503);
    expect(refused.body.error).toBe('temporarily_unavailable');
    expect(refused.headers['retry-after']).toBeDefined();
    await mint(t, client).expect(503);

    await t.dataSource().query('UPDATE signing_keys SET retired_at = NULL, remove_after = NULL WHERE kid = $1', [k2.kid]);
    await reload();
    // Not reuse: the refused rotation committed nothing (REFRESH_TOKEN_REUSE_INTERVAL=0).
    await t.refresh(client, issued.refresh_token!).expect(200);
  });
});

/**
 * Review L3: after an emergency retire on one instance, the others kept signing with and accepting
 * the kid until their next 5 s tick. They now re-read the key set every second.
 */
describe('emergency retire seen by another instance', () => {
  let database: TestDatabase;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase();
    a = await TestApp.create({ database, env });
    b = await TestApp.create({ database, env });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await database?.drop();
  });

  /** Resolves right after B's own timer has re-read the key set (the worst moment to retire). */
  const afterNextReloadOf = (app: TestApp) => {
    const service = app.get(SigningKeysService);
    const original = service.reload;
    return new Promise<void>((resolve) => {
      service.reload = async function (this: SigningKeysService, strict?: boolean) {
        await original.call(this, strict);
        service.reload = original;
        resolve();
      };
    });
  };

  it('the other instance stops accepting and signing with the kid within about a second', async () => {
    const client = await a.createClient({ grantTypes: ['client_credentials'], scope: 'read' });
    const rs = await a.createClient({ name: 'rs', grantTypes: [], allowIntrospection: true });
    const token = (await mint(b, client).expect(200)).body.access_token as string;
    const kid = kidOf(token);
    await afterNextReloadOf(b);
    await a.get(SigningKeysService).retire(kid);
    const retiredAt = Date.now();
    // Waits on B's real timer (nothing to fake): poll, bounded well below the old 5 s reload.
    let active = true;
    while (active && Date.now() - retiredAt < 3000) {
      active = (await introspect(b, rs, { token }).expect(200)).body.active;
      if (active) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(active).toBe(false);
    expect(Date.now() - retiredAt).toBeLessThan(2000);
    expect(kidOf((await mint(b, client).expect(200)).body.access_token)).not.toBe(kid);
  });
});
