import { setTimeout as sleep } from 'node:timers/promises';
import { ClientsRepository, DatabaseService } from 'nest-oauth-server';
import { ADMIN_API_KEY, codeFlowEnv } from './support/code-flow';
import { introspect } from './support/oauth-requests';
import { TestApp, TestClient } from './support/test-app';

const auth = { Authorization: `Bearer ${ADMIN_API_KEY}` };
const STALENESS_MS = 400;

/**
 * The client cache (issue 17): writes through this instance are seen by the very next request;
 * writes elsewhere (another instance, the CLI, plain SQL; here plain SQL on the test's own
 * connection, which bypasses the repository) within CLIENT_CACHE_MAX_STALENESS_MS.
 */
describe('client cache: invalidation', () => {
  let t: TestApp;
  let introspector: TestClient;

  beforeAll(async () => {
    t = await TestApp.create({ env: { ...codeFlowEnv, CLIENT_CACHE_MAX_STALENESS_MS: String(STALENESS_MS) } });
    introspector = await t.createClient({ name: 'resource server', allowIntrospection: true });
  });
  afterAll(() => t.close());
  afterEach(() => jest.restoreAllMocks());

  const admin = (method: 'post' | 'patch' | 'delete', path: string, body: object = {}) => t.http()[method](`/admin/clients${path}`).set(auth).send(body);
  const cc = (client: TestClient, secret = client.clientSecret!) =>
    t.http().post('/oauth/token').auth(client.clientId, secret).type('form').send({ grant_type: 'client_credentials' });
  /** A client whose row is in the cache (a token request looked it up). */
  const warmClient = async (input = {}) => {
    const client = await t.createClient({ grantTypes: ['client_credentials'], scope: 'read write', ...input });
    await cc(client).expect(200);
    return client;
  };
  const active = async (token: string) => (await introspect(t, introspector, { token }).expect(200)).body.active as boolean;

  it('keeps the row: repeated token requests of one client do not read oauth_clients again', async () => {
    const client = await warmClient();
    const reads = jest.spyOn(t.get(DatabaseService), 'sqlRead');
    for (let i = 0; i < 5; i++) await cc(client).expect(200);
    // At most one version read (a staleness window may end during the loop), never the row.
    const sqls = reads.mock.calls.map(([sql]) => sql);
    expect(sqls.filter((sql) => sql.includes('client_registry_version')).length).toBeLessThanOrEqual(1);
    expect(sqls.filter((sql) => sql.includes('oauth_clients'))).toEqual([]);
  });

  it('disable: the next request is invalid_client', async () => {
    const client = await warmClient();
    await admin('post', `/${client.clientId}/disable`).expect(200);
    expect((await cc(client).expect(401)).body.error).toBe('invalid_client');
  });

  it('secret rotation without an overlap: the old secret is refused at once, the new one accepted', async () => {
    const client = await warmClient();
    const rotated = (await admin('post', `/${client.clientId}/rotate-secret`).expect(200)).body;
    await cc(client).expect(401);
    await cc(client, rotated.client_secret).expect(200);
  });

  it('secret rotation --keep-old-for: both secrets at once, the old one refused when the overlap ends', async () => {
    const client = await warmClient();
    const rotated = (await admin('post', `/${client.clientId}/rotate-secret`, { keep_old_for: 60 }).expect(200)).body;
    await cc(client, rotated.client_secret).expect(200);
    await cc(client).expect(200);
    t.clock.advance(60_000);
    await cc(client).expect(401);
    await cc(client, rotated.client_secret).expect(200);
  });

  it('update: a grant type removed is refused by the next request (unauthorized_client), a narrowed scope applies', async () => {
    const client = await warmClient({ grantTypes: ['client_credentials', 'refresh_token'] });
    await admin('patch', `/${client.clientId}`, { scope: 'read' }).expect(200);
    expect((await cc(client).expect(200)).body.scope).toBe('read');
    await admin('patch', `/${client.clientId}`, { grant_types: ['refresh_token'] }).expect(200);
    expect((await cc(client).expect(400)).body.error).toBe('unauthorized_client');
  });

  it('delete: the next request is invalid_client', async () => {
    const client = await warmClient();
    await admin('delete', `/${client.clientId}`).expect(200);
    await cc(client).expect(401);
  });

  it('tokens_valid_after: a token minted before a disable stays inactive after the enable, one minted after is active', async () => {
    const client = await warmClient();
    const before = (await cc(client).expect(200)).body.access_token;
    expect(await active(before)).toBe(true);
    await admin('post', `/${client.clientId}/disable`).expect(200);
    await admin('post', `/${client.clientId}/enable`).expect(200);
    expect(await active(before)).toBe(false);
    t.clock.advance(1000);
    expect(await active((await cc(client).expect(200)).body.access_token)).toBe(true);
  });

  it('an id unknown when first asked (kept as unknown) is found once a client gets it elsewhere', async () => {
    const client = await t.createClient();
    expect(await t.get(ClientsRepository).findById('c'.repeat(32))).toBeNull();
    await t.dataSource().query(`UPDATE oauth_clients SET client_id = '${'c'.repeat(32)}' WHERE client_id = '${client.clientId}'`);
    await sleep(STALENESS_MS + 50);
    expect(await t.get(ClientsRepository).findById('c'.repeat(32))).not.toBeNull();
  });

  it('a write elsewhere (plain SQL: the triggers bump the version) is seen within the staleness bound', async () => {
    const client = await warmClient();
    const started = performance.now();
    await t.dataSource().query(`UPDATE oauth_clients SET disabled_at = 1 WHERE client_id = '${client.clientId}'`);
    let status = 200;
    while (status === 200 && performance.now() - started < STALENESS_MS + 1000) {
      status = (await cc(client)).status;
      if (status === 200) await sleep(25);
    }
    expect(status).toBe(401);
    expect(performance.now() - started).toBeLessThan(STALENESS_MS + 500); // + one version read and the request, on a loaded machine
  });

  it('the triggers bump the version on insert, update and delete', async () => {
    const version = async () => Number((await t.dataSource().query('SELECT version FROM client_registry_version WHERE id = 1'))[0].version);
    const v0 = await version();
    const client = await t.createClient();
    const v1 = await version();
    await t.dataSource().query(`UPDATE oauth_clients SET name = 'renamed' WHERE client_id = '${client.clientId}'`);
    const v2 = await version();
    await t.dataSource().query(`DELETE FROM oauth_clients WHERE client_id = '${client.clientId}'`);
    const v3 = await version();
    expect([v1 > v0, v2 > v1, v3 > v2]).toEqual([true, true, true]);
  });
});
