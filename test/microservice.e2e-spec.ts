import { ClientProxy, ClientProxyFactory, ClientOptions, Transport } from '@nestjs/microservices';
import Redis from 'ioredis';
import { connect as connectNats } from '@nats-io/transport-node';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { firstValueFrom, timeout } from 'rxjs';
import { startMicroservice } from '../src/microservice/connect-microservice';
import { TokenFamilyEntity } from 'nest-oauth-server';
import { freePort } from './support/free-port';
import { decodeJwtPayload, introspect } from './support/oauth-requests';
import { TestApp, TestClient } from './support/test-app';

type TransportCase = [name: string, env: (port: number) => Record<string, string>, client: (port: number) => ClientOptions];

const transports: TransportCase[] = [
  ['tcp', () => ({}), (port) => ({ transport: Transport.TCP, options: { host: '127.0.0.1', port } })],
  ['nats', () => ({ MICROSERVICE_TRANSPORT: 'nats', NATS_URL: 'nats://127.0.0.1:4222' }), () => ({ transport: Transport.NATS, options: { servers: ['nats://127.0.0.1:4222'] } })],
  ['redis', () => ({ MICROSERVICE_TRANSPORT: 'redis', REDIS_URL: 'redis://127.0.0.1:6379' }), () => ({ transport: Transport.REDIS, options: { host: '127.0.0.1', port: 6379 } })],
];

describe.each(transports)('hybrid app: message patterns over %s', (transportName, transportEnv, clientOptions) => {
  const secret = randomBytes(32).toString('base64url');
  let t: TestApp;
  let proxy: ClientProxy;
  let client: TestClient;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    t = await TestApp.create({
      env: { MICROSERVICE_PORT: String(port), MICROSERVICE_SECRET: secret, ...transportEnv(port) },
      beforeInit: (app) => startMicroservice(app),
    });
    proxy = ClientProxyFactory.create(clientOptions(port));
    await proxy.connect();
  });
  afterAll(async () => {
    await proxy?.close();
    await t?.close();
  });
  beforeEach(async () => {
    client = await t.createClient({ scope: 'read write' });
  });

  const send = <T = Record<string, unknown>>(pattern: string, payload: unknown) =>
    firstValueFrom(proxy.send<T>(pattern, payload).pipe(timeout(5000)));
  const call = <T = Record<string, unknown>>(pattern: string, payload: Record<string, unknown>) => send<T>(pattern, { secret, ...payload });
  /** Over TCP the service closes a connection at its first message without the secret (review M7): one connection per such message. */
  const sendUnauthenticated = async (pattern: string, payload: unknown) => {
    if (transportName !== 'tcp') return send(pattern, payload);
    const own = ClientProxyFactory.create(clientOptions(port));
    try {
      return await firstValueFrom(own.send(pattern, payload).pipe(timeout(5000)));
    } finally {
      await own.close();
    }
  };
  const familyCount = () => t.dataSource().manager.count(TokenFamilyEntity);

  it('oauth.issue starts a new family and answers with an RFC 6749 §5.1 token response', async () => {
    const res = await call('oauth.issue', { client_id: client.clientId, subject: 'carol', scope: 'read' });
    expect(res).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 900,
      refresh_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      scope: 'read',
    });
    expect(decodeJwtPayload(res.access_token as string)).toMatchObject({ sub: 'carol', client_id: client.clientId });
    // The pair is a normal grant: the refresh token rotates over HTTP.
    await t.refresh(client, res.refresh_token as string).expect(200);
    const defaults = await call('oauth.issue', { client_id: client.clientId, subject: 'carol' });
    expect(defaults.scope).toBe('read write');
  });

  it('oauth.introspect answers the RFC 7662 response object', async () => {
    const tokens = await t.issueTokens(client, 'dave', 'read');
    const active = await call('oauth.introspect', { token: tokens.access_token, token_type_hint: 'access_token' });
    expect(active).toMatchObject({ active: true, sub: 'dave', client_id: client.clientId, scope: 'read', token_type: 'Bearer' });
    const refresh = await call('oauth.introspect', { token: tokens.refresh_token! });
    expect(refresh).toMatchObject({ active: true, sub: 'dave' });
    expect(refresh).not.toHaveProperty('token_type');
    expect(await call('oauth.introspect', { token: 'garbage' })).toStrictEqual({ active: false });
  });

  it('oauth.revoke ends a family or an access token and says whether it did', async () => {
    const tokens = await t.issueTokens(client);
    expect(await call('oauth.revoke', { token: tokens.refresh_token! })).toEqual({ revoked: true });
    expect(await call('oauth.revoke', { token: tokens.refresh_token! })).toEqual({ revoked: false });
    expect((await t.refresh(client, tokens.refresh_token!).expect(400)).body.error).toBe('invalid_grant');
    expect(await call('oauth.introspect', { token: tokens.access_token })).toStrictEqual({ active: false });

    const other = await t.issueTokens(client);
    expect(await call('oauth.revoke', { token: other.access_token, token_type_hint: 'access_token' })).toEqual({ revoked: true });
    expect(await call('oauth.introspect', { token: other.access_token })).toStrictEqual({ active: false });
    expect(await call('oauth.revoke', { token: 'unknown' })).toEqual({ revoked: false });
  });

  it.each([
    ['no secret', {}],
    ['a wrong secret', { secret: 'x'.repeat(43) }],
    ['an empty secret', { secret: '' }],
    ['a non-string secret', { secret: 42 }],
  ])('rejects a message with %s, and does nothing', async (_case, auth) => {
    const before = await familyCount();
    const tokens = await t.issueTokens(client);
    await expect(sendUnauthenticated('oauth.issue', { ...auth, client_id: client.clientId, subject: 'mallory' })).rejects.toEqual({
      error: 'unauthorized',
      error_description: 'Missing or wrong shared secret',
    });
    await expect(sendUnauthenticated('oauth.revoke', { ...auth, token: tokens.refresh_token })).rejects.toMatchObject({ error: 'unauthorized' });
    await expect(sendUnauthenticated('oauth.introspect', { ...auth, token: tokens.access_token })).rejects.toMatchObject({ error: 'unauthorized' });
    expect(await familyCount()).toBe(before + 1);
    await t.refresh(client, tokens.refresh_token!).expect(200);
  });

  it.each([
    ['oauth.introspect', 'a missing token', {}, /token must be a string/],
    ['oauth.introspect', 'a token that is not a string', { token: 12 }, /token must be a string/],
    ['oauth.revoke', 'an unknown member', { token: 'x', extra: true }, /property extra should not exist/],
    ['oauth.revoke', 'a hint that is not a string', { token: 'x', token_type_hint: ['a'] }, /token_type_hint must be a string/],
    ['oauth.issue', 'no subject', { client_id: 'c' }, /subject/],
    ['oauth.issue', 'a subject with control characters', { client_id: 'c', subject: 'a\nb' }, /control characters/],
    ['oauth.issue', 'a subject too long', { client_id: 'c', subject: 's'.repeat(256) }, /subject must be shorter/],
    // A NUL reaching PostgreSQL in the client lookup was a query error, i.e. a server_error.
    ['oauth.issue', 'a client_id with a NUL', { client_id: 'c\u0000', subject: 's' }, /client_id must not contain control characters/],
  ])('%s with %s: invalid_request naming the problem', async (pattern, _case, payload, message) => {
    const error = await send(pattern, { secret, ...payload }).catch((e: unknown) => e);
    expect(error).toEqual({ error: 'invalid_request', error_description: expect.stringMatching(message) });
  });

  it.each([
    ['a string', 'just a string'],
    ['an array', [secret]],
    ['a number', 42],
    ['a boolean', true],
  ])('a payload that is %s is an invalid_request, not a crash', async (_case, payload) => {
    await expect(sendUnauthenticated('oauth.introspect', payload)).rejects.toMatchObject({ error: expect.stringMatching(/invalid_request|unauthorized/) });
    expect(await call('oauth.introspect', { token: 'still alive' })).toStrictEqual({ active: false });
  });

  it('a corrupt frame on the raw transport does not bring the service down', async () => {
    if (transportName !== 'tcp') return publishGarbage(transportName);
    await new Promise<void>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => socket.end('13#{not json at all'));
      socket.on('close', () => resolve());
      socket.on('error', () => resolve());
    });
    expect(await call('oauth.introspect', { token: 'still alive' })).toStrictEqual({ active: false });
  });

  /** Broker transports: a message that is not JSON, on the pattern's own subject/channel. */
  const publishGarbage = async (transport: string) => {
    if (transport === 'nats') {
      const nc = await connectNats({ servers: 'nats://127.0.0.1:4222' });
      nc.publish('oauth.introspect', new TextEncoder().encode('{not json'));
      await nc.flush();
      await nc.close();
    } else {
      const redis = new Redis(6379, '127.0.0.1');
      await redis.publish('oauth.introspect', '{not json');
      redis.disconnect();
    }
    expect(await call('oauth.introspect', { token: 'still alive' })).toStrictEqual({ active: false });
  };

  it('service errors keep their OAuth codes', async () => {
    // RFC 7009 §2.2: an unknown hint is ignored, not an error.
    await expect(call('oauth.revoke', { token: 'x', token_type_hint: 'id_token' })).resolves.toEqual({ revoked: false });
    await expect(call('oauth.issue', { client_id: 'nope', subject: 's' })).rejects.toMatchObject({ error: 'invalid_request' });
    await expect(call('oauth.issue', { client_id: client.clientId, subject: 's', scope: 'admin' })).rejects.toMatchObject({ error: 'invalid_scope' });
    const noRefresh = await t.createClient({ grantTypes: [] });
    await expect(call('oauth.issue', { client_id: noRefresh.clientId, subject: 's' })).rejects.toMatchObject({ error: 'unauthorized_client' });
  });

  it('the HTTP face keeps working beside the transport', async () => {
    const rs = await t.createClient({ grantTypes: [], allowIntrospection: true });
    const issued = await call('oauth.issue', { client_id: client.clientId, subject: 'erin' });
    expect((await introspect(t, rs, { token: issued.access_token as string }).expect(200)).body.active).toBe(true);
  });
});

describe('microservice configuration', () => {
  it('is off unless MICROSERVICE_PORT is set', async () => {
    const t = await TestApp.create({ beforeInit: (app) => startMicroservice(app) });
    try {
      expect(t.app.getMicroservices()).toHaveLength(0);
    } finally {
      await t.close();
    }
  });

  it('fails at boot without MICROSERVICE_SECRET when the transport is on', async () => {
    await expect(TestApp.create({ env: { MICROSERVICE_PORT: String(await freePort()) } })).rejects.toThrow(/MICROSERVICE_SECRET .* is required/);
  });
});
