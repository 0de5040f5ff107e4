import {
  ArgumentsHost,
  BadRequestException,
  Body,
  CanActivate,
  Catch,
  Controller,
  ExceptionFilter,
  ExecutionContext,
  Get,
  HttpException,
  Injectable,
  INestApplication,
  Module,
  Post,
  SetMetadata,
  ValidationPipe,
} from '@nestjs/common';
import { APP_GUARD, Reflector, RouterModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { IsString } from 'class-validator';
import type { Response } from 'express';
import request from 'supertest';
import { AdminModule } from '../src/admin/admin.module';
import {
  AccessTokenClaimsOf,
  AuthorizeModule,
  ClientsRepository,
  ClientsService,
  CorsModule,
  DiscoveryMetadataModule,
  IntrospectionModule,
  OAuthServerModule,
  RefreshTokenFamilies,
  RequireAccessToken,
  ResourceServerModule,
  RevocationModule,
  TokenModule,
} from 'nest-oauth-server';
import type { AccessTokenClaims } from 'nest-oauth-server';
import { type Environment, loadEnvironment } from '../src/config/environment';
import { EnvironmentModule } from '../src/config/environment.module';
import { ENVIRONMENT } from '../src/config/environment-settings';
import { oauthServerOptions } from '../src/config/oauth-server-options';
import { ADMIN_API_KEY, LOGIN_URL, pkcePair, REDIRECT_URI } from './support/code-flow';
import { DpopKey } from './support/dpop';
import { createTestDatabase, TestDatabase } from './support/test-database';

/**
 * Issue 14: inside a host, the library touches only its own routes. A host-style application built
 * here: Nest's default body parser on, `setGlobalPrefix('api')`, its own catch-all exception filter,
 * a global ValidationPipe, a global guard for its own routes and a JSON route of its own.
 *
 * The OAuth server is the library's module, configured from the environment as the service does
 * (`oauthServer()`), with the service's admin API.
 */
function oauthServer() {
  return [
    EnvironmentModule.forRoot(loadEnvironment()),
    OAuthServerModule.forRootAsync({ inject: [ENVIRONMENT], useFactory: (env: Environment) => oauthServerOptions(env) }),
    AdminModule,
  ];
}

const ISSUER = 'http://localhost:3000/api';
const HOST_ONLY = 'host:protected';

class CreateThing {
  @IsString()
  name!: string;
}

/** The host's own API: a JSON route behind its own global guard, and a route that fails. */
@Controller('things')
@SetMetadata(HOST_ONLY, true)
class ThingsController {
  @Post()
  create(@Body() thing: CreateThing): { created: string } {
    return { created: thing.name };
  }

  @Get('broken')
  broken(): never {
    throw new BadRequestException('the host says no');
  }
}

/** The host's API protected by the OAuth server's access tokens (H2: its refusals are RFC 6750's, not the host's 500). */
@Controller('notes')
class NotesController {
  @Get()
  @RequireAccessToken('read')
  list(@AccessTokenClaimsOf() claims: AccessTokenClaims): { owner: string } {
    return { owner: claims.sub };
  }

  @Get('admin')
  @RequireAccessToken('admin')
  admin(): { ok: true } {
    return { ok: true };
  }
}

/** The host's global guard: acts on the host's own routes only (they carry HOST_ONLY). */
@Injectable()
class HostKeyGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (!this.reflector.getAllAndOverride<boolean>(HOST_ONLY, [context.getHandler(), context.getClass()])) return true;
    return context.switchToHttp().getRequest().headers['x-host-key'] === 'host-secret';
  }
}

/** The host's catch-all filter, with a body shape of its own. */
@Catch()
class HostExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const status = exception instanceof HttpException ? exception.getStatus() : 500;
    const message = exception instanceof HttpException ? exception.getResponse() : 'internal';
    host.switchToHttp().getResponse<Response>().status(status).json({ host_error: true, status, message });
  }
}

/** The OAuth server's modules that have controllers, for a host mounting them with RouterModule. */
const ROUTED = [TokenModule, DiscoveryMetadataModule, RevocationModule, CorsModule, IntrospectionModule, AuthorizeModule, AdminModule];

/** The host's root module; `routerPath` mounts the OAuth server there with RouterModule instead of a global prefix. */
function hostAppModule(routerPath?: string) {
  const routes = routerPath === undefined ? [] : [RouterModule.register(ROUTED.map((module) => ({ path: routerPath, module })))];
  @Module({ imports: [...oauthServer(), ResourceServerModule, ...routes], controllers: [ThingsController, NotesController], providers: [{ provide: APP_GUARD, useClass: HostKeyGuard }] })
  class HostAppModule {}
  return HostAppModule;
}

interface Host {
  app: INestApplication;
  http: () => ReturnType<typeof request>;
  close: () => Promise<void>;
}

async function createHost(env: Record<string, string>, options: { routerPath?: string } = {}): Promise<Host> {
  const database: TestDatabase = await createTestDatabase();
  const values: Record<string, string> = {
    DATABASE_URL: database.url,
    LOG_LEVEL: 'error',
    ISSUER,
    LOGIN_URL,
    ADMIN_API_KEY,
    SIGNING_KEY_MAX_CLOCK_SKEW: '0',
    RATE_LIMIT_ENABLED: 'false',
    ...env,
  };
  const previous = Object.fromEntries(Object.keys(values).map((key) => [key, process.env[key]]));
  Object.assign(process.env, values);
  const restore = () => {
    for (const [key, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
  const moduleRef = await Test.createTestingModule({ imports: [hostAppModule(options.routerPath)] }).compile();
  // As a host would: the default body parser, a global prefix, its own global filter and pipe.
  const app = moduleRef.createNestApplication({ logger: ['error'] });
  if (options.routerPath === undefined) app.setGlobalPrefix('api');
  app.useGlobalFilters(new HostExceptionFilter());
  // At its strictest: custom parameter decorators are validated too.
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true, validateCustomDecorators: true }));
  await app.init();
  return {
    app,
    http: () => request(app.getHttpServer()),
    close: async () => {
      await app.close();
      restore();
      await database.drop();
    },
  };
}

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

async function createClient(host: Host, input: Record<string, unknown> = {}): Promise<{ clientId: string; clientSecret: string }> {
  const view = await host.app.get(ClientsService).create({
    name: 'host test client',
    tokenEndpointAuthMethod: 'client_secret_basic',
    grantTypes: ['refresh_token'],
    scope: 'read write',
    ...input,
  } as never);
  return { clientId: view.client_id, clientSecret: view.client_secret! };
}

async function startFamily(host: Host, clientId: string): Promise<string> {
  const entity = await host.app.get(ClientsRepository).findById(clientId);
  return (await host.app.get(RefreshTokenFamilies).start({ client: entity!, subject: 'alice', scope: 'read', grantType: 'bootstrap' })).refresh_token!;
}

const OAUTH_ERROR = { error: expect.any(String), error_description: expect.any(String) };

describe('the OAuth server embedded in a host application', () => {
  let host: Host;
  let client: { clientId: string; clientSecret: string };
  beforeAll(async () => {
    // No retry window: a retired token presented again is reuse at once.
    host = await createHost({ REFRESH_TOKEN_REUSE_INTERVAL: '0' });
    client = await createClient(host);
  });
  afterAll(() => host?.close());

  const token = (body: string, auth = basic(client.clientId, client.clientSecret)) =>
    host.http().post('/api/oauth/token').set('Authorization', auth).set('Content-Type', 'application/x-www-form-urlencoded').send(body);

  it('rotates refresh tokens under the prefix, with the default body parser on', async () => {
    const first = await startFamily(host, client.clientId);
    const rotated = await token(`grant_type=refresh_token&refresh_token=${first}`).expect(200);
    expect(rotated.headers['cache-control']).toBe('no-store');
    expect(rotated.headers['x-content-type-options']).toBe('nosniff');
    expect(rotated.body).toMatchObject({ token_type: 'Bearer', scope: 'read', refresh_token: expect.any(String) });
    expect(rotated.body.refresh_token).not.toBe(first);
  });

  it('detects reuse under the prefix: the old token revokes the family (RFC 9700 §4.14.2)', async () => {
    const first = await startFamily(host, client.clientId);
    const successor = (await token(`grant_type=refresh_token&refresh_token=${first}`).expect(200)).body.refresh_token;
    expect((await token(`grant_type=refresh_token&refresh_token=${first}`).expect(400)).body).toMatchObject({ error: 'invalid_grant' });
    expect((await token(`grant_type=refresh_token&refresh_token=${successor}`).expect(400)).body).toMatchObject({ error: 'invalid_grant' });
  });

  it('keeps its strict form parsing although the host parses forms: repeated parameter, JSON, size', async () => {
    const repeated = await token('grant_type=refresh_token&grant_type=refresh_token&refresh_token=x').expect(400);
    expect(repeated.body).toEqual({ error: 'invalid_request', error_description: "Parameter 'grant_type' is repeated" });
    expect(repeated.headers['cache-control']).toBe('no-store');
    const json = await host.http().post('/api/oauth/token').set('Authorization', basic(client.clientId, client.clientSecret)).send({ grant_type: 'refresh_token' }).expect(400);
    expect(json.body).toMatchObject({ error: 'invalid_request', error_description: 'Content-Type must be application/x-www-form-urlencoded' });
    const big = await token(`grant_type=refresh_token&x=${'a'.repeat(20_000)}`).expect(413);
    expect(big.body).toEqual({ error: 'invalid_request', error_description: 'Request body is too large' });
    // Nested qs syntax is not parsed as an object: the name is just an unknown parameter.
    expect((await token('grant_type=refresh_token&refresh_token[a]=b').expect(400)).body).toMatchObject({ error: 'invalid_request', error_description: "Missing required parameter 'refresh_token'" });
  });

  it('answers its errors with RFC 6749 §5.2 bodies, not the host filter', async () => {
    const res = await token('grant_type=refresh_token&refresh_token=x', basic(client.clientId, 'wrong')).expect(401);
    expect(res.body).toEqual({ error: 'invalid_client', error_description: 'Client authentication failed' });
    expect(res.headers['www-authenticate']).toMatch(/^Basic /);
    expect(res.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    expect((await token('grant_type=urn:example:unknown').expect(400)).body).toMatchObject({ error: 'unsupported_grant_type' });
  });

  it('serves revocation and introspection under the prefix', async () => {
    const refresh = await startFamily(host, client.clientId);
    await host.http().post('/api/oauth/revoke').set('Authorization', basic(client.clientId, client.clientSecret)).type('form').send({ token: refresh }).expect(200);
    expect((await token(`grant_type=refresh_token&refresh_token=${refresh}`).expect(400)).body).toMatchObject({ error: 'invalid_grant' });
    const introspection = await host.http().post('/api/oauth/introspect').set('Authorization', basic(client.clientId, client.clientSecret)).type('form').send({ token: 'x' });
    expect(introspection.body).toEqual(OAUTH_ERROR);
  });

  it('takes pushed authorization requests (a form) under the prefix', async () => {
    const coder = await createClient(host, { grantTypes: ['authorization_code', 'refresh_token'], redirectUris: [REDIRECT_URI] });
    const res = await host
      .http()
      .post('/api/oauth/par')
      .set('Authorization', basic(coder.clientId, coder.clientSecret))
      .type('form')
      .send({ response_type: 'code', redirect_uri: REDIRECT_URI, scope: 'read', code_challenge: pkcePair().challenge, code_challenge_method: 'S256' })
      .expect(201);
    expect(res.body.request_uri).toMatch(/^urn:ietf:params:oauth:request_uri:/);
    const repeated = await host.http().post('/api/oauth/par').set('Authorization', basic(coder.clientId, coder.clientSecret)).type('form').send('scope=a&scope=b').expect(400);
    expect(repeated.body).toMatchObject({ error: 'invalid_request' });
  });

  it('keeps its strict JSON parsing on the admin API although the host parses JSON and forms', async () => {
    const admin = (path: string) => host.http().post(`/api/admin${path}`).set('Authorization', `Bearer ${ADMIN_API_KEY}`);
    await admin(`/clients/${client.clientId}/rotate-secret`).set('Content-Type', 'application/x-www-form-urlencoded').send('a=b').expect(415);
    const big = await admin(`/clients/${client.clientId}/rotate-secret`).set('Content-Type', 'application/json').send(JSON.stringify({ x: 'a'.repeat(20_000) })).expect(413);
    expect(big.body).toEqual({ error: 'invalid_request', error_description: 'Request body is too large' });
    const broken = await admin(`/clients/${client.clientId}/rotate-secret`).set('Content-Type', 'application/json').send('{').expect(400);
    expect(broken.body).toEqual({ error: 'invalid_request', error_description: 'The body is not valid JSON' });
    const other = await createClient(host);
    const rotated = await admin(`/clients/${other.clientId}/rotate-secret`).send({}).expect(200);
    expect(rotated.body.client_secret).toEqual(expect.any(String));
  });

  it('advertises its endpoints under the prefix (RFC 8414 §2), at both metadata locations (§3.1)', async () => {
    const metadata = (await host.http().get('/api/.well-known/oauth-authorization-server').expect(200)).body;
    expect(metadata).toMatchObject({
      issuer: ISSUER,
      token_endpoint: `${ISSUER}/oauth/token`,
      jwks_uri: `${ISSUER}/.well-known/jwks.json`,
      revocation_endpoint: `${ISSUER}/oauth/revoke`,
      introspection_endpoint: `${ISSUER}/oauth/introspect`,
      authorization_endpoint: `${ISSUER}/oauth/authorize`,
      pushed_authorization_request_endpoint: `${ISSUER}/oauth/par`,
    });
    // RFC 8414 §3.1: the well-known suffix goes between the host and the issuer's path.
    const atRoot = await host.http().get('/.well-known/oauth-authorization-server/api').expect(200);
    expect(atRoot.body).toEqual(metadata);
    // Every advertised URL is served.
    await host.http().get(new URL(metadata.jwks_uri).pathname).expect(200);
  });

  it('leaves the host alone: its JSON route, its guard, its validation and its error bodies', async () => {
    expect((await host.http().post('/api/things').set('x-host-key', 'host-secret').send({ name: 'lamp' }).expect(201)).body).toEqual({ created: 'lamp' });
    const form = await host.http().post('/api/things').set('x-host-key', 'host-secret').type('form').send('name=chair').expect(201);
    expect(form.body).toEqual({ created: 'chair' });
    const denied = await host.http().post('/api/things').send({ name: 'lamp' }).expect(403);
    expect(denied.body).toMatchObject({ host_error: true, status: 403 });
    const invalid = await host.http().post('/api/things').set('x-host-key', 'host-secret').send({ name: 1, extra: true }).expect(400);
    expect(invalid.body).toMatchObject({ host_error: true, status: 400 });
    expect((await host.http().get('/api/things/broken').set('x-host-key', 'host-secret').expect(400)).body).toMatchObject({
      host_error: true,
      message: expect.objectContaining({ message: 'the host says no' }),
    });
    const missing = await host.http().get('/api/nowhere').expect(404);
    expect(missing.body).toMatchObject({ host_error: true, status: 404 });
    // The library imposes nothing on the host's answers (its security headers are its own routes').
    expect(missing.headers['content-security-policy']).toBeUndefined();
    // …and changes no process-wide Express setting (those are the standalone service's app.setup.ts).
    const express = host.app.getHttpAdapter().getInstance();
    expect([express.get('case sensitive routing'), express.get('strict routing'), express.get('query parser'), express.get('x-powered-by')]).toEqual([undefined, undefined, 'simple', true]);
  });
});

describe("a host's own route behind @RequireAccessToken", () => {
  let host: Host;
  let client: { clientId: string; clientSecret: string };
  beforeAll(async () => {
    host = await createHost({});
    client = await createClient(host);
  });
  afterAll(() => host?.close());

  const accessToken = async () => {
    const refresh = await startFamily(host, client.clientId);
    const res = await host.http().post('/api/oauth/token').set('Authorization', basic(client.clientId, client.clientSecret)).type('form').send(`grant_type=refresh_token&refresh_token=${refresh}`).expect(200);
    return res.body.access_token as string;
  };

  it('serves a valid token, and refuses the others with RFC 6750 §3 answers past the host filter', async () => {
    const token = await accessToken();
    expect((await host.http().get('/api/notes').set('Authorization', `Bearer ${token}`).expect(200)).body).toEqual({ owner: 'alice' });
    const missing = await host.http().get('/api/notes').expect(401);
    expect(missing.headers['www-authenticate']).toMatch(/^DPoP algs="[^"]+", Bearer$/);
    expect(missing.headers['cache-control']).toBe('no-store');
    expect(missing.body.host_error).toBeUndefined();
    const invalid = await host.http().get('/api/notes').set('Authorization', 'Bearer not-a-token').expect(401);
    expect(invalid.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    expect(invalid.body).toEqual({ error: 'invalid_token', error_description: expect.any(String) });
    const scope = await host.http().get('/api/notes/admin').set('Authorization', `Bearer ${token}`).expect(403);
    expect(scope.headers['www-authenticate']).toBe('Bearer error="insufficient_scope", scope="admin"');
  });

  it("leaves the host's own errors in its handler to the host filter", async () => {
    expect((await host.http().get('/api/things/broken').set('x-host-key', 'host-secret').expect(400)).body).toMatchObject({ host_error: true });
  });
});

describe('an issuer without a path, under the prefix', () => {
  let host: Host;
  beforeAll(async () => {
    host = await createHost({ ISSUER: 'http://localhost:3000' });
  });
  afterAll(() => host?.close());

  it('advertises the served URLs: the issuer\'s origin + the prefix + the route', async () => {
    const metadata = (await host.http().get('/api/.well-known/oauth-authorization-server').expect(200)).body;
    expect(metadata).toMatchObject({
      issuer: 'http://localhost:3000',
      token_endpoint: 'http://localhost:3000/api/oauth/token',
      jwks_uri: 'http://localhost:3000/api/.well-known/jwks.json',
      revocation_endpoint: 'http://localhost:3000/api/oauth/revoke',
      introspection_endpoint: 'http://localhost:3000/api/oauth/introspect',
      authorization_endpoint: 'http://localhost:3000/api/oauth/authorize',
      pushed_authorization_request_endpoint: 'http://localhost:3000/api/oauth/par',
    });
    // No path, no §3.1 alias: outside its prefix the host answers (here: Express's own 404).
    await host.http().get('/.well-known/oauth-authorization-server').expect(404);
  });

  it('checks a DPoP proof against the served token endpoint URL (RFC 9449 §4.3 htu)', async () => {
    const client = await createClient(host, { grantTypes: ['client_credentials'] });
    const key = await DpopKey.generate();
    const realClock = { clock: { now: () => Date.now() } } as never;
    const send = (proof: string) =>
      host.http().post('/api/oauth/token').set('Authorization', basic(client.clientId, client.clientSecret)).set('DPoP', proof).type('form').send('grant_type=client_credentials');
    const proof = (htu: string) => key.proof(realClock, { htu });
    expect((await send(await proof('http://localhost:3000/api/oauth/token')).expect(200)).body).toMatchObject({ token_type: 'DPoP' });
    expect((await send(await proof('http://localhost:3000/oauth/token')).expect(400)).body).toMatchObject({ error: 'invalid_dpop_proof' });
  });
});

describe('mounted with RouterModule instead of a global prefix', () => {
  let host: Host;
  afterAll(() => host?.close());

  it('serves, parses and advertises its routes under the module path', async () => {
    host = await createHost({ ISSUER: 'http://localhost:3000/auth' }, { routerPath: 'auth' });
    const client = await createClient(host);
    const repeated = await host.http().post('/auth/oauth/token').set('Authorization', basic(client.clientId, client.clientSecret)).type('form').send('scope=a&scope=b').expect(400);
    expect(repeated.body).toEqual({ error: 'invalid_request', error_description: "Parameter 'scope' is repeated" });
    const metadata = (await host.http().get('/auth/.well-known/oauth-authorization-server').expect(200)).body;
    expect(metadata).toMatchObject({ token_endpoint: 'http://localhost:3000/auth/oauth/token', jwks_uri: 'http://localhost:3000/auth/.well-known/jwks.json' });
    expect((await host.http().get('/.well-known/oauth-authorization-server/auth').expect(200)).body).toEqual(metadata);
    // The host's own route keeps its place.
    await host.http().post('/things').set('x-host-key', 'host-secret').send({ name: 'lamp' }).expect(201);
  });
});

describe('rate limits of the embedded OAuth server, under the prefix', () => {
  let host: Host;
  afterEach(() => host?.close());

  it('the per-IP limit fires at /api/oauth/token', async () => {
    host = await createHost({ RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_PER_IP: '3' });
    const send = () => host.http().post('/api/oauth/token').type('form').send('grant_type=refresh_token');
    for (let i = 0; i < 3; i++) expect((await send()).status).toBe(401);
    const limited = await send().expect(429);
    expect(limited.body).toMatchObject({ error: 'slow_down' });
    expect(limited.headers['retry-after']).toMatch(/^\d+$/);
  });

  it('the failed-authentication block fires at /api/oauth/token', async () => {
    host = await createHost({ RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_AUTH_FAILURES: '2', RATE_LIMIT_PER_IP: '1000' });
    const client = await createClient(host);
    const send = (secret: string) => host.http().post('/api/oauth/token').set('Authorization', basic(client.clientId, secret)).type('form').send('grant_type=refresh_token&refresh_token=x');
    for (let i = 0; i < 3; i++) expect((await send('wrong')).status).toBe(401);
    expect((await send(client.clientSecret).expect(429)).body).toMatchObject({ error: 'slow_down' });
  });
});
