import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TestApp } from './support/test-app';

// Regression: found by test/hostile-input.e2e-spec.ts — requests rejected by Node's HTTP parser
// (here: a 100 KB Authorization header) got Node's bare 431 with no body and no Cache-Control.
describe('requests rejected by the HTTP parser', () => {
  let t: TestApp;
  let port: number;

  beforeAll(async () => {
    t = await TestApp.create();
    const server = t.app.getHttpServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => t.close());

  it('answers oversized headers with 431, an RFC 6749 §5.2 body and no-store', async () => {
    const reply = await new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, method: 'POST', path: '/oauth/token', headers: { Authorization: `Basic ${'A'.repeat(100_000)}` } },
        (res) => {
          let body = '';
          res.on('data', (chunk) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(reply.status).toBe(431);
    expect(reply.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(reply.body)).toEqual({ error: 'invalid_request', error_description: 'Request header fields are too large' });
  });
});

// Regression: found by test/hostile-input.e2e-spec.ts on PostgreSQL — a NUL in the Basic client id
// reached the database and came back as a 500.
describe('control characters in Basic credentials', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.create();
  });
  afterAll(() => t.close());

  it.each(['ADo=', Buffer.from('%00:x').toString('base64')])('answers Basic %s with 401 invalid_client', async (credentials) => {
    const res = await t.http().post('/oauth/token').type('form').set('Authorization', `Basic ${credentials}`).send({ grant_type: 'refresh_token' });
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_client');
  });
});
