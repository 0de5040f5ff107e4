import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClientsRepository, ClientsService, TokenFamiliesAdmin } from 'nest-oauth-server';
import { decodeJwt } from './support/jwt';
import { baseEnv, buildDist, runBuilt } from './support/service-process';
import { TestApp } from './support/test-app';
import { createTestDatabase, TestDatabase } from './support/test-database';

// The CLI and the server run from the build (`node dist/cli.js`, no compiler per call, as
// `npm run cli` does); set-up that is not under test goes through the in-process app, so each
// test starts as few processes as it can.
const ISSUER = 'http://issuer.test';

describe('admin CLI (npm run --silent cli -- <command>)', () => {
  let database: TestDatabase;
  let t: TestApp;
  const cli = (...args: string[]) => runBuilt('cli', args, baseEnv(database.url));
  const json = async (...args: string[]) => {
    const result = await cli(...args);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    return JSON.parse(result.stdout);
  };

  beforeAll(async () => {
    buildDist();
    database = await createTestDatabase();
    // The CLI writes from its own process: staleness 0 makes its changes visible to the very next
    // request of this app (the default bound is CLIENT_CACHE_MAX_STALENESS_MS = 1000).
    t = await TestApp.create({ database, env: { ISSUER, CLIENT_CACHE_MAX_STALENESS_MS: '0' } });
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
    const { clientId, clientSecret } = await t.createClient({ name: 'svc' });
    const created = { client_id: clientId, client_secret: clientSecret };
    const rotated = await json('clients:rotate-secret', created.client_id);
    expect(rotated.client_secret).not.toBe(created.client_secret);
    expect(await json('clients:disable', created.client_id)).toEqual({ client_id: created.client_id, disabled: true, revoked_families: 0 });
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
    [['clients:disable', 'nope'], /no client nope/],
    [['no-such-command'], /^error: unknown command "no-such-command"\nusage:/],
    [['clients:update', 'nope'], /nothing to update/],
    [['clients:rotate-secret', 'x', '--keep-old-for', 'soon'], /--keep-old-for must be a number of seconds/],
  ])('%p → a message on stderr, nothing on stdout, exit 1', async (args, message) => {
    const result = await cli(...args);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
  });

  it('clients:rotate-secret --keep-old-for: both secrets work during the overlap', async () => {
    const client = await t.createClient();
    const { refresh_token } = await t.issueTokens(client);
    const rotated = await json('clients:rotate-secret', client.clientId, '--keep-old-for', '3600');
    expect(rotated).toEqual({ client_id: client.clientId, client_secret: expect.any(String), previous_secret_expires_at: expect.any(Number) });
    const first = await t.refresh(client, refresh_token!).expect(200);
    await t.refresh({ clientId: client.clientId, clientSecret: rotated.client_secret }, first.body.refresh_token).expect(200);
  });

  it('clients:create/update with private_key_jwt: --jwks FILE (public keys only) or --jwks-uri URL, no secret', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jwks-'));
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const publicFile = join(dir, 'public.json');
    const privateFile = join(dir, 'private.json');
    writeFileSync(publicFile, JSON.stringify({ keys: [{ ...pair.publicKey.export({ format: 'jwk' }), kid: 'k1' }] }));
    writeFileSync(privateFile, JSON.stringify({ keys: [pair.privateKey.export({ format: 'jwk' })] }));
    const created = await json('clients:create', '--name', 'signer', '--auth-method', 'private_key_jwt', '--jwks', publicFile, '--grant-types', 'client_credentials');
    expect(created).toMatchObject({ token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [expect.objectContaining({ kid: 'k1', kty: 'EC' })] } });
    expect(created.client_secret).toBeUndefined();
    const refused = await cli('clients:create', '--name', 'leaky', '--auth-method', 'private_key_jwt', '--jwks', privateFile, '--grant-types', 'client_credentials');
    expect(refused).toMatchObject({ code: 1, stdout: '' });
    expect(refused.stderr).toMatch(/private key members \(d\)/);
    const updated = await json('clients:update', created.client_id, '--jwks-uri', 'https://keys.example/jwks.json');
    expect(updated).toMatchObject({ jwks_uri: 'https://keys.example/jwks.json' });
    expect(updated.jwks).toBeUndefined();
    const back = await json('clients:update', created.client_id, '--jwks', publicFile);
    expect(back.jwks_uri).toBeUndefined();
    expect(back.jwks.keys[0].kid).toBe('k1');
  });

  it('clients:show, clients:update, clients:enable, clients:delete', async () => {
    const { clientId } = await t.createClient({ name: 'lifecycle' });
    const updated = await json('clients:update', clientId, '--name', 'renamed', '--scope', 'read', '--redirect-uri', 'https://a.example/cb', '--redirect-uri', 'https://b.example/cb', '--grant-types', 'authorization_code,refresh_token', '--allow-introspection', 'true');
    expect(updated).toMatchObject({ client_name: 'renamed', scope: 'read', redirect_uris: ['https://a.example/cb', 'https://b.example/cb'], grant_types: ['authorization_code', 'refresh_token'], allow_introspection: true });
    expect(await json('clients:show', clientId)).toEqual(updated);
    await t.get(ClientsService).disable(clientId);
    expect(await json('clients:enable', clientId)).toEqual({ client_id: clientId, disabled: false });
    expect(await json('clients:delete', clientId)).toEqual({ client_id: clientId, deleted: true, revoked_families: 0 });
    expect(await t.get(ClientsRepository).findById(clientId)).toBeNull();
  });

  it('clients:disable ends the client\'s families: tokens:list shows nothing live', async () => {
    const client = await t.createClient();
    await t.issueTokens(client, 'frank');
    expect(await json('clients:disable', client.clientId)).toEqual({ client_id: client.clientId, disabled: true, revoked_families: 1 });
    expect(await t.get(TokenFamiliesAdmin).listLive('frank')).toEqual([]);
  });

  it('--help: general and per command, exit 0, without touching a database', async () => {
    const general = await runBuilt('cli', ['--help'], { PATH: process.env.PATH });
    expect(general).toMatchObject({ code: 0, stderr: '' });
    expect(general.stdout).toMatch(/clients:update <client_id>/);
    const one = await runBuilt('cli', ['clients:rotate-secret', '--help'], { PATH: process.env.PATH });
    expect(one).toMatchObject({ code: 0, stderr: '' });
    expect(one.stdout).toMatch(/^usage: npm run --silent cli -- clients:rotate-secret <client_id> \[--keep-old-for SECONDS\]\n\n.*keeps working/);
  });

  it('tokens:issue refuses a scope beyond the client', async () => {
    const { clientId } = await t.createClient({ name: 'narrow', scope: 'read' });
    const result = await cli('tokens:issue', '--client-id', clientId, '--subject', 'a', '--scope', 'read admin');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/scope/);
  });
});

describe('server start-up', () => {
  beforeAll(() => buildDist());

  it.each([
    [{ PORT: 'abc' }, /PORT/],
    [{ ACCESS_TOKEN_SIGNING_ALG: 'HS256' }, /ACCESS_TOKEN_SIGNING_ALG/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL/],
    [{ TRUST_PROXY: 'yes please' }, /TRUST_PROXY/],
    [{ TRUST_PROXY: 'loopbak' }, /TRUST_PROXY/],
  ])('invalid configuration %p → one clear line on stderr and a non-zero exit', async (env, message) => {
    const result = await runBuilt('main', [], { PATH: process.env.PATH, ...env });
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });
});
