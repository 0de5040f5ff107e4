import { Logger } from '@nestjs/common';
import { ServerTCP, TcpSocket } from '@nestjs/microservices';
import type { Socket } from 'node:net';
import { BoundedJsonSocket, FrameLimits } from './bounded-json-socket';
import type { SharedSecret } from './shared-secret';

export interface TcpServerLimits extends FrameLimits {
  /** Open connections at once; further ones are closed as they arrive (net.Server `maxConnections`). */
  maxConnections: number;
}

/**
 * Nest's TCP transport with bounded framing (BoundedJsonSocket) and a connection cap. A custom
 * strategy rather than the `socketClass` option: ServerTCP constructs a custom socket class with
 * the socket alone, and the connection cap needs the net.Server.
 */
export class BoundedTcpServer extends ServerTCP {
  private readonly capLogger = new Logger('Microservice');
  private refusedSinceLog = 0;
  private lastRefusalLog = 0;

  constructor(
    options: { host: string; port: number },
    private readonly limits: TcpServerLimits,
    private readonly secret: SharedSecret,
  ) {
    super(options);
    this.server.maxConnections = limits.maxConnections;
    // One line per 10 s at most: a flood of connections must not become a flood of log lines.
    this.server.on('drop', () => {
      this.refusedSinceLog++;
      const now = Date.now();
      if (now - this.lastRefusalLog < 10_000) return;
      this.capLogger.warn(`refused ${this.refusedSinceLog} TCP connection(s) over MICROSERVICE_MAX_CONNECTIONS=${limits.maxConnections}`);
      this.lastRefusalLog = now;
      this.refusedSinceLog = 0;
    });
  }

  protected override getSocketInstance(socket: Socket): TcpSocket {
    return new BoundedJsonSocket(socket, this.limits, this.secret);
  }
}
