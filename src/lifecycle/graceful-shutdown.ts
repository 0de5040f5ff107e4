import { INestApplication, Logger } from '@nestjs/common';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * SIGTERM / SIGINT: stop accepting connections, let in-flight requests finish, then close the
 * application (module destroy hooks, then the database via TypeORM's shutdown hook) and exit 0.
 * Past `timeoutSeconds` the process exits 1 rather than hang (orchestrators SIGKILL anyway).
 *
 * Used instead of Nest's `enableShutdownHooks()`, which closes the app *before* the HTTP server
 * (so a request still running could lose its database) and re-raises the signal, exiting non-zero.
 */
export function enableGracefulShutdown(app: INestApplication, timeoutSeconds: number): void {
  const logger = new Logger('Shutdown');
  const connections = new ConnectionTracker(app.getHttpServer() as Server);
  let started = false;
  const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
    if (started) return;
    started = true;
    logger.log(`${signal}: no longer accepting connections, draining in-flight requests`);
    const deadline = setTimeout(() => {
      logger.error(`still busy after ${timeoutSeconds}s, exiting`);
      process.exit(1);
    }, timeoutSeconds * 1000);
    deadline.unref();
    await connections.drain();
    await app.close();
    logger.log('closed cleanly');
    process.exit(0);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      shutdown(signal).catch((error: unknown) => {
        logger.error(`shutdown failed: ${(error as Error)?.stack ?? error}`);
        process.exit(1);
      });
    });
  }
}

/**
 * Tracks which connections carry a request, so that a drain can close the others at once: keep-alive
 * connections between requests and connections a load balancer opened but never used (Node's
 * `closeIdleConnections()` misses the latter, which would hold the drain until `headersTimeout`).
 */
class ConnectionTracker {
  private readonly active = new Map<Socket, number>();
  private draining = false;

  constructor(private readonly server: Server) {
    server.on('connection', (socket: Socket) => {
      this.active.set(socket, 0);
      socket.once('close', () => this.active.delete(socket));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const socket = req.socket;
      this.active.set(socket, (this.active.get(socket) ?? 0) + 1);
      res.once('close', () => {
        const left = (this.active.get(socket) ?? 1) - 1;
        this.active.set(socket, left);
        if (this.draining && left === 0) socket.end();
      });
    });
  }

  /** Stops accepting, ends idle connections now and busy ones after their response; resolves when all are gone. */
  drain(): Promise<void> {
    this.draining = true;
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      for (const [socket, requests] of this.active) if (requests === 0) socket.end();
    });
  }
}
