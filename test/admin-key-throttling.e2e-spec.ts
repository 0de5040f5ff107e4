import { SecurityEvents } from 'nest-oauth-server';
import { MetricsService } from '../src/metrics/metrics.service';
import { ADMIN_API_KEY, codeFlowEnv } from './support/code-flow';
import { TestApp } from './support/test-app';

const somePath = `/admin/login-requests/${'A'.repeat(43)}`;

/** Issue 10 item 10: /admin key guessing was silent and unthrottled (2,000 wrong keys at 500/s). */
describe('admin API key guessing: throttled per address, an event and a metric', () => {
  let t: TestApp;
  afterEach(() => t?.close());

  const get = (ip: string, key?: string) => {
    const req = t.http().get(somePath).set('X-Forwarded-For', ip);
    return key === undefined ? req : req.set('Authorization', `Bearer ${key}`);
  };

  it('refuses an address with 429 past RATE_LIMIT_ADMIN_AUTH_FAILURES failures, and only that address', async () => {
    t = await TestApp.create({ env: { ...codeFlowEnv, RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_ADMIN_AUTH_FAILURES: '3', RATE_LIMIT_AUTH_FAILURE_BLOCK: '60', TRUST_PROXY: 'loopback' } });
    for (let i = 0; i < 3; i++) await get('203.0.113.7', `guess-${i}`).expect(401);
    await get('203.0.113.7').expect(401);
    // Blocked now: even the right key is refused from there, with Retry-After.
    const blocked = await get('203.0.113.7', ADMIN_API_KEY).expect(429);
    expect(blocked.body).toEqual({ error: 'slow_down', error_description: expect.any(String) });
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    await get('203.0.113.7', 'another-guess').expect(429);
    // An IPv6 /64 is one address; other addresses (the login app) are served.
    await get('198.51.100.9', ADMIN_API_KEY).expect(404);
    // The block ends with its time (fake clock).
    t.clock.advance(61);
    await get('203.0.113.7', ADMIN_API_KEY).expect(404);

    // Every failure is an event and a metric; blocked attempts are not failures of the key.
    expect(t.get(SecurityEvents).count('admin_auth_failed')).toBe(4);
    expect(await t.get(MetricsService).registry.metrics()).toMatch(/^oauth_admin_authentication_failures_total 4$/m);
  });

  it('the right key never counts as a failure', async () => {
    t = await TestApp.create({ env: { ...codeFlowEnv, RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_ADMIN_AUTH_FAILURES: '1' } });
    for (let i = 0; i < 5; i++) await t.http().get(somePath).set('Authorization', `Bearer ${ADMIN_API_KEY}`).expect(404);
    expect(t.get(SecurityEvents).count('admin_auth_failed')).toBe(0);
  });
});
