import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Clock, createTestClient, FakeClock, tokenRequest } from 'nest-oauth-server/testing';
import type { TestClientOptions } from 'nest-oauth-server/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { AppModule } from '../../src/app.module';
import { configureApp } from '../../src/app.setup';
import { DEVICE_SESSION_GRANT } from '../../src/device-sessions/device-session.grant';
import { DeviceSessions } from '../../src/device-sessions/device-sessions.service';

export const PUBLIC_URL = 'http://localhost:3000';
export const ISSUER = `${PUBLIC_URL}/api`;
export const TOKEN_PATH = '/api/oauth/token';

export interface Client {
  clientId: string;
  clientSecret?: string;
}

/**
 * The application exactly as main.ts builds it (Nest's default body parser, the global prefix, the
 * host's filter), on its own SQLite file, over real HTTP, with a clock the test moves by hand.
 */
export class HostTestApp {
  private constructor(
    readonly app: INestApplication,
    readonly clock: FakeClock,
    private readonly cleanUp: () => void,
  ) {}

  static async start(env: Record<string, string> = {}): Promise<HostTestApp> {
    const dir = mkdtempSync(join(tmpdir(), 'host-app-'));
    const restoreEnv = setEnv({ PUBLIC_URL, OAUTH_DATABASE_URL: `sqlite:${join(dir, 'oauth.sqlite')}`, ...env });
    const clock = new FakeClock();
    clock.set(Date.now());
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).overrideProvider(Clock).useValue(clock).compile();
    const app = configureApp(moduleRef.createNestApplication());
    await app.init();
    return new HostTestApp(app, clock, () => {
      restoreEnv();
      rmSync(dir, { recursive: true, force: true });
    });
  }

  http() {
    return request(this.app.getHttpServer());
  }

  client(input: Partial<TestClientOptions> = {}): Promise<Client> {
    return createTestClient(this.app, { grantTypes: [DEVICE_SESSION_GRANT, 'refresh_token'], scope: 'read write', ...input });
  }

  token(client: Client, params: Record<string, string>) {
    return tokenRequest(this.app, { path: TOKEN_PATH, client, params });
  }

  /** What the host's pairing flow hands a device: a one-time device session for `subject`. */
  deviceSession(client: Client, subject = 'alice'): string {
    return this.app.get(DeviceSessions).create({ subject, clientId: client.clientId, deviceName: 'Living-room TV' });
  }

  /** A new token family through the host's own grant. */
  async startFamily(client: Client, subject = 'alice', scope = 'read'): Promise<{ access_token: string; refresh_token: string }> {
    const res = await this.token(client, { grant_type: DEVICE_SESSION_GRANT, device_session: this.deviceSession(client, subject), scope }).expect(200);
    return res.body;
  }

  refresh(client: Client, refreshToken: string) {
    return this.token(client, { grant_type: 'refresh_token', refresh_token: refreshToken });
  }

  async close(): Promise<void> {
    await this.app.close();
    this.cleanUp();
  }
}

export const claims = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());

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
