import type { AddressInfo } from 'node:net';
import http from 'node:http';
import { CodeFlow, codeFlowEnv, pkcePair } from './support/code-flow';
import { TestApp, TestClient } from './support/test-app';

interface RawResponse {
  status: number;
  body: unknown;
  headers: http.IncomingHttpHeaders;
}

/**
 * Issue 10 item 3: every rate limit was bypassed by spelling a path differently (`/OAUTH/token` got
 * 200 for a blocked client id). Routing is case-sensitive and strict and the limits are bound to the
 * routes, so every spelling either answers a JSON 404 or is limited exactly like the canonical path.
 * Requests go out raw (node:http), so that no client library normalizes `/./`, `//` or `%2F`.
 */
function send(t: TestApp, method: string, path: string, headers: Record<string, string> = {}, body = ''): Promise<RawResponse> {
  const server = t.app.getHttpServer() as http.Server;
  if (!server.listening) server.listen(0, '127.0.0.1');
  return new Promise((resolve, reject) => {
    const go = () => {
      const { port } = server.address() as AddressInfo;
      const req = http.request({ host: '127.0.0.1', port, method, path, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON: the assertion below reports it
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, headers: res.headers });
        });
      });
      req.on('error', reject);
      req.end(body);
    };
    if (server.listening) go();
    else server.once('listening', go);
  });
}

/** The spellings of `/oauth/<name>` an attacker would try; `canonical` is the real path. */
function spellings(name: string): string[] {
  const upper = name.toUpperCase();
  const capital = name[0].toUpperCase() + name.slice(1);
  const hex = `%${name.charCodeAt(0).toString(16)}${name.slice(1)}`;
  return [
    `/OAUTH/${name}`,
    `/OAuth/${name}`,
    `/oauth/${upper}`,
    `/oauth/${capital}`,
    `/oauth/${name}/`,
    `//oauth/${name}`,
    `/oauth//${name}`,
    `/oauth/./${name}`,
    `/oauth/../oauth/${name}`,
    `/./oauth/${name}`,
    `/oauth%2F${name}`,
    `/oauth%2f${name}`,
    `/oauth/${hex}`,
    `/%6fauth/${name}`,
    `/oauth/${name}%20`,
    `/oauth/${name};`,
    `/oauth/${name}/.`,
  ];
}

function expectNotFoundOrLimited(res: RawResponse, path: string): void {
  const outcome = { path, status: res.status };
  if (res.status === 404) {
    expect({ ...outcome, body: res.body }).toEqual({ ...outcome, body: { error: 'not_found', error_description: 'No such endpoint' } });
    expect(res.headers['content-type']).toMatch(/^application\/json/);
  } else {
    expect(outcome).toEqual({ path, status: 429 });
    expect(res.body).toMatchObject({ error: 'slow_down' });
  }
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const basic = (client: TestClient, secret = client.clientSecret!) => `Basic ${Buffer.from(`${client.clientId}:${secret}`).toString('base64')}`;

describe('route spelling: every spelling is a JSON 404 or limited like the canonical path', () => {
  let t: TestApp;
  afterEach(() => t?.close());

  it.each(['token', 'revoke', 'introspect', 'par'])('a client id blocked after failures is refused at every spelling of /oauth/%s', async (name) => {
    // codeFlowEnv: the PAR endpoint exists only with the code flow on.
    t = await TestApp.create({ env: { RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_AUTH_FAILURES: '1', RATE_LIMIT_PER_IP: '1000', ...codeFlowEnv } });
    const client = await t.createClient({ allowIntrospection: true } as never);
    const bodies: Record<string, string> = { token: 'grant_type=refresh_token&refresh_token=' + 'x'.repeat(43), par: 'response_type=code' };
    const body = bodies[name] ?? 'token=' + 'x'.repeat(43);
    const canonical = `/oauth/${name}`;
    for (let i = 0; i < 2; i++) expect((await send(t, 'POST', canonical, { ...FORM, authorization: basic(client, 'wrong') }, body)).status).toBe(401);
    // The right secret now: blocked at the canonical path, and at every other spelling.
    expect((await send(t, 'POST', canonical, { ...FORM, authorization: basic(client) }, body)).status).toBe(429);
    for (const path of spellings(name)) expectNotFoundOrLimited(await send(t, 'POST', path, { ...FORM, authorization: basic(client) }, body), path);
    // A query string is the same route, and limited as such.
    expect((await send(t, 'POST', `${canonical}?x=1`, { ...FORM, authorization: basic(client) }, body)).status).toBe(429);
  });

  it('the per-IP limit holds at every spelling of the token endpoint', async () => {
    t = await TestApp.create({ env: { RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_PER_IP: '3' } });
    const body = 'grant_type=refresh_token';
    for (let i = 0; i < 3; i++) expect((await send(t, 'POST', '/oauth/token', FORM, body)).status).toBe(401);
    for (const path of spellings('token')) expectNotFoundOrLimited(await send(t, 'POST', path, FORM, body), path);
    expect((await send(t, 'POST', '/oauth/token', FORM, body)).status).toBe(429);
  });

  it('no spelling of a path skips the strict form parser (its content type and size checks)', async () => {
    t = await TestApp.create({ env: { RATE_LIMIT_ENABLED: 'false' } });
    const json = { 'content-type': 'application/json' };
    expect((await send(t, 'POST', '/oauth/token', json, '{"grant_type":"refresh_token"}')).body).toMatchObject({ error: 'invalid_request' });
    for (const path of spellings('token')) {
      const res = await send(t, 'POST', path, json, '{"grant_type":"refresh_token"}');
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
    }
    const big = 'grant_type=refresh_token&x=' + 'a'.repeat(20_000);
    expect((await send(t, 'POST', '/oauth/token', FORM, big)).status).toBe(413);
  });

  it('the authorization endpoint keeps its own per-IP limit at every spelling', async () => {
    t = await TestApp.create({ env: { RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_AUTHORIZE_PER_IP: '2', ...codeFlowEnv } });
    const flow = new CodeFlow(t);
    const client = await flow.createClient();
    const query = '?' + new URLSearchParams(flow.authorizeQuery(client, pkcePair().challenge)).toString();
    for (let i = 0; i < 2; i++) expect((await send(t, 'GET', `/oauth/authorize${query}`)).status).toBe(302);
    for (const path of spellings('authorize')) expectNotFoundOrLimited(await send(t, 'GET', `${path}${query}`), path);
    expect((await send(t, 'GET', `/oauth/authorize${query}`)).status).toBe(429);
  });

  it('the other routes are strict too (admin, metadata)', async () => {
    t = await TestApp.create({ env: codeFlowEnv });
    expect((await send(t, 'GET', '/.well-known/oauth-authorization-server')).status).toBe(200);
    for (const path of ['/.WELL-KNOWN/oauth-authorization-server', '/.well-known/oauth-authorization-server/', '/ADMIN/login-requests/x', '/admin/Login-Requests/x']) {
      expect({ path, status: (await send(t, 'GET', path)).status }).toEqual({ path, status: 404 });
    }
  });
});
