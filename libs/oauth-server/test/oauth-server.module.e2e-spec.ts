import { Injectable, Module, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClientsService, ConfigurationError, OAUTH_SERVER_DATA_SOURCE, OAUTH_SERVER_ENTITIES, OAUTH_SERVER_MIGRATIONS, OAuthServerModule, type OAuthServerOptions } from 'nest-oauth-server';
import { Client } from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';

/** The library on its own, configured by options, in a host of a few lines (no environment, no service). */
describe('OAuthServerModule', () => {
  let dir: string;
  let app: INestApplication | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'oauth-server-module-'));
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  const database = () => ({ url: `sqlite:${join(dir, 'oauth.sqlite')}` });

  async function boot(root: Parameters<typeof Test.createTestingModule>[0]['imports']): Promise<INestApplication> {
    const moduleRef = await Test.createTestingModule({ imports: root }).compile();
    app = moduleRef.createNestApplication({ bodyParser: false, logger: ['error'] });
    await app.init();
    return app;
  }

  async function clientCredentials(target: INestApplication) {
    const client = await target.get(ClientsService).create({ name: 'host client', tokenEndpointAuthMethod: 'client_secret_basic', grantTypes: ['client_credentials'], scope: 'read' });
    return (secret = client.client_secret!) =>
      request(target.getHttpServer())
        .post('/oauth/token')
        .auth(client.client_id, secret)
        .type('form')
        .send({ grant_type: 'client_credentials', scope: 'read' });
  }

  it('forRoot: serves tokens and metadata for the configured issuer, beside the host own default DataSource', async () => {
    const target = await boot([
      TypeOrmModule.forRoot({ type: 'sqlite', database: ':memory:', entities: [] }),
      OAuthServerModule.forRoot({ issuer: 'https://auth.example/', accessToken: { ttl: 120 }, database: database() }),
    ]);
    const metadata = await request(target.getHttpServer()).get('/.well-known/oauth-authorization-server').expect(200);
    expect(metadata.body.issuer).toBe('https://auth.example');
    const token = await (await clientCredentials(target))().expect(200);
    expect(token.body).toMatchObject({ token_type: 'Bearer', expires_in: 120, scope: 'read' });
    // The host's default DataSource is its own; the library's is the named one.
    const hosts = target.get(DataSource);
    const library = target.get<DataSource>(getDataSourceToken(OAUTH_SERVER_DATA_SOURCE));
    expect(hosts).not.toBe(library);
    expect(hosts.options.database).toBe(':memory:');
    expect(library.options.database).toBe(join(dir, 'oauth.sqlite'));
  });

  it('forRootAsync: options from a factory with injected dependencies', async () => {
    @Injectable()
    class HostSettings {
      readonly issuer = 'https://async.example';
    }
    @Module({ providers: [HostSettings], exports: [HostSettings] })
    class HostSettingsModule {}
    const target = await boot([
      OAuthServerModule.forRootAsync({
        imports: [HostSettingsModule],
        inject: [HostSettings],
        useFactory: async (settings: HostSettings): Promise<OAuthServerOptions> => ({ issuer: settings.issuer, database: database() }),
      }),
    ]);
    const metadata = await request(target.getHttpServer()).get('/.well-known/oauth-authorization-server').expect(200);
    expect(metadata.body.token_endpoint).toBe('https://async.example/oauth/token');
  });

  describe('database.dataSourceName: the host DataSource of that name (PostgreSQL only)', () => {
    const baseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
    const schema = `module_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
    const withPg = async (sql: string) => {
      const pg = new Client({ connectionString: baseUrl });
      await pg.connect();
      await pg.query(sql).finally(() => pg.end());
    };
    beforeAll(() => withPg(`CREATE SCHEMA ${schema}`));
    afterAll(() => withPg(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));

    // search_path as well as `schema`: the library's hand-written SQL names tables unqualified.
    const hostDataSource = () =>
      TypeOrmModule.forRoot({ name: 'hostDb', type: 'postgres', url: baseUrl, schema, extra: { options: `-c search_path=${schema}` }, entities: OAUTH_SERVER_ENTITIES, migrations: OAUTH_SERVER_MIGRATIONS, migrationsRun: true });

    it('forRoot: the library stores in it and opens none of its own', async () => {
      const target = await boot([hostDataSource(), OAuthServerModule.forRoot({ issuer: 'https://auth.example', database: { dataSourceName: 'hostDb' } })]);
      await (await clientCredentials(target))().expect(200);
      const host = target.get<DataSource>(getDataSourceToken('hostDb'));
      expect(target.get(getDataSourceToken(OAUTH_SERVER_DATA_SOURCE))).toBe(host);
      expect(await host.query('SELECT name FROM oauth_clients')).toEqual([{ name: 'host client' }]);
    });

    it('forRootAsync: named where the module graph is built, and the factory may not name another', async () => {
      const target = await boot([hostDataSource(), OAuthServerModule.forRootAsync({ dataSourceName: 'hostDb', useFactory: () => ({ issuer: 'https://auth.example', database: { dataSourceName: 'hostDb' } }) })]);
      await (await clientCredentials(target))().expect(200);
      await app!.close();
      app = undefined;
      const mismatch = Test.createTestingModule({ imports: [OAuthServerModule.forRootAsync({ useFactory: () => ({ issuer: 'https://auth.example', database: { ...database(), dataSourceName: 'hostDb' } }) })] }).compile();
      await expect(mismatch).rejects.toBeInstanceOf(ConfigurationError);
    });

    it('refuses a host SQLite DataSource: its one connection would run the host queries inside the library transactions (review M2)', async () => {
      const sqliteHost = TypeOrmModule.forRoot({ name: 'hostDb', type: 'sqlite', database: join(dir, 'host.sqlite'), entities: OAUTH_SERVER_ENTITIES, migrations: OAUTH_SERVER_MIGRATIONS, migrationsRun: true });
      const compiled = Test.createTestingModule({ imports: [sqliteHost, OAuthServerModule.forRoot({ issuer: 'https://auth.example', database: { dataSourceName: 'hostDb' } })] }).compile();
      await expect(compiled).rejects.toThrow(ConfigurationError);
      await expect(compiled).rejects.toThrow(/must be PostgreSQL/);
    });
  });

  it('a built-in grant turned off is unsupported_grant_type and not advertised', async () => {
    const target = await boot([OAuthServerModule.forRoot({ issuer: 'https://auth.example', database: database(), grants: { clientCredentials: false } })]);
    const refused = await (await clientCredentials(target))().expect(400);
    expect(refused.body.error).toBe('unsupported_grant_type');
    const metadata = await request(target.getHttpServer()).get('/.well-known/oauth-authorization-server').expect(200);
    expect(metadata.body.grant_types_supported).toContain('refresh_token');
    expect(metadata.body.grant_types_supported).not.toContain('client_credentials');
  });

  it('the authentication-failure lockout is on by default; request-rate limits only when given; false turns both off', async () => {
    const byDefault = await boot([OAuthServerModule.forRoot({ issuer: 'https://auth.example', database: database() })]);
    const sendDefault = await clientCredentials(byDefault);
    // More than 10 failed authentications (the default) block the client at this address, even the right secret.
    for (let i = 0; i < 11; i += 1) await sendDefault('wrong secret').expect(401);
    expect((await sendDefault()).status).toBe(429);
    await byDefault.close();
    app = undefined;
    const off = await boot([OAuthServerModule.forRoot({ issuer: 'https://auth.example', database: database(), rateLimit: false })]);
    const sendOff = await clientCredentials(off);
    for (let i = 0; i < 12; i += 1) await sendOff('wrong secret').expect(401);
    await sendOff().expect(200);
    await off.close();
    app = undefined;
    const on = await boot([OAuthServerModule.forRoot({ issuer: 'https://auth.example', database: database(), rateLimit: { perClient: 2 } })]);
    const sendOn = await clientCredentials(on);
    await sendOn().expect(200);
    await sendOn().expect(200);
    const limited = await sendOn();
    expect(limited.status).toBe(429);
  });

  it('production by default: an http issuer only on a local host, unless production is false', async () => {
    for (const issuer of ['http://auth.example', 'http://127.0.0.2', 'http://example.test.evil']) {
      await expect(Test.createTestingModule({ imports: [OAuthServerModule.forRoot({ issuer, database: database() })] }).compile()).rejects.toBeInstanceOf(ConfigurationError);
    }
    const local = await boot([OAuthServerModule.forRoot({ issuer: 'http://localhost:3000', database: database() })]);
    expect((await request(local.getHttpServer()).get('/.well-known/oauth-authorization-server').expect(200)).body.issuer).toBe('http://localhost:3000');
    await local.close();
    app = undefined;
    const dev = await boot([OAuthServerModule.forRoot({ issuer: 'http://auth.example', database: database(), production: false })]);
    expect((await request(dev.getHttpServer()).get('/.well-known/oauth-authorization-server').expect(200)).body.issuer).toBe('http://auth.example');
  });

  it.each([[Infinity], [-1], [Number.NaN]])('refuses database.clientCacheMaxStalenessMs %p with a ConfigurationError', async (clientCacheMaxStalenessMs) => {
    await expect(Test.createTestingModule({ imports: [OAuthServerModule.forRoot({ issuer: 'https://auth.example', database: { ...database(), clientCacheMaxStalenessMs } })] }).compile()).rejects.toBeInstanceOf(ConfigurationError);
  });

  it.each([['not a url'], ['ftp://auth.example'], ['https://auth.example/?tenant=1']])('refuses the issuer %j with one ConfigurationError', async (issuer) => {
    await expect(Test.createTestingModule({ imports: [OAuthServerModule.forRoot({ issuer, database: database() })] }).compile()).rejects.toBeInstanceOf(ConfigurationError);
  });
});
