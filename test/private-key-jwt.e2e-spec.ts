import { generateKeyPairSync } from 'node:crypto';
import { ClientAuthFailures, SecurityEvents } from 'nest-oauth-server';
import { assertionClaims, clientAssertion, ClientKey, clientKey, JWT_BEARER } from './support/client-assertions';
import { TestApp, TestClient } from './support/test-app';

const ISSUER = 'http://localhost:3000';

/** RFC 7523 §2.2 / OpenID Connect Core §9 private_key_jwt at the token, revocation and introspection endpoints. */
describe('private_key_jwt client authentication (RFC 7523)', () => {
  let t: TestApp;
  let key: ClientKey;
  let client: TestClient;

  beforeAll(async () => {
    t = await TestApp.create();
    key = clientKey('ES256');
    client = await t.createClient({
      tokenEndpointAuthMethod: 'private_key_jwt',
      jwks: { keys: [key.publicJwk] },
      grantTypes: ['client_credentials', 'refresh_token'],
      allowIntrospection: true,
    });
  });
  afterAll(() => t.close());

  const claims = (extra: Record<string, unknown> = {}, clientId = client.clientId) => assertionClaims(clientId, ISSUER, t.clock.now(), extra);
  const form = (assertion: string, body: Record<string, string> = {}) => ({ client_assertion_type: JWT_BEARER, client_assertion: assertion, ...body });
  const token = (assertion: string, body: Record<string, string> = { grant_type: 'client_credentials' }) => t.http().post('/oauth/token').type('form').send(form(assertion, body));
  const expectInvalidClient = async (res: { status: number; body: { error?: string } }) => {
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_client');
  };

  it('issues no client_secret and shows the registered keys', async () => {
    expect(client.clientSecret).toBeUndefined();
  });

  it('client_credentials with an ES256 assertion at the issuer audience', async () => {
    const res = await token(clientAssertion(key, claims())).expect(200);
    expect(res.body.token_type).toBe('Bearer');
  });

  it('accepts the token endpoint URL as audience (RFC 7523 §3), also in an array', async () => {
    await token(clientAssertion(key, claims({ aud: `${ISSUER}/oauth/token` }))).expect(200);
    await token(clientAssertion(key, claims({ aud: ['https://other.example', ISSUER] }))).expect(200);
  });

  it.each(['EdDSA', 'RS256', 'PS256'] as const)('accepts %s', async (alg) => {
    const k = clientKey(alg);
    const c = await t.createClient({ tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [k.publicJwk] }, grantTypes: ['client_credentials'] });
    await token(clientAssertion(k, assertionClaims(c.clientId, ISSUER, t.clock.now()))).expect(200);
  });

  it('a client_id in the body that matches iss is fine', async () => {
    await token(clientAssertion(key, claims()), { grant_type: 'client_credentials', client_id: client.clientId }).expect(200);
  });

  describe('refused with 401 invalid_client', () => {
    const other = clientKey('ES256');
    const cases: [string, () => string, RegExp][] = [
      ['wrong aud', () => clientAssertion(key, claims({ aud: 'https://evil.example' })), /aud/],
      ['the revocation endpoint as aud', () => clientAssertion(key, claims({ aud: `${ISSUER}/oauth/revoke` })), /aud/],
      ['expired', () => clientAssertion(key, claims({ iat: Math.floor(t.clock.now() / 1000) - 200, exp: Math.floor(t.clock.now() / 1000) - 100 })), /expired/],
      ['no exp', () => clientAssertion(key, claims({ exp: undefined })), /exp/],
      ['lifetime beyond 5 minutes', () => clientAssertion(key, claims({ exp: Math.floor(t.clock.now() / 1000) + 3600 })), /lifetime/],
      ['iat in the future', () => clientAssertion(key, claims({ iat: Math.floor(t.clock.now() / 1000) + 120, exp: Math.floor(t.clock.now() / 1000) + 180 })), /iat/],
      ['nbf in the future', () => clientAssertion(key, claims({ nbf: Math.floor(t.clock.now() / 1000) + 120, exp: Math.floor(t.clock.now() / 1000) + 180 })), /nbf/],
      ['no jti', () => clientAssertion(key, claims({ jti: undefined })), /jti/],
      ['alg none', () => clientAssertion(key, claims(), { alg: 'none' }), /alg none is not allowed/],
      ['HS256 keyed with the public key (algorithm confusion)', () => clientAssertion(key, claims(), { alg: 'HS256' }), /alg HS256 is not allowed/],
      ['iss different from sub', () => clientAssertion(key, claims({ sub: 'someone-else' })), /sub/],
      ['unknown kid', () => clientAssertion(key, claims(), { kid: 'not-registered' }), /kid/],
      ['signed by another key', () => clientAssertion({ ...other, publicJwk: key.publicJwk }, claims()), /signature/],
      ['not a JWT', () => 'not.a.jwt', /not a JWT/],
      ['unknown client', () => clientAssertion(key, claims({}, 'ffffffffffffffffffffffffffffffff')), /unknown client/],
    ];
    it.each(cases)('%s', async (_name, build, reason) => {
      const emit = jest.spyOn(t.get(SecurityEvents), 'emit');
      await expectInvalidClient(await token(build()));
      expect(emit).toHaveBeenCalledWith(expect.objectContaining({ type: 'client_auth_failed', reason: expect.stringMatching(reason) }));
      emit.mockRestore();
    });

    it('a replayed jti (OpenID Connect Core §9: used once)', async () => {
      const assertion = clientAssertion(key, claims());
      await token(assertion).expect(200);
      await expectInvalidClient(await token(assertion));
      // Another jti from the same client still works.
      await token(clientAssertion(key, claims())).expect(200);
    });

    it('one assertion sent 10 times at once to each of two instances on the same database: exactly one succeeds', async () => {
      const second = await TestApp.create({ database: t.database });
      try {
        const assertion = clientAssertion(key, claims());
        const send = (app: TestApp) => app.http().post('/oauth/token').type('form').send(form(assertion, { grant_type: 'client_credentials' }));
        const statuses = (await Promise.all(Array.from({ length: 20 }, (_, i) => send(i % 2 === 0 ? t : second)))).map((res) => res.status);
        expect(statuses.filter((status) => status === 200)).toHaveLength(1);
        expect(statuses.filter((status) => status === 401)).toHaveLength(19);
      } finally {
        await second.close();
      }
    });

    it('a body client_id different from iss', async () => {
      const other = await t.createClient({ grantTypes: ['client_credentials'] });
      await expectInvalidClient(await token(clientAssertion(key, claims()), { grant_type: 'client_credentials', client_id: other.clientId }));
    });

    it('an unsupported client_assertion_type', async () => {
      const res = await t.http().post('/oauth/token').type('form').send({ grant_type: 'client_credentials', client_assertion_type: 'urn:x', client_assertion: clientAssertion(key, claims()) });
      await expectInvalidClient(res);
    });

    it('a secret client presenting an assertion, and the private_key_jwt client presenting a secret', async () => {
      const secretClient = await t.createClient({ grantTypes: ['client_credentials'] });
      await expectInvalidClient(await token(clientAssertion(key, assertionClaims(secretClient.clientId, ISSUER, t.clock.now()))));
      const res = await t.http().post('/oauth/token').type('form').auth(client.clientId, 'guess').send({ grant_type: 'client_credentials' });
      await expectInvalidClient(res);
    });

    it('a disabled client', async () => {
      const k = clientKey('ES256');
      const c = await t.createClient({ tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [k.publicJwk] }, grantTypes: ['client_credentials'] });
      await t.dataSource().query(`UPDATE oauth_clients SET disabled_at = 1 WHERE client_id = '${c.clientId}'`);
      await expectInvalidClient(await token(clientAssertion(k, assertionClaims(c.clientId, ISSUER, t.clock.now()))));
    });
  });

  describe('RFC 6749 §2.3: one method per request → 400 invalid_request', () => {
    it('assertion plus Basic', async () => {
      const res = await t.http().post('/oauth/token').type('form').auth(client.clientId, 'x').send(form(clientAssertion(key, claims()), { grant_type: 'client_credentials' }));
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_request');
    });
    it('assertion plus client_secret', async () => {
      const res = await token(clientAssertion(key, claims()), { grant_type: 'client_credentials', client_id: client.clientId, client_secret: 'x' });
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_request');
    });
    it('client_assertion without client_assertion_type', async () => {
      const res = await t.http().post('/oauth/token').type('form').send({ grant_type: 'client_credentials', client_assertion: clientAssertion(key, claims()) });
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_request');
    });
  });

  it('failures are counted against the claimed client id like other authentication failures', async () => {
    const failures = t.get(ClientAuthFailures);
    const spy = jest.spyOn(failures, 'record');
    await expectInvalidClient(await token(clientAssertion(key, claims({ aud: 'https://evil.example' }))));
    expect(spy).toHaveBeenCalledWith(client.clientId, expect.any(String));
    spy.mockRestore();
  });

  describe('the same authentication at revocation and introspection (RFC 7009 §2.1, RFC 7662 §2.1)', () => {
    it('introspects and revokes with assertions; refuses a bad one', async () => {
      const issued = await t.issueTokens(client);
      const introspect = (assertion: string) => t.http().post('/oauth/introspect').type('form').send(form(assertion, { token: issued.refresh_token! }));
      const active = await introspect(clientAssertion(key, claims())).expect(200);
      expect(active.body.active).toBe(true);
      await expectInvalidClient(await introspect(clientAssertion(key, claims({ aud: 'https://evil.example' }))));
      await expectInvalidClient(await introspect(clientAssertion(key, claims(), { alg: 'none' })));
      const revoke = (assertion: string) => t.http().post('/oauth/revoke').type('form').send(form(assertion, { token: issued.refresh_token! }));
      await expectInvalidClient(await revoke(clientAssertion(key, claims({ sub: 'x' }))));
      await revoke(clientAssertion(key, claims())).expect(200);
      const after = await introspect(clientAssertion(key, claims())).expect(200);
      expect(after.body.active).toBe(false);
    });

    it('refresh_token grant with an assertion', async () => {
      const issued = await t.issueTokens(client);
      const res = await token(clientAssertion(key, claims()), { grant_type: 'refresh_token', refresh_token: issued.refresh_token! }).expect(200);
      expect(res.body.refresh_token).toEqual(expect.any(String));
    });
  });

  describe('registration', () => {
    it.each([
      ['a private key (d)', () => ({ keys: [generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' })] })],
      ['an oct key (k)', () => ({ keys: [{ kty: 'oct', k: 'c2VjcmV0' }] })],
      ['not a JWK Set', () => ({ kty: 'EC' })],
      ['an RSA key under 2048 bits', () => ({ keys: [generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' })] })],
    ])('refuses %s', async (_name, jwks) => {
      await expect(t.createClient({ tokenEndpointAuthMethod: 'private_key_jwt', jwks: jwks(), grantTypes: ['client_credentials'] })).rejects.toThrow();
    });

    it('needs exactly one of jwks and jwks_uri, only for private_key_jwt, jwks_uri https or loopback http', async () => {
      await expect(t.createClient({ tokenEndpointAuthMethod: 'private_key_jwt', grantTypes: ['client_credentials'] })).rejects.toThrow(/exactly one/);
      await expect(t.createClient({ tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [key.publicJwk] }, jwksUri: 'https://a.example/jwks', grantTypes: ['client_credentials'] })).rejects.toThrow(/exactly one/);
      await expect(t.createClient({ jwks: { keys: [key.publicJwk] } })).rejects.toThrow(/only for/);
      await expect(t.createClient({ tokenEndpointAuthMethod: 'private_key_jwt', jwksUri: 'http://a.example/jwks', grantTypes: ['client_credentials'] })).rejects.toThrow(/https/);
      await expect(t.createClient({ tokenEndpointAuthMethod: 'private_key_jwt', jwksUri: 'http://127.0.0.1:9/jwks', grantTypes: ['client_credentials'] })).resolves.toBeDefined();
    });
  });
});
