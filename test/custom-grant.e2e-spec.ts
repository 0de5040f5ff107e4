import { Injectable, Module } from '@nestjs/common';
import { createTestClient, type TestClientCredentials, tokenRequest } from 'nest-oauth-server/testing';
import { ACCESS_TOKEN_CLAIMS_CUSTOMIZER, type CustomAccessTokenClaims as AccessTokenClaims, type AccessTokenClaimsContext, type AccessTokenClaimsCustomizer, AccessTokens, GrantHandler, GrantType, OAuthError, type TokenEndpointResponse, TokenFamilyEntity, TokenModule, TokenRequestContext } from 'nest-oauth-server';
import { DpopKey } from './support/dpop';
import { decodeJwt, verifyWithJwks } from './support/jwt';
import { TestApp } from './support/test-app';
import { TrustedSubjectGrantModule } from './support/trusted-subject-grant/trusted-subject-grant.module';
import { TRUSTED_SUBJECT_GRANT } from './support/trusted-subject-grant/trusted-subject-grant.service';

const claims = (jwt: string) => decodeJwt(jwt).payload;
const PROBE_GRANT = 'urn:example:grant:probe';

/** A grant that shows what a handler sees and tries to forge the fields the issuer owns. */
@Injectable()
@GrantType(PROBE_GRANT)
class ProbeGrant implements GrantHandler {
  constructor(private readonly accessTokens: AccessTokens) {}

  async handle({ params, client, headers, grantType }: TokenRequestContext): Promise<TokenEndpointResponse> {
    if (params.get('mode') === 'unminted') {
      return { access_token: 'made-up', token_type: 'Bearer', expires_in: 60, scope: 'read' };
    }
    if (params.get('mode') === 'private') throw OAuthError.invalidGrant().withDebug('probe: the secret reason 7f3a');
    const tokens = await this.accessTokens.issue({ client, subject: 'probe-user', scope: params.get('scope') });
    return {
      ...tokens,
      access_token: 'forged',
      token_type: 'Bearer',
      expires_in: 86_400_000,
      refresh_token: 'forged-refresh',
      scope: 'everything',
      seen: { grantType, clientKeys: Object.keys(client).sort(), header: headers['x-probe'] ?? null, confidential: client.isConfidential },
      credentials: {
        headers: ['authorization', 'cookie', 'dpop'].filter((name) => name in headers),
        params: ['client_id', 'client_secret', 'client_assertion', 'client_assertion_type'].filter((name) => params.has(name)),
        frozen: Object.isFrozen(headers),
      },
    };
  }
}

/** Registered in a host module of its own (TokenModule only for the services it injects). */
@Module({ imports: [TokenModule], providers: [ProbeGrant] })
class ProbeGrantModule {}

@Injectable()
class TenantClaims implements AccessTokenClaimsCustomizer {
  readonly seen: AccessTokenClaimsContext[] = [];

  customize(token: AccessTokenClaims, context: AccessTokenClaimsContext): AccessTokenClaims {
    this.seen.push(context);
    // Tries to replace every registered claim: only `tenant` and `roles` may survive.
    return { ...token, tenant: 'acme', roles: ['reader'], sub: 'mallory', iss: 'https://evil.example', aud: 'evil', exp: 1, iat: 1, jti: 'x', client_id: 'other', scope: 'admin', cnf: { jkt: 'evil' }, family_id: 'f' };
  }
}

@Module({ providers: [TenantClaims, { provide: ACCESS_TOKEN_CLAIMS_CUSTOMIZER, useExisting: TenantClaims }], exports: [TenantClaims] })
class TenantClaimsModule {}

describe('the grant-type extension point: a test-only grant added by importing a module', () => {
  let t: TestApp;
  let client: TestClientCredentials;

  beforeAll(async () => {
    t = await TestApp.create({ imports: [TrustedSubjectGrantModule, ProbeGrantModule] });
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    client = await createTestClient(t.app, { grantTypes: [TRUSTED_SUBJECT_GRANT, PROBE_GRANT, 'refresh_token'] });
  });

  const token = (c: TestClientCredentials, params: Record<string, string>) => tokenRequest(t.app, { client: c, params: { grant_type: TRUSTED_SUBJECT_GRANT, ...params } });
  const probe = (params: Record<string, string> = {}) => tokenRequest(t.app, { client, params: { grant_type: PROBE_GRANT, ...params } });

  it('is advertised in the metadata', async () => {
    const res = await t.http().get('/.well-known/oauth-authorization-server').expect(200);
    expect(res.body.grant_types_supported).toEqual(expect.arrayContaining([TRUSTED_SUBJECT_GRANT, PROBE_GRANT]));
  });

  it('issues tokens through the unchanged token endpoint, with its own extra field, and they rotate like any other', async () => {
    const res = await token(client, { subject: 'carol', scope: 'read' }).expect(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers.pragma).toBe('no-cache');
    expect(res.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 900, refresh_token: expect.any(String), scope: 'read', subject_asserted: true });
    expect(claims(res.body.access_token)).toMatchObject({ sub: 'carol', client_id: client.clientId });
    const rotated = await t.refresh(client, res.body.refresh_token).expect(200);
    expect(claims(rotated.body.access_token).sub).toBe('carol');
    expect(rotated.body).not.toHaveProperty('subject_asserted');
  });

  it("an omitted scope is the client's registered scope (RFC 6749 §3.3), never more", async () => {
    const res = await token(client, { subject: 'carol' }).expect(200);
    expect(res.body.scope).toBe('read write');
    const empty = await createTestClient(t.app, { grantTypes: [TRUSTED_SUBJECT_GRANT, 'refresh_token'], scope: '' });
    const none = await token(empty, { subject: 'carol' }).expect(200);
    expect(none.body.scope).toBe('');
    expect(claims(none.body.access_token).scope).toBe('');
    await token(empty, { subject: 'carol', scope: 'read' }).expect(400, /invalid_scope/);
  });

  it('gets client authentication, the grant-type check and error bodies from the endpoint', async () => {
    await token({ clientId: client.clientId, clientSecret: 'wrong' }, { subject: 'carol' }).expect(401, /invalid_client/);
    const other = await createTestClient(t.app, { grantTypes: ['refresh_token'] });
    await token(other, { subject: 'carol' }).expect(400, /unauthorized_client/);
    const missing = await token(client, {}).expect(400);
    expect(missing.body).toEqual({ error: 'invalid_request', error_description: "Missing required parameter 'subject'" });
    await token(client, { subject: 'carol', scope: 'admin' }).expect(400, /invalid_scope/);
  });

  it('a public client (client_id in the form, no secret) is refused by the grant itself', async () => {
    const spa = await createTestClient(t.app, { grantTypes: [TRUSTED_SUBJECT_GRANT, 'refresh_token'], confidential: false });
    expect(spa.clientSecret).toBeUndefined();
    const res = await token(spa, { subject: 'carol' }).expect(400);
    expect(res.body).toEqual({ error: 'unauthorized_client', error_description: 'Only confidential clients may assert a subject' });
  });

  it('a grant for a client not registered for refresh_token cannot start a family', async () => {
    const noRefresh = await createTestClient(t.app, { grantTypes: [TRUSTED_SUBJECT_GRANT] });
    const res = await token(noRefresh, { subject: 'carol' }).expect(400);
    expect(res.body.error).toBe('unauthorized_client');
    expect(await t.dataSource().getRepository(TokenFamilyEntity).countBy({ clientId: noRefresh.clientId })).toBe(0);
  });

  it('the handler sees the grant type, the request headers and the public view of the client (no secret)', async () => {
    const res = await probe().set('X-Probe', 'hello').expect(200);
    expect(res.body.seen).toEqual({
      grantType: PROBE_GRANT,
      clientKeys: ['allowedCorsOrigins', 'authMethod', 'clientId', 'dpopBoundAccessTokens', 'enabled', 'grantTypes', 'name', 'redirectUris', 'scope'],
      header: 'hello',
      confidential: true,
    });
  });

  it("the handler never sees the client's credentials: no Authorization, Cookie or DPoP header, no client_secret", async () => {
    const basic = await probe().set('Cookie', 'session=s3cret').set('DPoP', await (await DpopKey.generate()).proof(t)).expect(200);
    expect(basic.body.credentials).toEqual({ headers: [], params: [], frozen: true });
    const poster = await createTestClient(t.app, { grantTypes: [PROBE_GRANT], authMethod: 'client_secret_post' });
    const post = await t.http().post('/oauth/token').type('form').send({ grant_type: PROBE_GRANT, client_id: poster.clientId, client_secret: poster.clientSecret! }).expect(200);
    expect(post.body.credentials).toEqual({ headers: [], params: ['client_id'], frozen: true });
  });

  it("extra fields pass through, but access_token, token_type, expires_in, refresh_token and scope stay the issuer's", async () => {
    const res = await probe({ scope: 'read' }).expect(200);
    expect(Object.keys(res.body)).toEqual(['access_token', 'token_type', 'expires_in', 'scope', 'seen', 'credentials']);
    expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 900, scope: 'read' });
    expect(res.body.access_token).not.toBe('forged');
    const jwks = (await t.http().get('/.well-known/jwks.json').expect(200)).body;
    expect(verifyWithJwks(res.body.access_token, jwks)).toBe(true);
    expect(claims(res.body.access_token)).toMatchObject({ sub: 'probe-user', client_id: client.clientId, scope: 'read' });
  });

  it('a response the issuer did not mint is never sent: 500 server_error', async () => {
    const res = await probe({ mode: 'unminted' }).expect(500);
    expect(res.body.error).toBe('server_error');
    expect(JSON.stringify(res.body)).not.toContain('made-up');
  });

  it("an error's debug text stays private", async () => {
    const res = await probe({ mode: 'private' }).expect(400);
    expect(res.body).toEqual({ error: 'invalid_grant', error_description: 'The provided authorization grant is invalid, expired or revoked' });
    expect(JSON.stringify(res.headers)).not.toContain('7f3a');
  });
});

describe('the access-token claims customizer', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.create({ imports: [TenantClaimsModule, TrustedSubjectGrantModule] });
  });
  afterAll(() => t.close());

  it('adds claims to every access token, and cannot override a registered one', async () => {
    const client = await createTestClient(t.app, { grantTypes: ['client_credentials', TRUSTED_SUBJECT_GRANT, 'refresh_token'] });
    const cc = await tokenRequest(t.app, { client, params: { grant_type: 'client_credentials', scope: 'read' } }).expect(200);
    const issued = await tokenRequest(t.app, { client, params: { grant_type: TRUSTED_SUBJECT_GRANT, subject: 'carol' } }).expect(200);
    const rotated = await t.refresh(client, issued.body.refresh_token).expect(200);
    for (const response of [cc, issued, rotated]) {
      const payload = claims(response.body.access_token);
      expect(payload).toMatchObject({ tenant: 'acme', roles: ['reader'], iss: 'http://localhost:3000', aud: 'http://localhost:3000', client_id: client.clientId });
      expect(payload.jti).not.toBe('x');
      expect(payload.exp).toBe((payload.iat as number) + 900);
      expect(payload).not.toHaveProperty('cnf');
    }
    expect(claims(cc.body.access_token)).toMatchObject({ sub: client.clientId, scope: 'read' });
    expect(claims(cc.body.access_token)).not.toHaveProperty('family_id');
    expect(claims(issued.body.access_token)).toMatchObject({ sub: 'carol', scope: 'read write', family_id: expect.any(String) });
    expect(claims(rotated.body.access_token).family_id).toBe(claims(issued.body.access_token).family_id);
    const seen = t.app.get(TenantClaims).seen.map((context) => context.grantType);
    expect(seen).toEqual(['client_credentials', TRUSTED_SUBJECT_GRANT, 'refresh_token']);
  });
});

describe('without the module', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.create();
  });
  afterAll(() => t.close());

  it('the grant type is unsupported', async () => {
    const client = await createTestClient(t.app, { grantTypes: [TRUSTED_SUBJECT_GRANT] });
    const res = await tokenRequest(t.app, { client, params: { grant_type: TRUSTED_SUBJECT_GRANT, subject: 'x' } });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('unsupported_grant_type');
  });
});
