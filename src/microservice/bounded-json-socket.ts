import { Logger } from '@nestjs/common';
import { TcpSocket } from '@nestjs/microservices';
import type { Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import type { SharedSecret } from './shared-secret';

/** Per-connection limits of the TCP transport (see MicroserviceConfig and docs/production.md). */
export interface FrameLimits {
  /** Largest frame body accepted, in characters (Nest's `length#json` counts UTF-16 units). */
  maxFrameLength: number;
  /** A frame must arrive whole within this many ms of its first byte. */
  frameTimeoutMs: number;
  /** A connection must send a message with the shared secret within this many ms of connecting. */
  authTimeoutMs: number;
  /** A connection that carries nothing for this long is closed; 0: never. */
  idleTimeoutMs: number;
  /** Requests of one connection being handled at once; reading pauses at the cap. */
  maxInFlight: number;
  /** Bytes of replies queued for a peer that does not read them before it is dropped. */
  maxSendBuffer: number;
}

/** A token message is well under 16 KiB; 64 KiB leaves room without letting a peer make us buffer more. */
export const MAX_FRAME_LENGTH = 64 * 1024;
const MAX_LENGTH_DIGITS = String(MAX_FRAME_LENGTH).length;

/**
 * Nest's `length#json` framing for the server side, bounded before anything is authenticated.
 * Nest's JsonSocket accepts a length prefix of any size, buffers up to 128 Mi characters, searches
 * the whole buffer for `#` on every read (quadratic on undelimited junk) and only half-closes on a
 * framing error; the shared secret is checked only once a frame is complete and parsed. Here a
 * connection is destroyed at its first bad frame (prefix not 1-6 digits, announced length over the
 * cap, body not a JSON request packet) or when a frame is not complete within `frameTimeoutMs`, so
 * a peer without the secret can make us hold at most one frame per connection.
 *
 * A connection is also a slot under MICROSERVICE_MAX_CONNECTIONS, so a peer without the secret must
 * not keep one: every message is checked against the shared secret here, before it is handed to
 * Nest, and the first one without it is answered `unauthorized` and closes the connection; a
 * connection without an authenticated message within `authTimeoutMs` of connecting is closed.
 * (The SharedSecretGuard still checks every message, on every transport.)
 */
export class BoundedJsonSocket extends TcpSocket {
  private static readonly logger = new Logger('Microservice');
  private readonly decoder = new StringDecoder('utf8');
  private buffer = '';
  private contentLength: number | null = null;
  private frameTimer: NodeJS.Timeout | null = null;
  private inFlight = 0;
  private waitingForDrain = false;
  private dropped = false;
  private authTimer: NodeJS.Timeout | null = null;

  constructor(
    socket: Socket,
    private readonly limits: FrameLimits,
    private readonly secret: SharedSecret,
  ) {
    super(socket);
    socket.on('close', () => this.clearTimers());
    if (limits.idleTimeoutMs > 0) socket.setTimeout(limits.idleTimeoutMs, () => this.drop('idle', false));
    this.authTimer = setTimeout(() => this.drop('no message with the shared secret within MICROSERVICE_AUTH_TIMEOUT'), limits.authTimeoutMs);
    this.authTimer.unref();
  }

  protected handleSend(message: unknown, callback?: (err?: unknown) => void): void {
    if (this.dropped || this.socket.destroyed) return;
    if (this.inFlight > 0) this.inFlight--;
    const json = JSON.stringify(message);
    const flushed = this.socket.write(`${json.length}#${json}`, 'utf-8', callback);
    if (this.socket.writableLength > this.limits.maxSendBuffer) return this.drop('it does not read its replies');
    if (!flushed && !this.waitingForDrain) {
      this.waitingForDrain = true;
      this.socket.once('drain', () => {
        this.waitingForDrain = false;
        this.pump();
      });
    }
    this.pump();
  }

  protected handleData(data: Buffer | string): void {
    if (this.dropped) return;
    this.buffer += typeof data === 'string' ? data : this.decoder.write(data);
    this.pump();
  }

  /** Called by TcpSocket when handleData throws; nothing here throws on purpose, but never half-close. */
  protected override handleDataError(error: unknown): void {
    this.drop(error instanceof Error ? error.message : String(error));
  }

  /** Hands over every complete frame while the connection may have more requests handled. */
  private pump(): void {
    while (!this.dropped && !this.blocked()) {
      if (this.contentLength === null) {
        const hash = this.buffer.indexOf('#');
        if (hash === -1) {
          if (this.buffer.length > MAX_LENGTH_DIGITS) return this.drop('a frame without a length prefix');
          break;
        }
        const prefix = this.buffer.slice(0, hash);
        if (!/^[1-9][0-9]*$/.test(prefix) || prefix.length > MAX_LENGTH_DIGITS) return this.drop('a malformed length prefix');
        const length = Number(prefix);
        if (length > this.limits.maxFrameLength) return this.drop(`a frame of ${length} characters (limit ${this.limits.maxFrameLength})`);
        this.contentLength = length;
        this.buffer = this.buffer.slice(hash + 1);
      }
      if (this.buffer.length < this.contentLength) break;
      const frame = this.buffer.slice(0, this.contentLength);
      this.buffer = this.buffer.slice(this.contentLength);
      this.contentLength = null;
      this.clearFrameTimer();
      if (!this.deliver(frame)) return;
    }
    if (this.dropped) return;
    const incomplete = this.buffer.length > 0 || this.contentLength !== null;
    // The deadline is only the peer's while we are reading; it restarts once we resume.
    if (this.blocked() || !incomplete) this.clearFrameTimer();
    else if (this.frameTimer === null) {
      this.frameTimer = setTimeout(() => this.drop('an incomplete frame past MICROSERVICE_FRAME_TIMEOUT'), this.limits.frameTimeoutMs);
      this.frameTimer.unref();
    }
    if (this.blocked()) this.socket.pause();
    else this.socket.resume();
  }

  private deliver(frame: string): boolean {
    let packet: unknown;
    try {
      packet = JSON.parse(frame);
    } catch {
      this.drop('a frame that is not JSON');
      return false;
    }
    // The service only answers requests: an event (no id) or any other value has no use here.
    if (!isRequestPacket(packet)) {
      this.drop('a frame that is not a request packet');
      return false;
    }
    if (!this.secret.carriedBy(packet.data)) {
      this.refuse(packet.id);
      return false;
    }
    if (this.authTimer !== null) {
      clearTimeout(this.authTimer);
      this.authTimer = null;
    }
    this.inFlight++;
    this.socket.emit('message', packet);
    return true;
  }

  /**
   * Answers a message without the shared secret as the guard would (so a misconfigured caller
   * learns why), then closes the connection: nothing more is read from it.
   */
  private refuse(id: string): void {
    const reply = JSON.stringify({ id, err: { error: 'unauthorized', error_description: 'Missing or wrong shared secret' }, isDisposed: true });
    this.dropped = true;
    this.buffer = '';
    this.clearTimers();
    BoundedJsonSocket.warnThrottled(this.peer(), 'a message without the shared secret');
    this.socket.pause();
    // end() waits for the peer's FIN too: destroy once the reply is flushed, or soon regardless.
    this.socket.end(`${reply.length}#${reply}`, 'utf-8', () => this.socket.destroy());
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  private peer(): string {
    return `${this.socket.remoteAddress ?? 'unknown'}:${this.socket.remotePort ?? ''}`;
  }

  private blocked(): boolean {
    return this.waitingForDrain || this.inFlight >= this.limits.maxInFlight;
  }

  private drop(reason: string, warn = true): void {
    if (this.dropped) return;
    this.dropped = true;
    this.buffer = '';
    this.clearTimers();
    if (warn) BoundedJsonSocket.warnThrottled(this.peer(), reason);
    this.socket.destroy();
  }

  private static lastWarning = 0;
  private static suppressed = 0;

  /** One line per second at most: a flood of bad connections must not become a flood of log lines. */
  private static warnThrottled(peer: string, reason: string): void {
    const now = Date.now();
    if (now - BoundedJsonSocket.lastWarning < 1000) {
      BoundedJsonSocket.suppressed++;
      return;
    }
    const more = BoundedJsonSocket.suppressed > 0 ? ` (and ${BoundedJsonSocket.suppressed} more since the last line)` : '';
    BoundedJsonSocket.logger.warn(`closed a TCP connection from ${peer}: ${reason}${more}`);
    BoundedJsonSocket.lastWarning = now;
    BoundedJsonSocket.suppressed = 0;
  }

  private clearTimers(): void {
    this.clearFrameTimer();
    if (this.authTimer !== null) clearTimeout(this.authTimer);
    this.authTimer = null;
  }

  private clearFrameTimer(): void {
    if (this.frameTimer === null) return;
    clearTimeout(this.frameTimer);
    this.frameTimer = null;
  }
}

function isRequestPacket(value: unknown): value is { id: string; pattern: unknown; data?: unknown } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const { id, pattern } = value as Record<string, unknown>;
  return typeof id === 'string' && id.length > 0 && id.length <= 128 && (typeof pattern === 'string' || (typeof pattern === 'object' && pattern !== null));
}
