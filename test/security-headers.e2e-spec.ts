import type { Server } from 'node:http';
import { connect } from 'node:net';
import request from 'supertest';
import { codeFlowEnv } from './support/code-flow';
import { TestApp } from './support/test-app';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createLoginApp } = require('../examples/login-app/login-app');

const SERVICE_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

describe('security headers', () => {
  let t: TestApp;
  let base: string;

  beforeAll(async () => {
    t = await TestApp.create({ env: codeFlowEnv });
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${((t.app.getHttpServer() as Server).address() as { port: number }).port}`;
  });
  afterAll(() => t.close());

  const expectServiceHeaders = (res: request.Response) => {
    expect({
      nosniff: res.headers['x-content-type-options'],
      csp: res.headers['content-security-policy'],
      frame: res.headers['x-frame-options'],
    }).toEqual({ nosniff: 'nosniff', csp: SERVICE_CSP, frame: 'DENY' });
  };

  it.each([
    ['GET /health/live', () => t.http().get('/health/live').expect(200)],
    ['GET the metadata', () => t.http().get('/.well-known/oauth-authorization-server').expect(200)],
    ['GET the JWKS', () => t.http().get('/.well-known/jwks.json').expect(200)],
    ['an OAuth error at /oauth/token', () => t.http().post('/oauth/token').type('form').send({ grant_type: 'password' }).expect(401)],
    ['an unknown path', () => t.http().get('/no/such/path').expect(404)],
    ['an admin API error', () => t.http().get('/admin/login-requests/x').expect(401)],
  ])('%s carries nosniff, a closed CSP and X-Frame-Options: DENY', async (_case, send) => {
    expectServiceHeaders(await send());
  });

  it('the authorize error page (HTML) forbids framing and loads nothing', async () => {
    const res = await t.http().get('/oauth/authorize?response_type=code&client_id=nobody').expect(400);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expectServiceHeaders(res);
  });

  it("a request Node's parser rejects is answered with the same headers", async () => {
    const raw = await new Promise<string>((resolve) => {
      let received = '';
      const socket = connect(Number(new URL(base).port), '127.0.0.1', () => socket.write('GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n'));
      socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
      socket.on('close', () => resolve(received));
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(raw).toContain('X-Content-Type-Options: nosniff\r\n');
    expect(raw).toContain(`Content-Security-Policy: ${SERVICE_CSP}\r\n`);
    expect(raw).toContain('X-Frame-Options: DENY\r\n');
  });

  it('the login app pages forbid framing, allow only inline styles and are never sniffed', async () => {
    const loginApp = createLoginApp({ tokenServiceUrl: base, adminApiKey: codeFlowEnv.ADMIN_API_KEY });
    const res = await request(loginApp).get('/login?login_challenge=unknown').expect(404);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    const csp = String(res.headers['content-security-policy']).split(/;\s*/);
    expect(csp).toEqual(expect.arrayContaining(["default-src 'none'", "style-src 'unsafe-inline'", "frame-ancestors 'none'", "base-uri 'none'"]));
    expect(csp.filter((directive) => /script-src|'unsafe-eval'/.test(directive))).toEqual([]);
  });
});
