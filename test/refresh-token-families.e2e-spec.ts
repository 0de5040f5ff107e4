import { AccessTokens, ClientsRepository, ClientsService, OAuthClient, RefreshTokenFamilies, TokenFamilyEntity } from 'nest-oauth-server';
import { createTestClient, type TestClientCredentials } from 'nest-oauth-server/testing';
import { decodeJwt } from './support/jwt';
import { TestApp } from './support/test-app';

const JKT = 'A'.repeat(43);

/**
 * RefreshTokenFamilies.start is THE "eligible client → start a family" policy (issue 14): the CLI,
 * the microservice, the code grant, extension grants and the test helpers all call it, so its
 * checks are tested once here, on every form of `client` it accepts.
 */
describe('RefreshTokenFamilies.start: the one eligibility policy', () => {
  let t: TestApp;
  let families: RefreshTokenFamilies;
  let web: TestClientCredentials;

  beforeAll(async () => {
    t = await TestApp.create();
    families = t.get(RefreshTokenFamilies);
    web = await createTestClient(t.app, { grantTypes: ['refresh_token'], scope: 'read write' });
  });
  afterAll(() => t.close());

  const familyCount = (clientId: string) => t.dataSource().getRepository(TokenFamilyEntity).countBy({ clientId });
  const view = async (clientId: string) => OAuthClient.from((await t.get(ClientsRepository).findById(clientId))!);

  it.each([
    ['a client_id', async (id: string) => id],
    ['the public view', (id: string) => view(id)],
  ])('starts a family for an eligible client given as %s: the registered scope by default', async (_form, given) => {
    const before = await familyCount(web.clientId);
    const tokens = await families.start({ client: await given(web.clientId), subject: 'alice', grantType: 'bootstrap' });
    expect(tokens).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 900, refresh_token: expect.any(String), scope: 'read write' });
    expect(decodeJwt(tokens.access_token).payload).toMatchObject({ sub: 'alice', client_id: web.clientId, family_id: expect.any(String) });
    expect(await familyCount(web.clientId)).toBe(before + 1);
    await t.refresh(web, tokens.refresh_token!).expect(200);
  });

  it.each([
    ['an unknown client', async () => 'nope', {}, 'invalid_request'],
    ['a disabled client', async () => {
      const c = await createTestClient(t.app, { grantTypes: ['refresh_token'] });
      await t.get(ClientsService).disable(c.clientId);
      return c.clientId;
    }, {}, 'invalid_request'],
    ['a disabled client given as its view', async () => {
      const c = await createTestClient(t.app, { grantTypes: ['refresh_token'] });
      await t.get(ClientsService).disable(c.clientId);
      return view(c.clientId);
    }, {}, 'invalid_request'],
    ['a client not registered for refresh_token', async () => (await createTestClient(t.app, { grantTypes: ['client_credentials'] })).clientId, {}, 'unauthorized_client'],
    ['a scope beyond the client', async () => web.clientId, { scope: 'read admin' }, 'invalid_scope'],
    ['a malformed scope', async () => web.clientId, { scope: 'read "x"' }, 'invalid_scope'],
  ])('refuses %s, storing nothing', async (_case, given, extra, code) => {
    const client = await given();
    const before = (await t.dataSource().query('SELECT id FROM token_families')).length;
    await expect(families.start({ client, subject: 'alice', grantType: 'bootstrap', ...extra })).rejects.toMatchObject({ code });
    expect((await t.dataSource().query('SELECT id FROM token_families')).length).toBe(before);
  });

  it('binds the access token to a DPoP key, and the family only where RFC 9449 §5 says so', async () => {
    const spa = await createTestClient(t.app, { grantTypes: ['refresh_token'], confidential: false });
    const bound = await families.start({ client: spa.clientId, subject: 'alice', grantType: 'bootstrap', dpopJkt: JKT });
    const unbound = await families.start({ client: web.clientId, subject: 'alice', grantType: 'bootstrap', dpopJkt: JKT });
    for (const tokens of [bound, unbound]) {
      expect(tokens.token_type).toBe('DPoP');
      expect(decodeJwt(tokens.access_token).payload.cnf).toEqual({ jkt: JKT });
    }
    const jkt = async (clientId: string) => (await t.dataSource().getRepository(TokenFamilyEntity).findOneByOrFail({ clientId })).dpopJkt;
    expect(await jkt(spa.clientId)).toBe(JKT);
    expect(await jkt(web.clientId)).toBeNull();
  });
});

describe('AccessTokens.issue: an access token alone, through the same scope policy', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.create();
  });
  afterAll(() => t.close());

  it('defaults the subject to the client and the scope to its registration, and starts no family', async () => {
    const c = await createTestClient(t.app, { grantTypes: ['client_credentials'], scope: 'read write' });
    const client = OAuthClient.from((await t.get(ClientsRepository).findById(c.clientId))!);
    const tokens = await t.get(AccessTokens).issue({ client });
    expect(tokens).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 900, scope: 'read write' });
    expect(decodeJwt(tokens.access_token).payload).toMatchObject({ sub: c.clientId, client_id: c.clientId });
    await expect(t.get(AccessTokens).issue({ client, scope: 'admin' })).rejects.toMatchObject({ code: 'invalid_scope' });
    await t.get(ClientsService).disable(c.clientId);
    const disabled = OAuthClient.from((await t.get(ClientsRepository).findById(c.clientId))!);
    await expect(t.get(AccessTokens).issue({ client: disabled })).rejects.toMatchObject({ code: 'invalid_request' });
    expect(await t.dataSource().query('SELECT id FROM token_families')).toEqual([]);
  });
});
