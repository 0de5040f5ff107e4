import type { INestApplication, ModuleMetadata } from '@nestjs/common';
import { Test, TestingModuleBuilder } from '@nestjs/testing';
import request from 'supertest';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { configureApp } from '../../src/app.setup';
import { loadEnvironment } from '../../src/config/environment';
import { ClientsService, Clock, CreateClientInput, OAUTH_SERVER_DATA_SOURCE, RefreshTokenFamilies, type TokenResponse } from 'nest-oauth-server';
import { FakeClock } from './fake-clock';
import { postAs } from './oauth-requests';
import { createTestDatabase, TestDatabase } from './test-database';

export interface TestAppOptions {
  /** Environment variables for this app (restored on close). */
  env?: Record<string, string>;
  /** Extra modules, e.g. a test-only grant handler. */
  imports?: ModuleMetadata['imports'];
  /** Reuse a database across apps (restart tests); otherwise a fresh one is made and dropped. */
  database?: TestDatabase;
  override?: (builder: TestingModuleBuilder) => TestingModuleBuilder;
  /** Runs after configureApp and before init, e.g. `startMicroservice` for a hybrid app. */
  beforeInit?: (app: INestApplication) => Promise<unknown> | unknown;
}

export interface TestClient {
  clientId: string;
  clientSecret?: string;
}

/** The real AppModule over real HTTP on its own database, with a hand-moved clock. */
export class TestApp {
  private constructor(
    readonly app: INestApplication,
    readonly clock: FakeClock,
    readonly database: TestDatabase,
    private readonly ownsDatabase: boolean,
    private readonly restoreEnv: () => void,
  ) {}

  static async create(options: TestAppOptions = {}): Promise<TestApp> {
    const database = options.database ?? (await createTestDatabase());
    // Rate limits off unless a test turns them on: suites send many requests from one address.
    // ISSUER: the value the service would default to on SQLite; on PostgreSQL it is required.
    // SIGNING_KEY_MAX_CLOCK_SKEW=0: the signing-key schedule follows the fake clock (which is far from
    // the database's); a test of the database clock turns the check on.
    const restoreEnv = setEnv({
      DATABASE_URL: database.url,
      LOG_LEVEL: 'error',
      RATE_LIMIT_ENABLED: 'false',
      ISSUER: 'http://localhost:3000',
      SIGNING_KEY_MAX_CLOCK_SKEW: '0',
      ...options.env,
    });
    const clock = new FakeClock();
    try {
      let builder = Test.createTestingModule({ imports: [AppModule.forRoot(loadEnvironment()), ...(options.imports ?? [])] })
        .overrideProvider(Clock)
        .useValue(clock);
      builder = options.override ? options.override(builder) : builder;
      const moduleRef = await builder.compile();
      const app = moduleRef.createNestApplication({ bodyParser: false, logger: ['error'] });
      configureApp(app);
      await options.beforeInit?.(app);
      await app.init();
      return new TestApp(app, clock, database, !options.database, restoreEnv);
    } catch (error) {
      restoreEnv();
      if (!options.database) await database.drop();
      throw error;
    }
  }

  http() {
    return request(this.app.getHttpServer());
  }

  get<T>(type: new (...args: never[]) => T): T {
    return this.app.get(type);
  }

  dataSource(): DataSource {
    return this.app.get(getDataSourceToken(OAUTH_SERVER_DATA_SOURCE));
  }

  async createClient(input: Partial<CreateClientInput> = {}): Promise<TestClient> {
    const view = await this.get(ClientsService).create({
      name: 'test client',
      tokenEndpointAuthMethod: 'client_secret_basic',
      grantTypes: ['refresh_token'],
      scope: 'read write',
      ...input,
    });
    return { clientId: view.client_id, clientSecret: view.client_secret };
  }

  /** Starts a family the way `tokens:issue` does (the one eligibility and scope policy). */
  issueTokens(client: TestClient, subject = 'alice', scope = 'read write'): Promise<TokenResponse> {
    return this.get(RefreshTokenFamilies).start({ client: client.clientId, subject, scope, grantType: 'bootstrap' });
  }

  /** POST /oauth/token with Basic credentials (or none for a public client). */
  refresh(client: TestClient, refreshToken: string, extra: Record<string, string> = {}) {
    return postAs(this, '/oauth/token', client, { grant_type: 'refresh_token', refresh_token: refreshToken, ...extra });
  }

  async close(): Promise<void> {
    await this.app.close();
    this.restoreEnv();
    if (this.ownsDatabase) await this.database.drop();
  }
}

function setEnv(values: Record<string, string>): () => void {
  const previous = Object.fromEntries(Object.keys(values).map((key) => [key, process.env[key]]));
  Object.assign(process.env, values);
  return () => {
    for (const [key, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
}
