import { randomBytes } from 'node:crypto';
import { MetricsListener, startMetricsListener } from '../src/metrics/metrics-listener';
import { freePort } from './support/free-port';
import { TestApp } from './support/test-app';

const SAMPLE = /^# HELP oauth_tokens_issued_total /m;

/** Where /metrics is served: its own listener, the public port behind a token, or nowhere. */
describe('where /metrics is served', () => {
  const token = randomBytes(32).toString('base64url');

  describe('by default (neither METRICS_PORT nor METRICS_TOKEN)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await TestApp.create({ beforeInit: (app) => startMetricsListener(app) });
    });
    afterAll(() => t.close());

    it('is not on the public port: 404 like any unknown path', async () => {
      const metrics = await t.http().get('/metrics').expect(404);
      const unknown = await t.http().get('/metricz').expect(404);
      expect(metrics.body).toEqual({ ...unknown.body, error_description: 'No such endpoint' });
    });
  });

  // Review L5: HOST=0.0.0.0 is for the public port; METRICS_PORT alone must not expose the metrics.
  it('binds the metrics listener to loopback by default, whatever HOST is', async () => {
    const port = await freePort();
    const app = await TestApp.create({ env: { METRICS_PORT: String(port), HOST: '0.0.0.0' }, beforeInit: (a) => startMetricsListener(a) });
    try {
      expect(app.get(MetricsListener).address()).toBe('127.0.0.1');
      expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(200);
    } finally {
      await app.close();
    }
  });

  describe('with METRICS_PORT', () => {
    let t: TestApp;
    let port: number;
    beforeAll(async () => {
      port = await freePort();
      t = await TestApp.create({
        env: { METRICS_PORT: String(port), METRICS_HOST: '127.0.0.1' },
        beforeInit: (app) => startMetricsListener(app),
      });
    });
    afterAll(() => t.close());

    it('serves the metrics on that port and 404 on the public port', async () => {
      await t.http().get('/metrics').expect(404);
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await res.text()).toMatch(SAMPLE);
    });

    it('answers nothing but GET and HEAD /metrics there', async () => {
      expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${port}/health/live`)).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${port}/oauth/token`, { method: 'POST' })).status).toBe(404);
      const post = await fetch(`http://127.0.0.1:${port}/metrics`, { method: 'POST' });
      expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
      const head = await fetch(`http://127.0.0.1:${port}/metrics`, { method: 'HEAD' });
      expect(head.status).toBe(200);
    });

    it('stops listening when the app closes', async () => {
      const other = await freePort();
      const app = await TestApp.create({ env: { METRICS_PORT: String(other), METRICS_HOST: '127.0.0.1' }, beforeInit: (a) => startMetricsListener(a) });
      expect((await fetch(`http://127.0.0.1:${other}/metrics`)).status).toBe(200);
      await app.close();
      await expect(fetch(`http://127.0.0.1:${other}/metrics`)).rejects.toThrow();
    });
  });

  describe('with METRICS_PORT and METRICS_TOKEN', () => {
    let t: TestApp;
    let url: string;
    beforeAll(async () => {
      const port = await freePort();
      url = `http://127.0.0.1:${port}/metrics`;
      t = await TestApp.create({
        env: { METRICS_PORT: String(port), METRICS_HOST: '127.0.0.1', METRICS_TOKEN: token },
        beforeInit: (app) => startMetricsListener(app),
      });
    });
    afterAll(() => t.close());

    it('requires the bearer token on the metrics port, and the public port still has no /metrics', async () => {
      for (const authorization of [undefined, 'Bearer wrong', `Basic ${token}`, `Bearer ${token}x`]) {
        const res = await fetch(url, { headers: authorization ? { authorization } : {} });
        expect([authorization, res.status, res.headers.get('www-authenticate')]).toEqual([authorization, 401, 'Bearer realm="metrics"']);
      }
      const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      expect(await res.text()).toMatch(SAMPLE);
      await t.http().get('/metrics').set('authorization', `Bearer ${token}`).expect(404);
    });
  });

  describe('with METRICS_TOKEN only', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await TestApp.create({ env: { METRICS_TOKEN: token }, beforeInit: (app) => startMetricsListener(app) });
    });
    afterAll(() => t.close());

    it('serves the public port /metrics to the bearer of the token only', async () => {
      for (const authorization of [undefined, 'Bearer wrong', `bearer ${token.slice(1)}`]) {
        const req = t.http().get('/metrics');
        const res = await (authorization ? req.set('authorization', authorization) : req).expect(401);
        expect(res.headers['www-authenticate']).toBe('Bearer realm="metrics"');
        expect(res.headers['cache-control']).toBe('no-store');
        expect(res.text).not.toMatch(SAMPLE);
      }
      const res = await t.http().get('/metrics').set('authorization', `Bearer ${token}`).expect(200).expect('content-type', /text\/plain/);
      expect(res.text).toMatch(SAMPLE);
    });
  });

  it('rejects a short METRICS_TOKEN and METRICS_PORT equal to PORT at boot', async () => {
    await expect(TestApp.create({ env: { METRICS_TOKEN: 'short' } })).rejects.toThrow(/METRICS_TOKEN must be at least 32 characters/);
    await expect(TestApp.create({ env: { METRICS_PORT: '3000', PORT: '3000' } })).rejects.toThrow(/METRICS_PORT must differ from PORT/);
  });
});
