import { commands } from '../src/cli/commands';
import { type FamilyView, type RevokeResult, SecurityEvents } from 'nest-oauth-server';
import { TestApp, TestClient } from './support/test-app';

describe('log out everywhere: tokens:list and tokens:revoke', () => {
  let t: TestApp;
  let web: TestClient;
  let mobile: TestClient;

  beforeAll(async () => {
    t = await TestApp.create();
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    web = await t.createClient();
    mobile = await t.createClient();
  });

  const cli = <T>(...argv: string[]) => commands[argv[0]].run(t.app, argv.slice(1)) as Promise<T>;
  const subject = () => `user-${Math.random().toString(36).slice(2)}`;

  it('lists a subject\'s live families with ids, client, scope and times, never a token', async () => {
    const sub = subject();
    const issued = [await t.issueTokens(web, sub), await t.issueTokens(mobile, sub, 'read')];
    await t.issueTokens(web, 'someone-else');
    const list = await cli<FamilyView[]>('tokens:list', '--subject', sub);
    expect(list).toHaveLength(2);
    expect(list.map((family) => family.client_id).sort()).toEqual([web.clientId, mobile.clientId].sort());
    expect(Object.keys(list[0]).sort()).toEqual(['client_id', 'created_at', 'expires_at', 'family_id', 'last_used_at', 'scope', 'subject']);
    const printed = JSON.stringify(list);
    for (const response of issued) expect(printed).not.toContain(response.refresh_token);
  });

  it('--subject revokes every family of the subject and nothing else', async () => {
    const sub = subject();
    const mine = [await t.issueTokens(web, sub), await t.issueTokens(mobile, sub)];
    const other = await t.issueTokens(web, 'bystander');
    const revokedEvents = t.get(SecurityEvents).count('family_revoked');
    const result = await cli<RevokeResult>('tokens:revoke', '--subject', sub);
    expect(result.revoked).toBe(2);
    expect(t.get(SecurityEvents).count('family_revoked')).toBe(revokedEvents + 2);
    await t.refresh(web, mine[0].refresh_token!).expect(400);
    await t.refresh(mobile, mine[1].refresh_token!).expect(400);
    await t.refresh(web, other.refresh_token!).expect(200);
    expect(await cli<FamilyView[]>('tokens:list', '--subject', sub)).toEqual([]);
    expect((await cli<RevokeResult>('tokens:revoke', '--subject', sub)).revoked).toBe(0);
  });

  it('--client-id revokes the families of one client only', async () => {
    const sub = subject();
    const viaWeb = await t.issueTokens(web, sub);
    const viaMobile = await t.issueTokens(mobile, sub);
    expect((await cli<RevokeResult>('tokens:revoke', '--client-id', web.clientId)).revoked).toBe(1);
    await t.refresh(web, viaWeb.refresh_token!).expect(400);
    await t.refresh(mobile, viaMobile.refresh_token!).expect(200);
  });

  it('--family revokes exactly one family', async () => {
    const sub = subject();
    await t.issueTokens(web, sub);
    const keep = await t.issueTokens(mobile, sub);
    const [target] = (await cli<FamilyView[]>('tokens:list', '--subject', sub)).filter((family) => family.client_id === web.clientId);
    expect(await cli<RevokeResult>('tokens:revoke', '--family', target.family_id)).toEqual({ revoked: 1, family_ids: [target.family_id] });
    await t.refresh(mobile, keep.refresh_token!).expect(200);
  });

  it('requires exactly one selector', async () => {
    await expect(cli('tokens:revoke')).rejects.toThrow('exactly one');
    await expect(cli('tokens:revoke', '--subject', 'a', '--family', 'b')).rejects.toThrow('exactly one');
  });
});

describe('admin API: /admin/token-families (behind ADMIN_API_KEY)', () => {
  const key = 'tf-admin-key-0123456789-abcdefghijklmnop'; // 16+ distinct characters, as the config requires
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.create({ env: { ADMIN_API_KEY: key } });
  });
  afterAll(() => t.close());

  const admin = (req: import('supertest').Test) => req.set('Authorization', `Bearer ${key}`);

  it("lists and revokes a subject's families over HTTP", async () => {
    const client = await t.createClient();
    const issued = await t.issueTokens(client, 'carol');
    const list = await admin(t.http().get('/admin/token-families').query({ subject: 'carol' })).expect(200);
    expect(list.body).toHaveLength(1);
    expect(list.headers['cache-control']).toBe('no-store');
    expect(list.body[0]).toMatchObject({ family_id: expect.any(String), client_id: client.clientId });
    expect(JSON.stringify(list.body)).not.toContain(issued.refresh_token);
    const revoked = await admin(t.http().delete('/admin/token-families').query({ subject: 'carol' })).expect(200);
    expect(revoked.body).toEqual({ revoked: 1, family_ids: [list.body[0].family_id] });
    await t.refresh(client, issued.refresh_token!).expect(400);
  });

  it('revokes one family by id', async () => {
    const client = await t.createClient();
    const gone = await t.issueTokens(client, 'dave');
    const kept = await t.issueTokens(client, 'dave');
    const [first] = (await admin(t.http().get('/admin/token-families').query({ subject: 'dave' }))).body;
    await admin(t.http().delete(`/admin/token-families/${first.family_id}`)).expect(200);
    const statuses = [(await t.refresh(client, gone.refresh_token!)).status, (await t.refresh(client, kept.refresh_token!)).status];
    expect(statuses.sort()).toEqual([200, 400]);
  });

  it.each([
    ['no selector', (r: ReturnType<TestApp['http']>) => r.delete('/admin/token-families')],
    ['two selectors', (r: ReturnType<TestApp['http']>) => r.delete('/admin/token-families?subject=a&client_id=b')],
    ['a repeated subject', (r: ReturnType<TestApp['http']>) => r.get('/admin/token-families?subject=a&subject=b')],
  ])('%s → 400', async (_name, send) => {
    await admin(send(t.http())).expect(400);
  });

  // Hostile-input finding: PostgreSQL refused the NUL in the query, a 500.
  it.each([
    ['list by a subject', (r: ReturnType<TestApp['http']>) => r.get('/admin/token-families?subject=frank%00')],
    ['revoke by a subject', (r: ReturnType<TestApp['http']>) => r.delete('/admin/token-families?subject=frank%00')],
    ['revoke by a client id', (r: ReturnType<TestApp['http']>) => r.delete('/admin/token-families?client_id=%00')],
    ['revoke one family', (r: ReturnType<TestApp['http']>) => r.delete('/admin/token-families/%00abc')],
  ])('%s with a NUL → 400 invalid_request, nothing revoked', async (_name, send) => {
    const client = await t.createClient();
    const issued = await t.issueTokens(client, 'frank');
    const res = await admin(send(t.http())).expect(400);
    expect(res.body).toEqual({ error: 'invalid_request', error_description: expect.stringContaining('control characters') });
    await t.refresh(client, issued.refresh_token!).expect(200);
  });

  it('without the key → 401, nothing revoked', async () => {
    const client = await t.createClient();
    const issued = await t.issueTokens(client, 'erin');
    await t.http().delete('/admin/token-families').query({ subject: 'erin' }).expect(401);
    await t.refresh(client, issued.refresh_token!).expect(200);
  });
});
