import { INestApplication, Logger } from '@nestjs/common';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { writeSync } from 'node:fs';
import type { Socket } from 'node:net';

/**
 * SIGTERM / SIGINT: stop accepting connections, let in-flight requests finish, then close the
 * application (module destroy hooks, then the database via TypeORM's shutdown hook) and exit 0.
 * Past `timeoutSeconds` the process kills itself (SIGKILL, see exitNow) rather than hang (orchestrators SIGKILL anyway).
 *
 * Used instead of Nest's `enableShutdownHooks()`, which closes the app *before* the HTTP server
 * (so a request still running could lose its database) and re-raises the signal, exiting non-zero.
 */
/**
 * How long a drain waits for a request whose body is still arriving (or a connection whose request
 * headers are) before cutting it. Without a bound, one slow-body request held the drain until
 * HTTP_REQUEST_TIMEOUT (30 s), past SHUTDOWN_TIMEOUT (25 s): every SIGTERM ended in SIGKILL, exit
 * 137, app.close() skipped (review M2). Such a request has not run (the body parser still waits),
 * so cutting it loses nothing: its retry is a first use. At most a quarter of SHUTDOWN_TIMEOUT,
 * which leaves the rest for requests already running (bounded by DATABASE_TIMEOUT) and app.close().
 */
export const INCOMPLETE_REQUEST_GRACE_MS = 2000;

export function enableGracefulShutdown(app: INestApplication, timeoutSeconds: number): void {
  const logger = new Logger('Shutdown');
  const connections = new ConnectionTracker(app.getHttpServer() as Server, Math.min(INCOMPLETE_REQUEST_GRACE_MS, (timeoutSeconds * 1000) / 4));
  let started = false;
  const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
    if (started) return;
    started = true;
    logger.log(`${signal}: no longer accepting connections, draining in-flight requests`);
    const deadline = setTimeout(() => exitNow(`still busy after ${timeoutSeconds}s (SHUTDOWN_TIMEOUT), killing the process`), timeoutSeconds * 1000);
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
 * Ends the process at once. Any normal exit (`process.exit`, too) joins libuv's thread pool, and a
 * pool thread running a SQLite statement blocked in the busy handler holds it for up to
 * busy_timeout: a 5 s SHUTDOWN_TIMEOUT became 9.5 s (issue 13, item 6). Past the deadline nothing
 * is left whose flushing matters (an uncommitted transaction rolls back on the next open), so the
 * process kills itself; the reason is written synchronously first, since buffered logs die with it.
 */
function exitNow(message: string): never {
  writeSync(2, `${JSON.stringify({ level: 50, time: Date.now(), context: 'Shutdown', msg: message })}\n`);
  process.kill(process.pid, 'SIGKILL');
  process.exit(1);
}

/**
 * Tracks which connections carry a request, so that a drain can close the others at once: keep-alive
 * connections between requests and connections a load balancer opened but never used (Node's
 * `closeIdleConnections()` misses the latter, which would hold the drain until `headersTimeout`).
 *
 * While draining, every response says `Connection: close`, and a request that arrives on a
 * connection we are already closing is never run (nor answered: the connection closes instead). Otherwise a
 * keep-alive client's next request would be read and dispatched (a refresh rotates and commits)
 * while the socket goes away under the response, and the client, which saw ECONNRESET, would retry
 * with the token it still holds and trip reuse detection (issue 13, item 1). Unanswered must mean
 * unexecuted: then the retry, on a new connection, is an ordinary first use of that token.
 */
class ConnectionTracker {
  private readonly active = new Map<Socket, number>();
  private readonly closing = new WeakSet<Socket>();
  private readonly responses = new Set<ServerResponse>();
  private draining = false;

  constructor(
    private readonly server: Server,
    private readonly graceMs: number,
  ) {
    server.on('connection', (socket: Socket) => {
      this.active.set(socket, 0);
      socket.once('close', () => this.active.delete(socket));
    });
    // The gate must run before the application's handler (Express, attached when the server was
    // created), so it takes the 'request' listeners over and calls them only for requests it admits.
    const handlers = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
    server.removeAllListeners('request');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const socket = req.socket;
      if (this.closing.has(socket)) {
        // Not run and never answered. A response still being written on this connection (the
        // request was pipelined behind it) finishes first; the connection closes after it.
        req.resume();
        if ((this.active.get(socket) ?? 0) === 0) socket.destroy();
        return;
      }
      this.track(socket, res);
      for (const handler of handlers) handler.call(server, req, res);
    });
  }

  /** Stops accepting, ends idle connections now and busy ones after their response; resolves when all are gone. */
  drain(): Promise<void> {
    this.draining = true;
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      for (const res of this.responses) this.closeAfter(res);
      for (const [socket, requests] of this.active) if (requests === 0) this.end(socket);
      // Requests still receiving their body, and connections still sending headers, get a short
      // grace, then are cut: they have not run, and must not hold the drain past SHUTDOWN_TIMEOUT.
      setTimeout(() => this.cutIncomplete(), this.graceMs).unref();
    });
  }

  private cutIncomplete(): void {
    const running = new Set<Socket>();
    for (const res of this.responses) {
      if (res.req.complete) running.add(res.req.socket);
      else res.req.socket.destroy();
    }
    for (const socket of this.active.keys()) if (!running.has(socket) && this.closing.has(socket) && !socket.destroyed && (this.active.get(socket) ?? 0) === 0) socket.destroy();
  }

  private track(socket: Socket, res: ServerResponse): void {
    this.active.set(socket, (this.active.get(socket) ?? 0) + 1);
    this.responses.add(res);
    if (this.draining) this.closeAfter(res);
    res.once('close', () => {
      this.responses.delete(res);
      const left = (this.active.get(socket) ?? 1) - 1;
      this.active.set(socket, left);
      if (this.draining && left === 0) this.end(socket);
    });
  }

  /** The response tells the client not to send another request on this connection. */
  private closeAfter(res: ServerResponse): void {
    this.closing.add(res.req.socket);
    if (!res.headersSent) res.setHeader('Connection', 'close');
  }

  private end(socket: Socket): void {
    this.closing.add(socket);
    socket.end();
  }
}
