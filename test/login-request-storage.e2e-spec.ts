import { EXPIRY_GRACE_MS, RECLAIMED_PER_INSERT } from 'nest-oauth-server';
import { CodeFlow, codeFlowEnv, pkcePair } from './support/code-flow';
import { TestApp, TestClient } from './support/test-app';

const LOGIN_TTL = 60;
const PER_ROUND = 40;

/**
 * Issue 10 item 4: unauthenticated `GET /oauth/authorize` writes a login request each time; an
 * hourly, bounded retention run could not keep up with one client's writes. Every insert now
 * reclaims expired requests (more than it adds), so storage stays bounded with retention off.
 */
describe('login request storage stays bounded under unauthenticated authorize traffic', () => {
  let t: TestApp;
  let flow: CodeFlow;
  let client: TestClient;

  beforeAll(async () => {
    t = await TestApp.create({ env: { ...codeFlowEnv, LOGIN_REQUEST_TTL: String(LOGIN_TTL), RETENTION_INTERVAL: '0' } });
    flow = new CodeFlow(t);
    client = await flow.createClient();
  });
  afterAll(() => t.close());

  const rows = async () => Number((await t.dataSource().query('SELECT COUNT(*) AS n FROM login_requests'))[0].n);
  const burst = async (count: number) => {
    for (let i = 0; i < count; i++) await flow.authorize(flow.authorizeQuery(client, pkcePair().challenge, { state: 's'.repeat(512) })).expect(302);
  };

  it('reclaims expired login requests at least as fast as they are created', async () => {
    expect(RECLAIMED_PER_INSERT).toBeGreaterThan(1);
    const sizes: number[] = [];
    for (let round = 0; round < 6; round++) {
      await burst(PER_ROUND);
      sizes.push(await rows());
      // Every request of this round expires (plus the grace the cleanup allows for clock skew).
      t.clock.advance(LOGIN_TTL + EXPIRY_GRACE_MS / 1000);
    }
    // Only the live round is stored, never the expired ones before it: 40, 40, 40, ... not 40, 80, 120, ...
    expect(sizes).toEqual(Array(6).fill(PER_ROUND));
  });

  it('never reclaims a login request that is still live (or expired less than the grace period ago)', async () => {
    const live = async () => Number((await t.dataSource().query(`SELECT COUNT(*) AS n FROM login_requests WHERE expires_at > ${t.clock.now() - EXPIRY_GRACE_MS}`))[0].n);
    expect(await live()).toBe(0);
    await burst(5);
    t.clock.advance(LOGIN_TTL - 1);
    await burst(5);
    expect(await live()).toBe(10);
    t.clock.advance(EXPIRY_GRACE_MS / 1000);
    await burst(5);
    expect(await live()).toBe(15);
  });

  it('an instance whose clock runs fast does not reclaim requests live by the database clock (review L2)', async () => {
    // The fake clock at the real time (so that the database clock and this instance agree) ...
    t.clock.advance(Math.ceil((Date.now() - t.clock.now()) / 1000));
    // Only this test's requests, so that the reclaim (oldest first) has nothing else to take.
    await t.dataSource().query('DELETE FROM login_requests');
    await burst(3);
    // The first burst only (the fast instance's own requests expire 31 days ahead).
    const liveByDatabase = async () =>
      Number((await t.dataSource().query(`SELECT COUNT(*) AS n FROM login_requests WHERE expires_at > ${Date.now()} AND expires_at < ${Date.now() + 86_400_000}`))[0].n);
    expect(await liveByDatabase()).toBe(3);
    // ... then 31 days fast: its inserts reclaim by the earlier of its clock and the database's.
    t.clock.advance(31 * 24 * 3600);
    await burst(3);
    expect(await liveByDatabase()).toBe(3);
  });
});
