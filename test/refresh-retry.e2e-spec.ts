import { deriveSuccessorValue, hashRefreshToken, RefreshTokenEntity, SecurityEvents, TokenFamilyEntity } from 'nest-oauth-server';
import { MetricsService } from '../src/metrics/metrics.service';
import { decodeJwt } from './support/jwt';
import { introspect, revoke } from './support/oauth-requests';
import { TestApp, TestClient } from './support/test-app';

const INTERVAL = 10;

describe('retry-safe rotation (REFRESH_TOKEN_REUSE_INTERVAL)', () => {
  let t: TestApp;
  let client: TestClient;

  beforeAll(async () => {
    t = await TestApp.create({ env: { REFRESH_TOKEN_REUSE_INTERVAL: String(INTERVAL) } });
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    client = await t.createClient();
  });

  const events = () => t.get(SecurityEvents);
  const family = async () => (await t.dataSource().getRepository(TokenFamilyEntity).findOneByOrFail({ clientId: client.clientId }));

  async function rotateOnce() {
    const first = await t.issueTokens(client);
    const second = (await t.refresh(client, first.refresh_token!).expect(200)).body;
    return { first: first.refresh_token!, second };
  }

  it('answers a retry inside the interval with the identical refresh token and a fresh access token', async () => {
    const { first, second } = await rotateOnce();
    const retriesBefore = events().count('retry_served');
    t.clock.advance(INTERVAL - 1);
    const retry = await t.refresh(client, first).expect(200);
    expect(retry.headers['cache-control']).toBe('no-store');
    expect(retry.body.refresh_token).toBe(second.refresh_token);
    expect(retry.body.access_token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(retry.body.access_token).not.toBe(second.access_token);
    // The retried access token belongs to the family too, so revoking the family ends it.
    expect(decodeJwt(retry.body.access_token).payload.family_id).toBe((await family()).id);
    expect(events().count('retry_served')).toBe(retriesBefore + 1);
    expect((await family()).revokedAt).toBeNull();
    // The family lives on: the successor rotates normally.
    await t.refresh(client, second.refresh_token).expect(200);
  });

  it('binds the access token of a served retry to the family: revoking the family ends it (RFC 7009 §2.1)', async () => {
    const rs = await t.createClient({ name: 'resource server', grantTypes: [], allowIntrospection: true });
    const { first, second } = await rotateOnce();
    const retried = (await t.refresh(client, first).expect(200)).body;
    const active = async (token: string) => (await introspect(t, rs, { token }).expect(200)).body.active;
    expect(await active(retried.access_token)).toBe(true);
    await revoke(t, client, { token: second.refresh_token }).expect(200);
    expect(await active(retried.access_token)).toBe(false);
  });

  it('20 concurrent requests with one token: one rotation and REFRESH_TOKEN_RETRY_LIMIT (3) replays of the same successor, the rest refused', async () => {
    const first = (await t.issueTokens(client)).refresh_token!;
    const refusedBefore = events().count('retry_refused');
    const responses = await Promise.all(Array.from({ length: 20 }, () => t.refresh(client, first)));
    const served = responses.filter((res) => res.status === 200);
    expect(served).toHaveLength(1 + 3);
    expect(new Set(served.map((res) => res.body.refresh_token)).size).toBe(1);
    expect(new Set(served.map((res) => res.body.access_token)).size).toBe(4);
    const refused = responses.filter((res) => res.status !== 200);
    expect(refused.map((res) => [res.status, res.body.error])).toEqual(Array(16).fill([400, 'invalid_grant']));
    expect(events().count('retry_refused')).toBe(refusedBefore + 16);
    // Refused, not revoked: the successor the client received carries on.
    expect((await family()).revokedAt).toBeNull();
    await t.refresh(client, served[0].body.refresh_token).expect(200);
  });

  it('refuses a 4th sequential retry without revoking the family (issue 10 item 14)', async () => {
    const { first, second } = await rotateOnce();
    for (let retry = 0; retry < 3; retry++) expect((await t.refresh(client, first).expect(200)).body.refresh_token).toBe(second.refresh_token);
    expect((await t.refresh(client, first).expect(400)).body.error).toBe('invalid_grant');
    expect((await family()).revokedAt).toBeNull();
    const [row] = await t.dataSource().query(`SELECT replays FROM refresh_tokens WHERE parent_id IS NOT NULL AND family_id = '${(await family()).id}'`);
    expect(Number(row.replays)).toBe(3);
    await t.refresh(client, second.refresh_token).expect(200);
    const metric = await t.get(MetricsService).registry.getSingleMetric('oauth_refresh_token_retry_refused_total')!.get();
    expect(metric.values.find((value) => value.labels.reason === 'retry_limit')?.value).toBeGreaterThanOrEqual(1);
  });

  it('revokes the family when an older generation (a grand-parent) is presented', async () => {
    const { first, second } = await rotateOnce();
    const third = (await t.refresh(client, second.refresh_token).expect(200)).body;
    const rejectedBefore = events().count('reuse_detected');
    const res = await t.refresh(client, first).expect(400);
    expect(res.body.error).toBe('invalid_grant');
    expect(events().count('reuse_detected')).toBe(rejectedBefore + 1);
    expect((await family()).revokedReason).toBe('reuse_detected');
    await t.refresh(client, third.refresh_token).expect(400);
  });

  it('no longer retries once the successor itself has been used', async () => {
    const { first, second } = await rotateOnce();
    await t.refresh(client, second.refresh_token).expect(200);
    expect((await t.refresh(client, first).expect(400)).body.error).toBe('invalid_grant');
    expect((await family()).revokedAt).not.toBeNull();
  });

  it('ends the retry window after the interval: the predecessor then revokes the family', async () => {
    const { first, second } = await rotateOnce();
    t.clock.advance(INTERVAL + 1);
    expect((await t.refresh(client, first).expect(400)).body.error).toBe('invalid_grant');
    expect((await family()).revokedAt).not.toBeNull();
    await t.refresh(client, second.refresh_token).expect(400);
  });

  it('revokes when another client presents the rotated token inside the window', async () => {
    const { first, second } = await rotateOnce();
    const other = await t.createClient();
    expect((await t.refresh(other, first).expect(400)).body.error).toBe('invalid_grant');
    expect((await family()).revokedAt).not.toBeNull();
    await t.refresh(client, second.refresh_token).expect(400);
  });
});

describe('the default: a 60 s retry window (issue 13)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.create();
  });
  afterAll(() => t.close());

  it('answers a retry of the immediate predecessor within 60 s with the same successor', async () => {
    const client = await t.createClient();
    const first = (await t.issueTokens(client)).refresh_token!;
    const second = (await t.refresh(client, first).expect(200)).body.refresh_token;
    t.clock.advance(60);
    expect((await t.refresh(client, first).expect(200)).body.refresh_token).toBe(second);
    await t.refresh(client, second).expect(200);
  });

  it('after 60 s the predecessor is reuse again: the family is revoked', async () => {
    const client = await t.createClient();
    const first = (await t.issueTokens(client)).refresh_token!;
    const second = (await t.refresh(client, first).expect(200)).body.refresh_token;
    t.clock.advance(61);
    expect((await t.refresh(client, first).expect(400)).body.error).toBe('invalid_grant');
    await t.refresh(client, second).expect(400);
  });
});

describe('a retry window longer than the successor\'s idle lifetime', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.create({ env: { REFRESH_TOKEN_REUSE_INTERVAL: '60', REFRESH_TOKEN_IDLE_TTL: '20' } });
  });
  afterAll(() => t.close());

  it('never replays a successor past its own expiry, and does not call that reuse (issue 10 item 14)', async () => {
    const client = await t.createClient();
    const first = (await t.issueTokens(client)).refresh_token!;
    await t.refresh(client, first).expect(200);
    t.clock.advance(20);
    expect((await t.refresh(client, first).expect(400)).body.error).toBe('invalid_grant');
    const family = await t.dataSource().getRepository(TokenFamilyEntity).findOneByOrFail({ clientId: client.clientId });
    expect(family.revokedAt).toBeNull();
    expect(t.get(SecurityEvents).count('retry_refused')).toBe(1);
  });
});

describe('strict rotation (REFRESH_TOKEN_REUSE_INTERVAL=0)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.create({ env: { REFRESH_TOKEN_REUSE_INTERVAL: '0' } });
  });
  afterAll(() => t.close());

  it('revokes the family on an immediate retry', async () => {
    const client = await t.createClient();
    const first = (await t.issueTokens(client)).refresh_token!;
    const second = (await t.refresh(client, first).expect(200)).body.refresh_token;
    expect((await t.refresh(client, first).expect(400)).body.error).toBe('invalid_grant');
    await t.refresh(client, second).expect(400);
  });

  it('lets exactly one of 20 concurrent requests with one token succeed', async () => {
    const client = await t.createClient();
    const first = (await t.issueTokens(client)).refresh_token!;
    const responses = await Promise.all(Array.from({ length: 20 }, () => t.refresh(client, first)));
    expect(responses.filter((res) => res.status === 200)).toHaveLength(1);
    const family = await t.dataSource().getRepository(TokenFamilyEntity).findOneByOrFail({ clientId: client.clientId });
    expect(family.revokedReason).toBe('reuse_detected');
  });

  it('mints random successors, not the HMAC derivation a database reader could compute (issue 10 item 13)', async () => {
    const client = await t.createClient();
    const first = (await t.issueTokens(client)).refresh_token!;
    const second = (await t.refresh(client, first).expect(200)).body.refresh_token;
    const [{ secret }] = await t.dataSource().query(`SELECT secret FROM server_secrets WHERE name = 'refresh_token_derivation'`);
    const family = await t.dataSource().getRepository(TokenFamilyEntity).findOneByOrFail({ clientId: client.clientId });
    const successor = await t.dataSource().getRepository(RefreshTokenEntity).findOneByOrFail({ familyId: family.id, generation: 1 });
    expect(successor.tokenHash).toBe(hashRefreshToken(second));
    expect(deriveSuccessorValue(Buffer.from(secret, 'base64url'), successor.id, first)).not.toBe(second);
  });
});
