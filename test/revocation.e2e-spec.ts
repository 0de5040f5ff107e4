import { RevokedAccessTokenEntity, TokenFamilyEntity } from 'nest-oauth-server';
import { decodeJwtPayload, introspect, revoke, signJwt } from './support/oauth-requests';
import { TestApp, TestClient } from './support/test-app';

describe('token revocation (RFC 7009)', () => {
  let t: TestApp;
  let client: TestClient;
  let resourceServer: TestClient;

  beforeAll(async () => {
    t = await TestApp.create();
    resourceServer = await t.createClient({ name: 'rs', grantTypes: [], allowIntrospection: true });
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    client = await t.createClient();
  });

  const isActive = async (token: string) => (await introspect(t, resourceServer, { token }).expect(200)).body.active as boolean;

  const expectEmptySuccess = (res: { status: number; text: string; headers: Record<string, string> }) => {
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    expect(res.headers['cache-control']).toBe('no-store');
  };

  it('revoking a refresh token ends its whole family, access tokens included (§2.1)', async () => {
    const first = await t.issueTokens(client);
    const second = (await t.refresh(client, first.refresh_token!).expect(200)).body;
    expectEmptySuccess(await revoke(t, client, { token: second.refresh_token, token_type_hint: 'refresh_token' }));

    const res = await t.refresh(client, second.refresh_token).expect(400);
    expect(res.body.error).toBe('invalid_grant');
    expect(await isActive(first.access_token)).toBe(false);
    expect(await isActive(second.access_token)).toBe(false);
    const family = await t.dataSource().manager.findOneByOrFail(TokenFamilyEntity, { id: decodeJwtPayload(second.access_token).family_id as string });
    expect(family.revokedReason).toBe('client_revocation');
  });

  it('revoking an access token makes it inactive and leaves the grant alone', async () => {
    const first = await t.issueTokens(client);
    const second = (await t.refresh(client, first.refresh_token!).expect(200)).body;
    expectEmptySuccess(await revoke(t, client, { token: first.access_token, token_type_hint: 'access_token' }));

    expect(await isActive(first.access_token)).toBe(false);
    expect(await isActive(second.access_token)).toBe(true);
    await t.refresh(client, second.refresh_token).expect(200);
    const stored = await t.dataSource().manager.findOneByOrFail(RevokedAccessTokenEntity, { jti: decodeJwtPayload(first.access_token).jti as string });
    expect(stored.expiresAt).toBe((decodeJwtPayload(first.access_token).exp as number) * 1000);
  });

  it.each([
    ['a refresh token with the access_token hint', 'refresh_token', 'access_token'],
    ['an access token with the refresh_token hint', 'access_token', 'refresh_token'],
  ] as const)('a wrong hint still finds the token: %s', async (_name, kind, hint) => {
    const tokens = await t.issueTokens(client);
    const token = kind === 'refresh_token' ? tokens.refresh_token! : tokens.access_token;
    expectEmptySuccess(await revoke(t, client, { token, token_type_hint: hint }));
    expect(await isActive(token)).toBe(false);
  });

  it('a token issued to another client: 200 and nothing revoked', async () => {
    const other = await t.createClient();
    const tokens = await t.issueTokens(other);
    expectEmptySuccess(await revoke(t, client, { token: tokens.refresh_token! }));
    expectEmptySuccess(await revoke(t, client, { token: tokens.access_token }));
    expect(await isActive(tokens.access_token)).toBe(true);
    expect(await isActive(tokens.refresh_token!)).toBe(true);
    await t.refresh(other, tokens.refresh_token!).expect(200);
  });

  it.each([
    ['unknown refresh-token-shaped', () => 'A'.repeat(43)],
    ['malformed', () => 'not a token at all'],
    ['a JWT signed by an unknown key', () => signJwt({ typ: 'at+jwt', kid: 'nope' }, { jti: 'x', exp: 4e9 })],
    ['a JWT with three garbage segments', () => 'aaa.bbb.ccc'],
    ['a very long string', () => 'x'.repeat(10_000)],
  ])('an unknown or malformed token (%s) gets 200 with an empty body (§2.2)', async (_name, token) => {
    expectEmptySuccess(await revoke(t, client, { token: token() }));
  });

  it('expired and already revoked tokens get 200 with an empty body', async () => {
    const tokens = await t.issueTokens(client);
    expectEmptySuccess(await revoke(t, client, { token: tokens.access_token }));
    expectEmptySuccess(await revoke(t, client, { token: tokens.access_token }));
    expectEmptySuccess(await revoke(t, client, { token: tokens.refresh_token! }));
    expectEmptySuccess(await revoke(t, client, { token: tokens.refresh_token! }));
    const later = await t.issueTokens(client);
    t.clock.advance(901);
    expectEmptySuccess(await revoke(t, client, { token: later.access_token }));
    expect(await t.dataSource().manager.existsBy(RevokedAccessTokenEntity, { jti: decodeJwtPayload(later.access_token).jti as string })).toBe(false);
  });

  it('forgets a revoked jti once the token has expired', async () => {
    const old = await t.issueTokens(client);
    await revoke(t, client, { token: old.access_token }).expect(200);
    const oldJti = decodeJwtPayload(old.access_token).jti as string;
    t.clock.advance(901);
    const fresh = await t.issueTokens(client);
    await revoke(t, client, { token: fresh.access_token }).expect(200);
    const repository = t.dataSource().getRepository(RevokedAccessTokenEntity);
    expect(await repository.existsBy({ jti: oldJti })).toBe(false);
    expect(await repository.existsBy({ jti: decodeJwtPayload(fresh.access_token).jti as string })).toBe(true);
  });

  it('missing token: 400 invalid_request', async () => {
    const res = await revoke(t, client, { token_type_hint: 'refresh_token' }).expect(400);
    expect(res.body.error).toBe('invalid_request');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('a token_type_hint the server does not know is ignored: 200 and the token is revoked (§2.2)', async () => {
    const tokens = await t.issueTokens(client);
    const res = await revoke(t, client, { token: tokens.refresh_token!, token_type_hint: 'id_token' }).expect(200);
    expect(res.text).toBe('');
    await t.refresh(client, tokens.refresh_token!).expect(400);
  });

  it('authenticates the client as the token endpoint does', async () => {
    const tokens = await t.issueTokens(client);
    const wrong = await revoke(t, { clientId: client.clientId, clientSecret: 'wrong' }, { token: tokens.refresh_token! }).expect(401);
    expect(wrong.body.error).toBe('invalid_client');
    expect(wrong.headers['www-authenticate']).toMatch(/^Basic/);
    await t.http().post('/oauth/revoke').type('form').send({ token: tokens.refresh_token! }).expect(401);
    await t.refresh(client, tokens.refresh_token!).expect(200);
  });

  it('accepts client_secret_post and public clients revoking their own tokens', async () => {
    const post = await t.createClient({ tokenEndpointAuthMethod: 'client_secret_post' });
    const postTokens = await t.issueTokens(post);
    const body = { token: postTokens.refresh_token!, client_id: post.clientId, client_secret: post.clientSecret! };
    expectEmptySuccess(await t.http().post('/oauth/revoke').type('form').send(body));
    expect(await isActive(postTokens.refresh_token!)).toBe(false);

    const pub = await t.createClient({ tokenEndpointAuthMethod: 'none' });
    const pubTokens = await t.issueTokens(pub);
    expectEmptySuccess(await revoke(t, pub, { token: pubTokens.refresh_token! }));
    expect(await isActive(pubTokens.access_token)).toBe(false);
  });

  it('rejects a body that is not a form', async () => {
    const res = await t.http().post('/oauth/revoke').set('Content-Type', 'application/json').send('{"token":"x"}').expect(400);
    expect(res.body.error).toBe('invalid_request');
  });
});
