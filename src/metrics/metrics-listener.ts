import { INestApplication, Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SECURITY_HEADERS } from 'nest-oauth-server';
import { metricsConfig, MetricsConfig } from '../config/metrics.config';
import { applyHttpServerLimits } from '../lifecycle/http-server-limits';
import { MetricsAccess } from './metrics-access';
import { MetricsService } from './metrics.service';
import { NO_STORE_HEADERS } from 'nest-oauth-server';

/** A scraper needs a few connections and quick answers; nothing else talks to this listener. */
const LISTENER_LIMITS = { headersTimeoutMs: 5_000, requestTimeoutMs: 10_000, keepAliveTimeoutMs: 65_000, maxConnections: 32 };

/**
 * /metrics on a listener of its own (METRICS_PORT), so that it can stay off the public port and
 * behind the network's own rules, with its own timeouts and connection cap. It answers GET and
 * HEAD /metrics and 404 to everything else. Started by `startMetricsListener` (main.ts, tests), not
 * by a lifecycle hook: the CLI boots the same module and must not listen.
 */
@Injectable()
export class MetricsListener implements OnModuleDestroy {
  private readonly logger = new Logger('Metrics');
  private readonly access: MetricsAccess;
  private server?: Server;

  constructor(
    private readonly metrics: MetricsService,
    @Inject(metricsConfig.KEY) private readonly config: MetricsConfig,
  ) {
    this.access = new MetricsAccess(config.token);
  }

  async start(): Promise<void> {
    if (this.config.port === undefined) {
      this.logger.log(this.config.onPublicPort ? 'metrics on the public port at /metrics, behind METRICS_TOKEN' : 'metrics off (set METRICS_PORT or METRICS_TOKEN)');
      return;
    }
    if (this.server) return;
    const server = createServer((req, res) => void this.answer(req, res));
    applyHttpServerLimits(server, LISTENER_LIMITS);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.port, this.config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.logger.log(`metrics on http://${this.config.host}:${this.port()}/metrics${this.config.token ? ' (Bearer METRICS_TOKEN)' : ''}`);
  }

  /** The address actually bound (METRICS_HOST), once started. */
  address(): string | undefined {
    return (this.server?.address() as AddressInfo | null)?.address;
  }

  /** The port actually bound (METRICS_PORT), once started. */
  port(): number | undefined {
    return (this.server?.address() as AddressInfo | null)?.port;
  }

  async onModuleDestroy(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics') return send(res, 404, 'text/plain; charset=utf-8', 'Not Found\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send(res, 405, 'text/plain; charset=utf-8', 'Method Not Allowed\n');
    }
    if (!this.access.allows(req.headers.authorization)) {
      res.setHeader('WWW-Authenticate', MetricsAccess.challenge);
      return send(res, 401, 'text/plain; charset=utf-8', 'Unauthorized\n');
    }
    try {
      send(res, 200, this.metrics.registry.contentType, await this.metrics.registry.metrics(), req.method === 'HEAD');
    } catch (error) {
      this.logger.error(`metrics scrape failed: ${(error as Error)?.message ?? error}`);
      send(res, 500, 'text/plain; charset=utf-8', 'Internal Server Error\n');
    }
  }
}

function send(res: ServerResponse, status: number, contentType: string, body: string, headOnly = false): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
  res.writeHead(status, { 'Content-Type': contentType, ...NO_STORE_HEADERS, 'Content-Length': Buffer.byteLength(body) });
  res.end(headOnly ? undefined : body);
}

/** Starts the metrics listener when METRICS_PORT is set; shared by main.ts and the e2e tests. */
export async function startMetricsListener(app: INestApplication): Promise<MetricsListener> {
  const listener = app.get(MetricsListener);
  await listener.start();
  return listener;
}
