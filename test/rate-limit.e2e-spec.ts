import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { SecurityEvents } from 'nest-oauth-server';
import { MetricsService } from '../src/metrics/metrics.service';
import { CodeFlow, codeFlowEnv, pkcePair } from './support/code-flow';
import { TestApp, TestClient } from './support/test-app';

const REDIS_URL = 'redis://127.0.0.1:6379';

function expectSlowDown(res: Response): void {
  expect(res.status).toBe(429);
  expect(res.body).toEqual({ error: 'slow_down', error_description: expect.any(String) });
  expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  expect(res.headers['cache-control']).toBe('no-store');
}

const wrongSecret = (client: TestClient): TestClient => ({ ...client, clientSecret: 'wrong' });

/** The same behaviour whichever store backs the counters. */
function limiterBehaviour(storeEnv: () => Record<string, string>) {
  let apps: TestApp[] = [];
  const start = async (env: Record<string, string>) => {
    const t = await TestApp.create({ env: { RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_PER_IP: '1000', RATE_LIMIT_PER_CLIENT: '1000', ...storeEnv(), ...env } });
    apps.push(t);
    return t;
  };
  afterEach(async () => {
    await Promise.all(apps.map((t) => t.close()));
    apps = [];
  });

  it('limits each client id on its own and answers 429 slow_down with Retry-After', async () => {
    const t = await start({ RATE_LIMIT_PER_CLIENT: '3' });
    const [a, b] = [await t.createClient(), await t.createClient()];
    for (let i = 0; i < 3; i++) await t.refresh(a, 'x'.repeat(43)).expect(400);
    expectSlowDown(await t.refresh(a, 'x'.repeat(43)));
    await t.refresh(b, 'x'.repeat(43)).expect(400);
  });

  it('limits each IP address', async () => {
    const t = await start({ RATE_LIMIT_PER_IP: '4' });
    for (let i = 0; i < 4; i++) await t.http().post('/oauth/token').type('form').send({ grant_type: 'refresh_token' }).expect(401);
    expectSlowDown(await t.http().post('/oauth/token').type('form').send({ grant_type: 'refresh_token' }));
  });

  it('behind a trusted proxy (TRUST_PROXY), counts each forwarded client address on its own', async () => {
    const t = await start({ RATE_LIMIT_PER_IP: '2', TRUST_PROXY: 'loopback' });
    const from = (ip: string) => t.http().post('/oauth/token').set('X-Forwarded-For', ip).type('form').send({ grant_type: 'refresh_token' });
    for (let i = 0; i < 2; i++) await from('203.0.113.7').expect(401);
    expectSlowDown(await from('203.0.113.7'));
    await from('198.51.100.9').expect(401);
  });

  it('counts an IPv6 /64 as one address, so a host cannot rotate through its addresses', async () => {
    const t = await start({ RATE_LIMIT_PER_IP: '2', TRUST_PROXY: 'loopback' });
    const from = (ip: string) => t.http().post('/oauth/token').set('X-Forwarded-For', ip).type('form').send({ grant_type: 'refresh_token' });
    await from('2001:db8:0:1::a').expect(401);
    await from('2001:db8:0:1::b').expect(401);
    expectSlowDown(await from('2001:db8:0:1:ffff::c'));
    await from('2001:db8:0:2::a').expect(401);
  });

  it('without TRUST_PROXY, a forged X-Forwarded-For does not escape the per-IP limit', async () => {
    const t = await start({ RATE_LIMIT_PER_IP: '2' });
    const from = (ip: string) => t.http().post('/oauth/token').set('X-Forwarded-For', ip).type('form').send({ grant_type: 'refresh_token' });
    await from('203.0.113.7').expect(401);
    await from('198.51.100.9').expect(401);
    expectSlowDown(await from('192.0.2.1'));
  });

  it('blocks a client id, and only it, after repeated authentication failures', async () => {
    const t = await start({ RATE_LIMIT_AUTH_FAILURES: '3' });
    const [victim, bystander] = [await t.createClient(), await t.createClient()];
    const live = (await t.issueTokens(victim)).refresh_token!;
    for (let i = 0; i < 4; i++) await t.refresh(wrongSecret(victim), live).expect(401);
    // Even the right secret is refused now; the family is untouched; others are served.
    expectSlowDown(await t.refresh(victim, live));
    await t.refresh(bystander, (await t.issueTokens(bystander)).refresh_token!).expect(200);
    // Unknown client ids are counted the same way (no enumeration through the limiter).
    const ghost = { clientId: `ghost-${randomUUID()}`, clientSecret: 'nope' };
    for (let i = 0; i < 4; i++) await t.refresh(ghost, live).expect(401);
    expectSlowDown(await t.refresh(ghost, live));
  });

  // Issue 11 item 2: failures from one address must never block the legitimate client elsewhere.
  it('blocks a client id only at the address (IPv6 /64) the failures came from', async () => {
    const t = await start({ TRUST_PROXY: 'loopback' });
    const client = await t.createClient();
    const from = (ip: string, who: TestClient, token: string) => t.refresh(who, token).set('X-Forwarded-For', ip);
    let live = (await t.issueTokens(client)).refresh_token!;
    for (let i = 0; i < 11; i++) await from('203.0.113.7', wrongSecret(client), live).expect(401);
    expectSlowDown(await from('203.0.113.7', client, live));
    const served = await from('198.51.100.9', client, live).expect(200);
    live = served.body.refresh_token;
    // An IPv6 /64 is one address for the block too.
    for (let i = 0; i < 11; i++) await from('2001:db8:0:1::a', wrongSecret(client), live).expect(401);
    expectSlowDown(await from('2001:db8:0:1:ffff::b', client, live));
    await from('2001:db8:0:2::a', client, live).expect(200);
  });

  it('raises the per-client-id alarm (event and metric) once when guessing is spread over addresses', async () => {
    const t = await start({ TRUST_PROXY: 'loopback', RATE_LIMIT_AUTH_FAILURE_ALARM: '5' });
    const client = await t.createClient();
    const live = (await t.issueTokens(client)).refresh_token!;
    for (let i = 0; i < 8; i++) await t.refresh(wrongSecret(client), live).set('X-Forwarded-For', `203.0.113.${i + 1}`).expect(401);
    expect(t.get(SecurityEvents).count('client_auth_failure_alarm')).toBe(1);
    const metrics = await t.get(MetricsService).registry.metrics();
    expect(metrics).toMatch(/^oauth_client_authentication_failure_alarms_total 1$/m);
    // No address was blocked: the client is served from anywhere.
    await t.refresh(client, live).set('X-Forwarded-For', '203.0.113.1').expect(200);
  });

  // Issue 11 item 3: per-IP limits are for unauthenticated and failed requests.
  it('does not hold an authenticated confidential client\'s successes to the per-IP limit (a BFF)', async () => {
    const t = await start({ RATE_LIMIT_PER_IP: '3' });
    const client = await t.createClient();
    let live = (await t.issueTokens(client)).refresh_token!;
    for (let i = 0; i < 10; i++) live = (await t.refresh(client, live).expect(200)).body.refresh_token;
    // The address's counter is intact for everything else: unauthenticated and failed requests.
    await t.refresh(client, 'x'.repeat(43)).expect(400);
    await t.http().post('/oauth/token').type('form').send({ grant_type: 'refresh_token' }).expect(401);
    await t.refresh(wrongSecret(client), live).expect(401);
    expectSlowDown(await t.refresh(client, live));
  });

  it('counts a confidential client\'s successes against its own quota', async () => {
    const t = await start({ RATE_LIMIT_PER_IP: '2', RATE_LIMIT_PER_CLIENT: '4' });
    const client = await t.createClient();
    let live = (await t.issueTokens(client)).refresh_token!;
    for (let i = 0; i < 4; i++) live = (await t.refresh(client, live).expect(200)).body.refresh_token;
    expectSlowDown(await t.refresh(client, live));
  });

  // Issue 10 item 4: each valid authorization request stores a login request, unauthenticated.
  it('gives the authorization endpoint its own, lower per-IP limit', async () => {
    const t = await start({ ...codeFlowEnv, RATE_LIMIT_AUTHORIZE_PER_IP: '2' });
    const flow = new CodeFlow(t);
    const client = await flow.createClient();
    const query = flow.authorizeQuery(client, pkcePair().challenge);
    for (let i = 0; i < 2; i++) await flow.authorize(query).expect(302);
    expectSlowDown(await flow.authorize(query));
    // Its own counter: the token endpoint from the same address is not affected.
    await t.refresh(client, 'x'.repeat(43)).expect(400);
  });

  // Review H4: a public client authenticates with its (published) client_id alone.
  it('keeps a public client\'s quota per address: garbage from address A does not lock out a user at B', async () => {
    const t = await start({ RATE_LIMIT_PER_CLIENT: '3', TRUST_PROXY: 'loopback' });
    const spa = await t.createClient({ tokenEndpointAuthMethod: 'none' });
    const live = (await t.issueTokens(spa)).refresh_token!;
    for (let i = 0; i < 3; i++) await t.refresh(spa, 'x'.repeat(43)).set('X-Forwarded-For', '203.0.113.7').expect(400);
    expectSlowDown(await t.refresh(spa, 'x'.repeat(43)).set('X-Forwarded-For', '203.0.113.7'));
    await t.refresh(spa, live).set('X-Forwarded-For', '198.51.100.9').expect(200);
  });

  it('keeps a confidential client\'s quota across addresses (it proves who it is)', async () => {
    const t = await start({ RATE_LIMIT_PER_CLIENT: '3', TRUST_PROXY: 'loopback' });
    const client = await t.createClient();
    for (let i = 0; i < 3; i++) await t.refresh(client, 'x'.repeat(43)).set('X-Forwarded-For', `203.0.113.${i + 1}`).expect(400);
    expectSlowDown(await t.refresh(client, 'x'.repeat(43)).set('X-Forwarded-For', '198.51.100.9'));
  });

  // Review M9: each push stores a request, like GET /oauth/authorize.
  it('charges POST /oauth/par to the authorization endpoint\'s per-IP counter', async () => {
    const t = await start({ ...codeFlowEnv, RATE_LIMIT_AUTHORIZE_PER_IP: '2' });
    const flow = new CodeFlow(t);
    const spa = await flow.createClient({ tokenEndpointAuthMethod: 'none' });
    const { client_id: _id, ...params } = flow.authorizeQuery(spa, pkcePair().challenge);
    const push = () => t.http().post('/oauth/par').type('form').send({ ...params, client_id: spa.clientId });
    await push().expect(201);
    await flow.authorize(flow.authorizeQuery(spa, pkcePair().challenge)).expect(302);
    expectSlowDown(await push());
    expectSlowDown(await flow.authorize(flow.authorizeQuery(spa, pkcePair().challenge)));
  });

  it('holds a public client (no secret) to the per-IP limit', async () => {
    const t = await start({ RATE_LIMIT_PER_IP: '2' });
    const client = await t.createClient({ tokenEndpointAuthMethod: 'none' });
    let live = (await t.issueTokens(client)).refresh_token!;
    for (let i = 0; i < 2; i++) live = (await t.refresh(client, live).expect(200)).body.refresh_token;
    expectSlowDown(await t.refresh(client, live));
  });
}

describe('rate limits, in memory (no REDIS_URL)', () => {
  limiterBehaviour(() => ({}));

  it('limits the authorization endpoint lower than the others by default', async () => {
    const t = await TestApp.create({ env: { RATE_LIMIT_ENABLED: 'true', ...codeFlowEnv } });
    try {
      const flow = new CodeFlow(t);
      const query = flow.authorizeQuery(await flow.createClient(), pkcePair().challenge);
      for (let i = 0; i < 60; i++) await flow.authorize(query).expect(302);
      expectSlowDown(await flow.authorize(query));
    } finally {
      await t.close();
    }
  });

  it('treats a limit of 0 as no limit', async () => {
    const t = await TestApp.create({ env: { RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_PER_IP: '0', RATE_LIMIT_PER_CLIENT: '0' } });
    try {
      const client = await t.createClient();
      for (let i = 0; i < 20; i++) await t.refresh(client, 'x'.repeat(43)).expect(400);
    } finally {
      await t.close();
    }
  });

  it('lifts a block once its time has passed (fake clock)', async () => {
    const t = await TestApp.create({ env: { RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_AUTH_FAILURES: '1', RATE_LIMIT_AUTH_FAILURE_BLOCK: '30' } });
    try {
      const client = await t.createClient();
      const live = (await t.issueTokens(client)).refresh_token!;
      for (let i = 0; i < 2; i++) await t.refresh(wrongSecret(client), live).expect(401);
      expectSlowDown(await t.refresh(client, live));
      t.clock.advance(31);
      await t.refresh(client, live).expect(200);
    } finally {
      await t.close();
    }
  });
});

describe('rate limits, shared through Redis (REDIS_URL)', () => {
  const prefix = `oauth-test:${process.pid}:${randomUUID()}:`;
  const redis = new Redis(REDIS_URL);

  afterAll(async () => {
    // Clean up this run's keys only.
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  // A fresh prefix per app: counters of one test must not leak into the next.
  let apps = 0;
  limiterBehaviour(() => ({ REDIS_URL, RATE_LIMIT_REDIS_PREFIX: `${prefix}${++apps}:` }));

  it('never writes a claimed id that could be a secret into a Redis key', async () => {
    const own = `${prefix}swapped:`;
    const t = await TestApp.create({ env: { RATE_LIMIT_ENABLED: 'true', REDIS_URL, RATE_LIMIT_REDIS_PREFIX: own } });
    try {
      const client = await t.createClient();
      // Id and secret swapped, as a misconfigured client sends them.
      await t.refresh({ clientId: client.clientSecret!, clientSecret: client.clientId }, 'x'.repeat(43)).expect(401);
      const keys = await redis.keys(`${own}*`);
      expect(keys.some((key) => key.includes('auth_failures:sha256:'))).toBe(true);
      expect(keys.join('\n')).not.toContain(client.clientSecret);
    } finally {
      await t.close();
    }
  });

  it('counts one client across two instances sharing Redis', async () => {
    const env = { RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_PER_CLIENT: '3', REDIS_URL, RATE_LIMIT_REDIS_PREFIX: `${prefix}shared:` };
    const first = await TestApp.create({ env });
    const second = await TestApp.create({ env, database: first.database });
    try {
      const client = await first.createClient();
      await first.refresh(client, 'x'.repeat(43)).expect(400);
      await second.refresh(client, 'x'.repeat(43)).expect(400);
      await first.refresh(client, 'x'.repeat(43)).expect(400);
      expectSlowDown(await second.refresh(client, 'x'.repeat(43)));
      expect(await redis.keys(`${prefix}*`)).not.toHaveLength(0);
    } finally {
      await second.close();
      await first.close();
    }
  });
});
