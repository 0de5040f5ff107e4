import { EXPIRY_GRACE_MS, RetentionService } from 'nest-oauth-server';
import { CodeFlow, codeFlowEnv, pkcePair } from './support/code-flow';
import { introspect, revoke } from './support/oauth-requests';
import { TestApp, TestClient } from './support/test-app';

const METRICS_TOKEN = 'm'.repeat(40);

const LOGIN_TTL = 600;
const CODE_TTL = 60;
const ACCESS_TTL = 900;
const ABSOLUTE_TTL = 3600;
const GRACE = EXPIRY_GRACE_MS / 1000;

/** Retention of the short-lived records of the code flow and of access-token revocation, on the fake clock. */
describe('retention cleanup of login requests, authorization codes and revoked access-token ids', () => {
  let t: TestApp;
  let flow: CodeFlow;
  let client: TestClient;
  let retention: RetentionService;
  let rs: TestClient;

  beforeAll(async () => {
    t = await TestApp.create({
      env: {
        ...codeFlowEnv,
        LOGIN_REQUEST_TTL: String(LOGIN_TTL),
        AUTHORIZATION_CODE_TTL: String(CODE_TTL),
        ACCESS_TOKEN_TTL: String(ACCESS_TTL),
        REFRESH_TOKEN_ABSOLUTE_TTL: String(ABSOLUTE_TTL),
        RETENTION_BATCH_SIZE: '2',
        RETENTION_MAX_BATCHES: '1000',
        // /metrics is on the public port only behind METRICS_TOKEN (or on METRICS_PORT).
        METRICS_TOKEN,
        // The cleanup follows the hand-moved clock here, not the database's (retention-clock e2e).
        RETENTION_MAX_CLOCK_SKEW: '0',
      },
    });
    flow = new CodeFlow(t);
    client = await flow.createClient();
    retention = t.get(RetentionService);
    rs = await t.createClient({ name: 'resource server', grantTypes: [], allowIntrospection: true });
  });
  afterAll(() => t.close());

  const count = async (table: string, where = '1 = 1') => Number((await t.dataSource().query(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`))[0].n);
  const codeRows = () => count('authorization_codes');
  /** A whole cleanup run (families, then records); batches repeat until the backlog is gone. */
  const purgeAll = () => retention.runOnce();
  /** A code redeemed for tokens; its row now records the family issued from it. */
  const redeemed = async () => {
    const pkce = pkcePair();
    const code = await flow.code(client, pkce.challenge);
    const tokens = (await flow.exchange(client, code, pkce.verifier).expect(200)).body;
    return { code, verifier: pkce.verifier, tokens };
  };

  beforeEach(async () => {
    // Start every case from empty tables: everything left over is long expired by then.
    t.clock.advance(ABSOLUTE_TTL * 2);
    await revokeAllFamilies();
    await purgeAll();
    expect(await count('login_requests')).toBe(0);
    expect(await codeRows()).toBe(0);
  });
  const revokeAllFamilies = () => t.dataSource().query(`UPDATE token_families SET revoked_at = ${t.clock.now()} WHERE revoked_at IS NULL`);

  it('deletes login requests, handled or not, once they expired past the grace period', async () => {
    const pending = await flow.loginChallenge(client, pkcePair().challenge);
    await flow.loginChallenge(client, pkcePair().challenge).then((c) => flow.accept(c).expect(200));
    t.clock.advance(LOGIN_TTL + GRACE - 1);
    await purgeAll();
    expect(await count('login_requests')).toBe(2);
    await flow.admin('get', `/login-requests/${pending}`).expect(410); // expired, still known
    t.clock.advance(1);
    await purgeAll();
    expect(await count('login_requests')).toBe(0);
    await flow.admin('get', `/login-requests/${pending}`).expect(404);
  });

  it('deletes unused codes once expired past the grace period', async () => {
    await flow.code(client, pkcePair().challenge);
    await flow.code(client, pkcePair().challenge);
    await flow.code(client, pkcePair().challenge);
    t.clock.advance(CODE_TTL + GRACE - 1);
    await purgeAll();
    expect(await codeRows()).toBe(3);
    t.clock.advance(1);
    expect((await retention.purgeExpired()).authorizationCodes).toBe(3);
    expect(await codeRows()).toBe(0);
  });

  it('keeps a used code while its family lives, so a second presentation still revokes the family (RFC 6749 §4.1.2)', async () => {
    const { code, verifier, tokens } = await redeemed();
    t.clock.advance(ABSOLUTE_TTL / 2); // far past the code's own expiry
    await purgeAll();
    expect(await codeRows()).toBe(1);
    await flow.exchange(client, code, verifier).expect(400, /invalid_grant/);
    await t.refresh(client, tokens.refresh_token).expect(400, /invalid_grant/);
    expect((await introspect(t, rs, { token: tokens.access_token }).expect(200)).body.active).toBe(false);
    // The family is revoked now: the code has no more work to do.
    expect((await retention.purgeExpired()).authorizationCodes).toBe(1);
    expect(await codeRows()).toBe(0);
  });

  it('deletes a used code in the run that deletes its ended family, and a code that issued no family once its access token expired', async () => {
    await redeemed();
    const accessOnly = await flow.createClient({ grantTypes: ['authorization_code'] });
    const pkce = pkcePair();
    await flow.exchange(accessOnly, await flow.code(accessOnly, pkce.challenge), pkce.verifier).expect(200);
    t.clock.advance(CODE_TTL + GRACE);
    await purgeAll();
    // Kept while the access token issued for it lives: a replay must still revoke it (RFC 6749 §4.1.2).
    expect(await count('authorization_codes', 'family_id IS NULL')).toBe(1);
    t.clock.advance(ACCESS_TTL);
    await purgeAll();
    expect(await count('authorization_codes', 'family_id IS NULL')).toBe(0);
    expect(await codeRows()).toBe(1);
    t.clock.advance(ABSOLUTE_TTL);
    await retention.runOnce();
    expect(await count('token_families')).toBe(0);
    expect(await codeRows()).toBe(0);
  });

  it('deletes revoked access-token ids once the token expired past the grace period, not before', async () => {
    const machine = await t.createClient({ grantTypes: ['client_credentials'] });
    const token = async () =>
      (await t.http().post('/oauth/token').type('form').auth(machine.clientId, machine.clientSecret!).send({ grant_type: 'client_credentials' }).expect(200)).body.access_token;
    const revoked = [await token(), await token(), await token()];
    for (const accessToken of revoked) await revoke(t, machine, { token: accessToken, token_type_hint: 'access_token' }).expect(200);
    const before = await count('revoked_access_tokens');
    expect(before).toBeGreaterThanOrEqual(3);
    t.clock.advance(ACCESS_TTL - 1);
    await purgeAll();
    expect(await count('revoked_access_tokens')).toBe(before);
    // Still revoked while it could otherwise be valid.
    expect((await introspect(t, rs, { token: revoked[0] }).expect(200)).body.active).toBe(false);
    t.clock.advance(1 + GRACE);
    expect((await retention.purgeExpired()).revokedAccessTokens).toBe(before);
    expect(await count('revoked_access_tokens')).toBe(0);
  });

  it('is safe when several instances purge at the same moment', async () => {
    for (let i = 0; i < 9; i++) await flow.code(client, pkcePair().challenge);
    t.clock.advance(LOGIN_TTL + GRACE);
    const runs = await Promise.all([retention.purgeExpired(), retention.purgeExpired(), retention.purgeExpired()]);
    expect(runs.reduce((sum, run) => sum + run.authorizationCodes, 0)).toBe(9);
    expect(runs.reduce((sum, run) => sum + run.loginRequests, 0)).toBe(9);
    expect(await codeRows()).toBe(0);
    expect(await count('login_requests')).toBe(0);
    const metrics = (await t.http().get('/metrics').set('authorization', `Bearer ${METRICS_TOKEN}`).expect(200)).text;
    expect(metrics).toMatch(/^oauth_retention_deleted_records_total\{kind="authorizationCodes"\} \d+$/m);
  });
});
