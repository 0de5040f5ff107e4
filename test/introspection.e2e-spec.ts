import { commands } from '../src/cli/commands';
import { RefreshTokenEntity, SigningKeysService, TokenFamilyEntity } from 'nest-oauth-server';
import { decodeJwtPayload, introspect, revoke, signJwt } from './support/oauth-requests';
import { TestApp, TestClient } from './support/test-app';

describe('token introspection (RFC 7662)', () => {
  let t: TestApp;
  let rs: TestClient;
  let client: TestClient;
  let issuer: string;

  beforeAll(async () => {
    t = await TestApp.create({ env: { ISSUER: 'https://as.example.test' } });
    issuer = 'https://as.example.test';
    rs = await t.createClient({ name: 'resource server', grantTypes: [], allowIntrospection: true });
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    client = await t.createClient();
  });

  const inspect = (token: string, extra: Record<string, string> = {}) => introspect(t, rs, { token, ...extra });

  /** Re-signs a payload with the service's own key, to vary one claim or header field at a time. */
  const signWithServiceKey = (header: Record<string, unknown>, payload: Record<string, unknown>) => {
    const key = t.get(SigningKeysService).signingKey();
    return signJwt({ typ: 'at+jwt', kid: key.kid, ...header }, payload, key.privateKey);
  };

  it('an active access token: the RFC 7662 §2.2 members, not cacheable', async () => {
    const tokens = await t.issueTokens(client, 'alice', 'read');
    const claims = decodeJwtPayload(tokens.access_token);
    const res = await inspect(tokens.access_token).expect(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({
      active: true,
      scope: 'read',
      client_id: client.clientId,
      sub: 'alice',
      exp: claims.exp,
      iat: claims.iat,
      iss: issuer,
      aud: issuer,
      jti: claims.jti,
      token_type: 'Bearer',
    });
    expect(res.body.exp - res.body.iat).toBe(900);
  });

  it('an active refresh token', async () => {
    const tokens = await t.issueTokens(client, 'bob', 'read write');
    const now = Math.floor(t.clock.now() / 1000);
    const res = await inspect(tokens.refresh_token!, { token_type_hint: 'refresh_token' }).expect(200);
    expect(res.body).toEqual({
      active: true,
      scope: 'read write',
      client_id: client.clientId,
      sub: 'bob',
      exp: now + 1209600,
      iat: now,
      iss: issuer,
      aud: issuer,
      jti: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
    });
    // RFC 7662 §2.2: token_type is an access token type; a refresh token has none registered.
    expect(res.body).not.toHaveProperty('token_type');
  });

  it('an active refresh token reveals no internal id: neither its row id, its family id nor its hash (issue 10 item 13)', async () => {
    const tokens = await t.issueTokens(client, 'bob', 'read write');
    const rotated = (await t.refresh(client, tokens.refresh_token!).expect(200)).body;
    const body = JSON.stringify((await inspect(rotated.refresh_token, { token_type_hint: 'refresh_token' }).expect(200)).body);
    const family = await t.dataSource().getRepository(TokenFamilyEntity).findOneByOrFail({ clientId: client.clientId });
    const rows = await t.dataSource().getRepository(RefreshTokenEntity).findBy({ familyId: family.id });
    expect(rows).toHaveLength(2);
    for (const secret of [family.id, ...rows.flatMap((row) => [row.id, row.tokenHash])]) expect(body).not.toContain(secret);
  });

  it('an active client_credentials access token (no family), until it is revoked', async () => {
    const machine = await t.createClient({ grantTypes: ['client_credentials'], scope: 'read' });
    const res = await t.http().post('/oauth/token').type('form').auth(machine.clientId, machine.clientSecret!).send({ grant_type: 'client_credentials' }).expect(200);
    expect(decodeJwtPayload(res.body.access_token).family_id).toBeUndefined();
    expect((await inspect(res.body.access_token)).body).toMatchObject({ active: true, sub: machine.clientId, client_id: machine.clientId, scope: 'read' });
    await revoke(t, machine, { token: res.body.access_token }).expect(200);
    expect((await inspect(res.body.access_token)).body).toStrictEqual({ active: false });
  });

  it('a wrong or unknown hint still finds the token (§2.1)', async () => {
    const tokens = await t.issueTokens(client);
    expect((await inspect(tokens.access_token, { token_type_hint: 'refresh_token' })).body.active).toBe(true);
    expect((await inspect(tokens.refresh_token!, { token_type_hint: 'access_token' })).body.active).toBe(true);
    expect((await inspect(tokens.refresh_token!, { token_type_hint: 'something_else' })).body.active).toBe(true);
  });

  describe('anything else is exactly {"active": false}', () => {
    const expectInactive = async (token: string) => {
      const res = await inspect(token).expect(200);
      expect(res.body).toStrictEqual({ active: false });
      expect(res.headers['cache-control']).toBe('no-store');
    };

    it.each([
      ['unknown refresh-token-shaped', 'B'.repeat(43)],
      ['malformed', 'definitely not a token'],
      ['three garbage segments', 'aaa.bbb.ccc'],
      ['an access token signed by an unknown key', signJwt({ typ: 'at+jwt', kid: 'unknown-kid' }, { iss: 'https://as.example.test', exp: 4e9 })],
    ])('%s', async (_name, token) => {
      await expectInactive(token);
    });

    it('an access token signed by an unknown key that claims a known kid', async () => {
      const tokens = await t.issueTokens(client);
      const [header, payload] = tokens.access_token.split('.');
      const forged = signJwt(JSON.parse(Buffer.from(header, 'base64url').toString()), JSON.parse(Buffer.from(payload, 'base64url').toString()));
      await expectInactive(forged);
    });

    it('a signed token without typ at+jwt, from another issuer, or with alg none', async () => {
      const claims = decodeJwtPayload((await t.issueTokens(client)).access_token);
      await expect(inspect(signWithServiceKey({}, claims)).then((r) => r.body.active)).resolves.toBe(true);
      await expectInactive(signWithServiceKey({ typ: 'JWT' }, claims));
      await expectInactive(signWithServiceKey({}, { ...claims, iss: 'https://evil.example' }));
      const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
      await expectInactive(unsigned);
    });

    it('an expired access token, and a refresh token past its idle lifetime', async () => {
      const tokens = await t.issueTokens(client);
      t.clock.advance(900);
      await expectInactive(tokens.access_token);
      t.clock.advance(1209600);
      await expectInactive(tokens.refresh_token!);
    });

    it('a refresh token past the family absolute lifetime, though within its idle lifetime', async () => {
      let tokens = await t.issueTokens(client);
      for (let day = 0; day < 31; day++) {
        t.clock.advance(86400);
        const res = await t.refresh(client, tokens.refresh_token!);
        if (res.status !== 200) break;
        tokens = res.body;
      }
      await expectInactive(tokens.refresh_token!);
    });

    it('a consumed (rotated) refresh token', async () => {
      const first = await t.issueTokens(client);
      const second = (await t.refresh(client, first.refresh_token!).expect(200)).body;
      await expectInactive(first.refresh_token!);
      expect((await inspect(second.refresh_token)).body.active).toBe(true);
    });

    it('every token of a family revoked by reuse detection', async () => {
      const first = await t.issueTokens(client);
      const second = (await t.refresh(client, first.refresh_token!).expect(200)).body;
      const third = (await t.refresh(client, second.refresh_token).expect(200)).body;
      expect((await inspect(second.access_token)).body.active).toBe(true);
      // A grand-parent: reuse even inside the retry window.
      await t.refresh(client, first.refresh_token!).expect(400);
      await expectInactive(third.refresh_token);
      await expectInactive(third.access_token);
      await expectInactive(second.refresh_token);
      await expectInactive(second.access_token);
      await expectInactive(first.access_token);
    });

    it('an access token whose family is gone (deleted), though never revoked', async () => {
      const tokens = await t.issueTokens(client);
      expect((await inspect(tokens.access_token)).body.active).toBe(true);
      const familyId = decodeJwtPayload(tokens.access_token).family_id as string;
      await t.dataSource().manager.delete(RefreshTokenEntity, { familyId });
      await t.dataSource().manager.delete(TokenFamilyEntity, { id: familyId });
      await expectInactive(tokens.access_token);
    });

    it('a revoked access token', async () => {
      const tokens = await t.issueTokens(client);
      await revoke(t, client, { token: tokens.access_token }).expect(200);
      await expectInactive(tokens.access_token);
    });
  });

  describe('who may introspect (§2.1: the endpoint MUST require authorization)', () => {
    it('a client without the permission: 403 access_denied', async () => {
      const tokens = await t.issueTokens(client);
      const res = await introspect(t, client, { token: tokens.access_token }).expect(403);
      expect(res.body).toEqual({ error: 'access_denied', error_description: expect.any(String) });
      expect(res.headers['cache-control']).toBe('no-store');
    });

    it('no or wrong credentials: 401 invalid_client', async () => {
      const tokens = await t.issueTokens(client);
      const none = await t.http().post('/oauth/introspect').type('form').send({ token: tokens.access_token }).expect(401);
      expect(none.body.error).toBe('invalid_client');
      await introspect(t, { clientId: rs.clientId, clientSecret: 'wrong' }, { token: tokens.access_token }).expect(401);
    });

    it('a public client presenting only its client_id: 403', async () => {
      const pub = await t.createClient({ tokenEndpointAuthMethod: 'none' });
      const res = await introspect(t, pub, { token: 'x' }).expect(403);
      expect(res.body.error).toBe('access_denied');
    });

    it('missing token: 400 invalid_request', async () => {
      const res = await introspect(t, rs, {}).expect(400);
      expect(res.body.error).toBe('invalid_request');
    });

    it('client_secret_post works for an allowed client', async () => {
      const post = await t.createClient({ tokenEndpointAuthMethod: 'client_secret_post', allowIntrospection: true });
      const tokens = await t.issueTokens(client);
      const res = await t.http().post('/oauth/introspect').type('form')
        .send({ token: tokens.access_token, client_id: post.clientId, client_secret: post.clientSecret! }).expect(200);
      expect(res.body.active).toBe(true);
    });

    it('the CLI grants the permission with --allow-introspection, never to a public client', async () => {
      const allowed = (await commands['clients:create'].run(t.app, ['--name', 'rs2', '--allow-introspection'])) as Record<string, unknown>;
      expect(allowed.allow_introspection).toBe(true);
      const plain = (await commands['clients:create'].run(t.app, ['--name', 'c'])) as Record<string, unknown>;
      expect(plain.allow_introspection).toBe(false);
      await expect(commands['clients:create'].run(t.app, ['--name', 'p', '--auth-method', 'none', '--allow-introspection'])).rejects.toThrow(/public/);
      const tokens = await t.issueTokens(client);
      const res = await introspect(t, { clientId: allowed.client_id as string, clientSecret: allowed.client_secret as string }, { token: tokens.access_token });
      expect(res.body.active).toBe(true);
    });
  });

  it('the metadata names both endpoints and their auth methods (RFC 8414 §2)', async () => {
    const res = await t.http().get('/.well-known/oauth-authorization-server').expect(200);
    expect(res.body).toMatchObject({
      revocation_endpoint: `${issuer}/oauth/revoke`,
      revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none', 'private_key_jwt'],
      revocation_endpoint_auth_signing_alg_values_supported: ['ES256', 'EdDSA', 'Ed25519', 'RS256', 'PS256'],
      introspection_endpoint: `${issuer}/oauth/introspect`,
      introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
      introspection_endpoint_auth_signing_alg_values_supported: ['ES256', 'EdDSA', 'Ed25519', 'RS256', 'PS256'],
    });
  });
});
