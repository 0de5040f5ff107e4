import { randomBytes } from 'node:crypto';
import { ADMIN_API_KEY, LOGIN_URL, REDIRECT_URI } from './support/code-flow';
import { buildDist, CliClient, runCli, ServiceProcess } from './support/service-process';
import { createTestDatabase, TestDatabase } from './support/test-database';

const form = (params: Record<string, string>) => new URLSearchParams(params).toString();
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** The real process at its most verbose level: JSON lines with a request id, and no credential anywhere. */
describe('structured logs', () => {
  let database: TestDatabase;
  let service: ServiceProcess;

  beforeAll(async () => {
    buildDist();
    database = await createTestDatabase();
  }, 60_000);
  afterAll(async () => {
    await service?.kill('SIGKILL');
    await database?.drop();
  });

  it('are JSON lines with a request id and never contain a token, secret, code, password or Authorization header', async () => {
    service = await ServiceProcess.start({ databaseUrl: database.url, env: { LOG_LEVEL: 'verbose', LOGIN_URL, ADMIN_API_KEY, REFRESH_TOKEN_REUSE_INTERVAL: '0' } }); // strict: the replay below is reuse
    const basic = await runCli<CliClient>(database.url, ['clients:create', '--name', 'basic']);
    const post = await runCli<CliClient>(database.url, ['clients:create', '--name', 'post', '--auth-method', 'client_secret_post']);
    const issue = async (clientId: string) =>
      (await runCli<{ refresh_token: string; access_token: string }>(database.url, ['tokens:issue', `--client-id=${clientId}`, '--subject', 'alice'])).refresh_token;
    const secrets: string[] = [basic.client_secret, post.client_secret];

    const t0 = await issue(basic.client_id);
    const rotated = await service.refresh(basic, t0);
    expect(rotated.status).toBe(200);
    const body = (await rotated.json()) as { refresh_token: string; access_token: string };
    secrets.push(t0, body.refresh_token, body.access_token);
    const basicHeader = Buffer.from(`${basic.client_id}:${basic.client_secret}`).toString('base64');
    secrets.push(basicHeader);

    expect((await service.refresh(basic, t0)).status).toBe(400); // reuse: revokes, logs a security event
    expect((await service.refresh({ ...basic, client_secret: 'wrong-secret-value-1234' }, body.refresh_token)).status).toBe(401);
    secrets.push('wrong-secret-value-1234');

    const p0 = await issue(post.client_id);
    secrets.push(p0);
    const viaPost = await service.fetch('/oauth/token', {
      method: 'POST',
      headers: { ...FORM, 'x-request-id': 'trace-42' },
      body: form({ grant_type: 'refresh_token', refresh_token: p0, client_id: post.client_id, client_secret: post.client_secret }),
    });
    expect(viaPost.status).toBe(200);
    expect(viaPost.headers.get('x-request-id')).toBe('trace-42');
    secrets.push(((await viaPost.json()) as { refresh_token: string }).refresh_token);

    const oddities = { code: 'code-SECRET-1111', code_verifier: 'verifier-SECRET-2222', token: 'token-SECRET-3333', password: 'password-SECRET-4444' };
    secrets.push(...Object.values(oddities));
    await service.fetch('/oauth/token', { method: 'POST', headers: FORM, body: form({ grant_type: 'authorization_code', client_id: post.client_id, client_secret: post.client_secret, ...oddities }) });
    await service.fetch(`/.well-known/jwks.json?refresh_token=${t0}&client_secret=${basic.client_secret}`, { headers: { authorization: `Bearer ${body.access_token}` } });
    await service.fetch('/oauth/token', { method: 'POST', headers: { ...FORM, authorization: 'Basic not*base64' }, body: form({ grant_type: 'refresh_token', refresh_token: t0 }) });

    // Issue 10 item 8: a client that swaps id and secret must not get its secret logged as clientId.
    const swapped = Buffer.from(`${basic.client_secret}:${basic.client_id}`).toString('base64');
    const swappedRes = await service.fetch('/oauth/token', { method: 'POST', headers: { ...FORM, authorization: `Basic ${swapped}` }, body: form({ grant_type: 'refresh_token', refresh_token: t0 }) });
    expect(swappedRes.status).toBe(401);
    secrets.push(swapped);
    const swappedPost = await service.fetch('/oauth/token', { method: 'POST', headers: FORM, body: form({ grant_type: 'refresh_token', refresh_token: t0, client_id: post.client_secret, client_secret: post.client_id }) });
    expect(swappedPost.status).toBe(401);

    // Login challenges are bearer values of a pending login: never in an access-log path.
    const web = await runCli<CliClient>(database.url, ['clients:create', '--name', 'web', '--grant-types', 'authorization_code,refresh_token', '--redirect-uri', REDIRECT_URI]);
    const authorize = await service.fetch(
      `/oauth/authorize?${new URLSearchParams({ response_type: 'code', client_id: web.client_id, redirect_uri: REDIRECT_URI, code_challenge: randomBytes(32).toString('base64url'), code_challenge_method: 'S256', state: 's' })}`,
      { redirect: 'manual' },
    );
    expect(authorize.status).toBe(302);
    const challenge = new URL(authorize.headers.get('location')!).searchParams.get('login_challenge')!;
    expect(challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    secrets.push(challenge);
    const admin = { authorization: `Bearer ${ADMIN_API_KEY}` };
    expect((await service.fetch(`/admin/login-requests/${challenge}`, { headers: admin })).status).toBe(200);
    expect((await service.fetch(`/admin/login-requests/${challenge}/reject`, { method: 'POST', headers: { ...admin, 'content-type': 'application/json' }, body: '{"error":"access_denied"}' })).status).toBe(200);
    expect((await service.fetch(`/ADMIN/login-requests/${challenge}`, { headers: admin })).status).toBe(404);

    expect(await service.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    const lines = service.logs().split('\n').filter((line) => line.trim() !== '');
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const requests = records.filter((record) => record.msg === 'request completed');
    expect(requests.length).toBeGreaterThanOrEqual(7);
    expect(requests.every((record) => typeof record.request_id === 'string')).toBe(true);
    // Application records written during a request carry its id too.
    expect(records.find((record) => record.request_id === 'trace-42' && record.context === 'SecurityEvents')).toMatchObject({ type: 'token_rotated' });
    expect(records.find((record) => record.request_id === 'trace-42' && record.msg === 'request completed')).toMatchObject({
      req: { method: 'POST', path: '/oauth/token' },
      res: { status_code: 200 },
    });
    expect(records.some((record) => record.msg === 'security_event' && record.type === 'reuse_detected')).toBe(true);
    const failures = records.filter((record) => record.msg === 'security_event' && record.type === 'client_auth_failed');
    expect(failures.length).toBeGreaterThanOrEqual(3);
    // Only ids of our shape, else a short hash: never a secret in the clientId field.
    // (Unparseable credentials carry no clientId at all.)
    for (const failure of failures.filter((record) => record.clientId !== undefined)) expect(String(failure.clientId)).toMatch(/^([0-9a-f]{32}|sha256:[0-9a-f]{8})$/);
    expect(failures.filter((record) => String(record.clientId).startsWith('sha256:')).length).toBeGreaterThanOrEqual(2);
    expect(requests.some((record) => (record.req as { path: string }).path === '/admin/login-requests/:challenge/reject')).toBe(true);
    const output = service.logs();
    for (const secret of secrets) expect(output).not.toContain(secret);
  }, 60_000);
});
