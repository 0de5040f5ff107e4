import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/** Timeouts (ms) and connection cap of the public HTTP listener; from HTTP_* (see app.config.ts). */
export interface HttpServerLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
}

/**
 * Node's defaults let a client hold a connection for minutes: 60 s for headers and 300 s for a
 * whole request, enforced by a sweep that runs only every 30 s, and no cap on connections, so a
 * body trickled at 1 byte / 5 s was held 330 s. Applied before `listen()` (the sweep interval is read
 * when the server starts listening).
 *
 * keepAliveTimeout is above the usual 60 s idle timeout of load balancers, so the balancer always
 * closes an idle connection first and never sends a request on a socket we are closing. Since Node
 * 18 headersTimeout only runs while a request is arriving, not while a keep-alive connection idles,
 * so it need not exceed keepAliveTimeout (test/http-server-limits.e2e-spec.ts pins that).
 */
export function applyHttpServerLimits(server: Server, limits: HttpServerLimits): void {
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxConnections = limits.maxConnections;
  // The timeouts above are only as precise as this sweep (Node's default: every 30 s).
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.min(1000, limits.headersTimeoutMs);
  if (limits.maxConnections > 0) shedIdleNearCap(server, limits.maxConnections);
}

/**
 * Idle keep-alive connections are closed when the listener gets near its cap (review L1): without
 * this, one client making a request per connection and keeping each open for the keep-alive timeout
 * pins every slot, and everyone else's connections are refused. Not a per-address cap: behind a
 * proxy or load balancer every connection comes from its address. Only connections that finished a
 * response and carry no request are shed (a client may close an idle keep-alive connection at any
 * time, RFC 9112 §9.6, and clients reconnect); new ones still waiting for their first request are not.
 */
function shedIdleNearCap(server: Server, maxConnections: number): void {
  const threshold = maxConnections - Math.max(1, Math.floor(maxConnections / 10));
  const idle = new Set<Socket>();
  let open = 0;
  server.on('connection', (socket: Socket) => {
    open += 1;
    socket.once('close', () => {
      open -= 1;
      idle.delete(socket);
    });
    if (open < threshold) return;
    for (const candidate of idle) candidate.destroy();
    idle.clear();
  });
  server.on('request', (req, res) => {
    const socket = req.socket;
    idle.delete(socket);
    res.once('finish', () => {
      if (!socket.destroyed) idle.add(socket);
    });
  });
}
