import { decodeJwt } from './support/jwt';
import { runTs } from './support/run-node';
import { TestApp } from './support/test-app';
import { createTestDatabase, TestDatabase } from './support/test-database';

describe('admin CLI (npm run --silent cli -- <command>)', () => {
  let database: TestDatabase;
  let t: TestApp;
  const cli = (...args: string[]) => runTs('src/cli.ts', args, { DATABASE_URL: database.url });
  const json = async (...args: string[]) => {
    const result = await cli(...args);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    return JSON.parse(result.stdout);
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    t = await TestApp.create({ database });
  });
  afterAll(async () => {
    await t.close();
    await database.drop();
  });

  it('clients:create → RFC 7591 names and a secret usable at the token endpoint; tokens:issue starts a family', async () => {
    const created = await json('clients:create', '--name', 'web', '--scope', 'read write');
    expect(created).toMatchObject({
      client_id: expect.any(String),
      client_secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      client_name: 'web',
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['refresh_token'],
      scope: 'read write',
    });
    const issued = await json('tokens:issue', '--client-id', created.client_id, '--subject', 'alice', '--scope', 'read');
    expect(issued).toMatchObject({ token_type: 'Bearer', expires_in: 900, scope: 'read', refresh_token: expect.any(String) });
    expect(decodeJwt(issued.access_token).payload).toMatchObject({ sub: 'alice', client_id: created.client_id });

    const client = { clientId: created.client_id, clientSecret: created.client_secret };
    await t.refresh(client, issued.refresh_token).expect(200);
  });

  it('a public client gets no secret', async () => {
    const created = await json('clients:create', '--name', 'spa', '--auth-method', 'none');
    expect(created).not.toHaveProperty('client_secret');
    expect(created.token_endpoint_auth_method).toBe('none');
    expect(created.allowed_cors_origins).toEqual([]);
  });

  it('clients:create --allowed-origin (repeatable) registers browser origins for CORS', async () => {
    const created = await json(
      'clients:create', '--name', 'browser', '--auth-method', 'none',
      '--allowed-origin', 'https://app.example', '--allowed-origin', 'http://localhost:8080',
    );
    expect(created.allowed_cors_origins).toEqual(['https://app.example', 'http://localhost:8080']);
    const issued = await t.issueTokens({ clientId: created.client_id }, 'alice', '');
    await t.refresh({ clientId: created.client_id }, issued.refresh_token!).set('Origin', 'https://app.example').expect(200)
      .expect('Access-Control-Allow-Origin', 'https://app.example');
  });

  it('clients:list, clients:disable and clients:rotate-secret', async () => {
    const created = await json('clients:create', '--name', 'svc');
    const rotated = await json('clients:rotate-secret', created.client_id);
    expect(rotated.client_secret).not.toBe(created.client_secret);
    expect(await json('clients:disable', created.client_id)).toEqual({ client_id: created.client_id, disabled: true });
    const listed = await json('clients:list');
    expect(listed.find((c: { client_id: string }) => c.client_id === created.client_id)).toMatchObject({ disabled: true });
    expect(JSON.stringify(listed)).not.toContain(rotated.client_secret);
  });

  it.each([
    [['clients:create'], /--name is required/],
    [['clients:create', '--name', 'x', '--auth-method', 'magic'], /--auth-method/],
    [['clients:create', '--name', 'x', '--grant-types', 'password'], /unknown grant type/],
    [['clients:create', '--name', 'x', '--bogus'], /bogus/],
    [['clients:create', '--name', 'x', '--allowed-origin', 'https://app.example/path'], /must not have a path/],
    [['tokens:issue', '--client-id', 'nope', '--subject', 'a'], /no enabled client/],
    [['clients:disable', 'nope'], /no enabled client/],
    [['no-such-command'], /usage/],
  ])('%p → a message on stderr, nothing on stdout, exit 1', async (args, message) => {
    const result = await cli(...args);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
  });

  it('tokens:issue refuses a scope beyond the client', async () => {
    const created = await json('clients:create', '--name', 'narrow', '--scope', 'read');
    const result = await cli('tokens:issue', '--client-id', created.client_id, '--subject', 'a', '--scope', 'read admin');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/scope/);
  });
});

describe('server start-up', () => {
  it.each([
    [{ PORT: 'abc' }, /PORT/],
    [{ ACCESS_TOKEN_SIGNING_ALG: 'HS256' }, /ACCESS_TOKEN_SIGNING_ALG/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL/],
    [{ TRUST_PROXY: 'yes please' }, /TRUST_PROXY/],
    [{ TRUST_PROXY: 'loopbak' }, /TRUST_PROXY/],
  ])('invalid configuration %p → one clear line on stderr and a non-zero exit', async (env, message) => {
    const result = await runTs('src/main.ts', [], env as Record<string, string>);
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });
});
