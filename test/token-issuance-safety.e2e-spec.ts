import { Logger } from '@nestjs/common';
import { RetentionService, SecurityEvents } from 'nest-oauth-server';
import { MetricsService } from '../src/metrics/metrics.service';
import { decodeJwtPayload, introspect } from './support/oauth-requests';
import { TestApp, TestClient } from './support/test-app';

/** Issue 10 item 16: nothing after a committed rotation may fail the response. */
describe('a failing security-event listener after a committed rotation', () => {
  let t: TestApp;
  let client: TestClient;

  let errors: jest.SpyInstance;

  beforeAll(async () => {
    errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    // Strict mode: a 500 for a committed rotation followed by the client's retry is reuse there.
    t = await TestApp.create({ env: { REFRESH_TOKEN_REUSE_INTERVAL: '0' } });
    const events = t.get(SecurityEvents);
    events.subscribe(() => {
      throw new Error('listener down');
    });
    events.subscribe(async () => {
      throw new Error('async listener down');
    });
  });
  afterAll(async () => {
    await t.close();
    errors.mockRestore();
  });
  beforeEach(async () => {
    client = await t.createClient();
  });

  it('a refresh still answers 200, and the next refresh with the new token works', async () => {
    const first = (await t.issueTokens(client)).refresh_token!;
    const second = await t.refresh(client, first).expect(200);
    expect(second.body.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const third = await t.refresh(client, second.body.refresh_token).expect(200);
    expect(third.body.refresh_token).not.toBe(second.body.refresh_token);
    // Logged, once per listener and event type, without the error's message.
    expect(errors).toHaveBeenCalledWith(expect.objectContaining({ msg: 'security_event_listener_failed', type: 'token_rotated' }));
  });

  it('the other listeners still see every event (metrics keep counting)', async () => {
    const counted = async () => {
      const metric = await t.get(MetricsService).registry.getSingleMetric('oauth_tokens_issued_total')!.get();
      return metric.values.find((value) => value.labels.grant_type === 'refresh_token')?.value ?? 0;
    };
    const before = await counted();
    const first = (await t.issueTokens(client)).refresh_token!;
    await t.refresh(client, first).expect(200);
    expect(await counted()).toBe(before + 1);
  });

  it('client_credentials and a reuse rejection answer as usual', async () => {
    const machine = await t.createClient({ grantTypes: ['client_credentials'], scope: 'read' });
    await t.http().post('/oauth/token').type('form').auth(machine.clientId, machine.clientSecret!).send({ grant_type: 'client_credentials' }).expect(200);
    const first = (await t.issueTokens(client)).refresh_token!;
    await t.refresh(client, first).expect(200);
    expect((await t.refresh(client, first).expect(400)).body.error).toBe('invalid_grant');
  });
});

/** Issue 10 item 17: an access token never outlives its family; introspection does not depend on cleanup. */
describe('access tokens and the absolute lifetime of their family', () => {
  const ABSOLUTE_TTL = 1000;
  let t: TestApp;
  let client: TestClient;
  let rs: TestClient;

  beforeAll(async () => {
    // The cleanup follows the hand-moved clock here, not the database's (retention-clock e2e).
    t = await TestApp.create({ env: { REFRESH_TOKEN_ABSOLUTE_TTL: String(ABSOLUTE_TTL), ACCESS_TOKEN_TTL: '900', RETENTION_MAX_CLOCK_SKEW: '0' } });
    rs = await t.createClient({ name: 'resource server', grantTypes: [], allowIntrospection: true });
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    client = await t.createClient();
  });

  const active = async (token: string) => (await introspect(t, rs, { token }).expect(200)).body.active;

  it('a token minted shortly before the family expires: exp and expires_in stop at the family, same answer before and after cleanup', async () => {
    const familyExpiry = Math.floor(t.clock.now() / 1000) + ABSOLUTE_TTL;
    const first = (await t.issueTokens(client)).refresh_token!;
    t.clock.advance(ABSOLUTE_TTL - 300);
    const late = (await t.refresh(client, first).expect(200)).body;
    const claims = decodeJwtPayload(late.access_token);
    expect(claims.exp).toBe(familyExpiry);
    expect(late.expires_in).toBe(300);
    expect(claims.exp).toBe((claims.iat as number) + late.expires_in);

    expect(await active(late.access_token)).toBe(true);
    await t.get(RetentionService).runOnce();
    expect(await active(late.access_token)).toBe(true);

    // Past the family's absolute expiry: inactive before the cleanup deleted the family, and after.
    t.clock.advance(300);
    expect(await active(late.access_token)).toBe(false);
    t.clock.advance(120);
    expect(await active(late.access_token)).toBe(false);
    expect(await t.get(RetentionService).runOnce()).toBeGreaterThanOrEqual(1);
    expect(await active(late.access_token)).toBe(false);
  });

  it('the retry window serves no access token beyond the family either', async () => {
    const windowed = await TestApp.create({ env: { REFRESH_TOKEN_ABSOLUTE_TTL: String(ABSOLUTE_TTL), ACCESS_TOKEN_TTL: '900', REFRESH_TOKEN_REUSE_INTERVAL: '60' } });
    try {
      const own = await windowed.createClient();
      const familyExpiry = Math.floor(windowed.clock.now() / 1000) + ABSOLUTE_TTL;
      const first = (await windowed.issueTokens(own)).refresh_token!;
      windowed.clock.advance(ABSOLUTE_TTL - 100);
      await windowed.refresh(own, first).expect(200);
      windowed.clock.advance(30);
      const retry = (await windowed.refresh(own, first).expect(200)).body;
      expect(decodeJwtPayload(retry.access_token).exp).toBe(familyExpiry);
      expect(retry.expires_in).toBe(70);
    } finally {
      await windowed.close();
    }
  });

  it('a family shorter than ACCESS_TOKEN_TTL caps its very first access token', async () => {
    const short = await TestApp.create({ env: { REFRESH_TOKEN_ABSOLUTE_TTL: '60', ACCESS_TOKEN_TTL: '900' } });
    try {
      const tokens = await short.issueTokens(await short.createClient());
      expect(tokens.expires_in).toBe(60);
      expect(decodeJwtPayload(tokens.access_token).exp).toBe(Math.floor(short.clock.now() / 1000) + 60);
    } finally {
      await short.close();
    }
  });
});
