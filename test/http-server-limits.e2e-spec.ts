import type { Server } from 'node:http';
import { connect, Socket } from 'node:net';
import { TestApp } from './support/test-app';

interface Closed {
  ms: number;
  received: string;
}

/** A raw connection that writes `first`, then `each` every `everyMs` until the server closes it. */
function trickle(port: number, first: string, each: string, everyMs: number, giveUpMs = 8000): Promise<Closed> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(first));
    const started = Date.now();
    let received = '';
    const timer = setInterval(() => socket.writable && socket.write(each), everyMs);
    const giveUp = setTimeout(() => socket.destroy(), giveUpMs);
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      resolve({ ms: Date.now() - started, received });
    });
  });
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The promise's value, or Infinity when it has not settled within `ms` (the timer is cleared either way). */
async function within(promise: Promise<number>, ms: number): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<number>((resolve) => (timer = setTimeout(() => resolve(Infinity), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await delay(20);
  }
}

const portOf = (t: TestApp) => ((t.app.getHttpServer() as Server).address() as { port: number }).port;

describe('HTTP server limits', () => {
  describe('defaults', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await TestApp.create();
    });
    afterAll(() => t.close());

    it('sets header and request timeouts, a keep-alive timeout above 60 s and a connection cap', () => {
      const server = t.app.getHttpServer() as Server;
      expect({
        headersTimeout: server.headersTimeout,
        requestTimeout: server.requestTimeout,
        keepAliveTimeout: server.keepAliveTimeout,
        maxConnections: server.maxConnections,
      }).toEqual({ headersTimeout: 10_000, requestTimeout: 30_000, keepAliveTimeout: 65_000, maxConnections: 2048 });
    });
  });

  describe('with small values', () => {
    let t: TestApp;
    let port: number;
    beforeAll(async () => {
      t = await TestApp.create({
        env: { HTTP_HEADERS_TIMEOUT: '1', HTTP_REQUEST_TIMEOUT: '2', HTTP_KEEP_ALIVE_TIMEOUT: '3', HTTP_MAX_CONNECTIONS: '6' },
      });
      await t.app.listen(0, '127.0.0.1');
      port = portOf(t);
    });
    afterAll(() => t.close());

    it('cuts a body trickled at 1 byte per second at the request timeout, with a 408', async () => {
      const head = 'POST /oauth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n';
      const closed = await trickle(port, head, 'a', 1000);
      expect(closed.received).toMatch(/^HTTP\/1\.1 408 /);
      expect(closed.ms).toBeGreaterThanOrEqual(1900);
      expect(closed.ms).toBeLessThan(4500);
    });

    it('cuts headers trickled line by line at the headers timeout, with a 408', async () => {
      const closed = await trickle(port, 'GET /health/live HTTP/1.1\r\nHost: x\r\n', 'X-Slow: 1\r\n', 200);
      expect(closed.received).toMatch(/^HTTP\/1\.1 408 /);
      expect(closed.ms).toBeGreaterThanOrEqual(900);
      expect(closed.ms).toBeLessThan(3500);
    });

    it('keeps an idle keep-alive connection for HTTP_KEEP_ALIVE_TIMEOUT, past the headers timeout, then closes it', async () => {
      const socket: Socket = connect(port, '127.0.0.1');
      try {
        let received = '';
        socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
        socket.on('error', () => undefined);
        const responses = () => (received.match(/HTTP\/1\.1 200 /g) ?? []).length;
        const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now())));
        await new Promise((resolve) => socket.once('connect', resolve));
        socket.write('GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n');
        await until(() => responses() === 1);
        expect(received).toContain('Keep-Alive: timeout=3');
        // Idle for longer than the headers timeout: the connection is still usable.
        await new Promise((resolve) => setTimeout(resolve, 1600));
        socket.write('GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n');
        await until(() => responses() === 2);
        const idleSince = Date.now();
        const idleFor = (await within(closed, 8000)) - idleSince;
        expect(idleFor).toBeGreaterThanOrEqual(2800);
        expect(idleFor).toBeLessThan(5000);
      } finally {
        socket.destroy();
      }
    });

    // Review L1: one client must not pin every slot with idle keep-alive connections.
    it('sheds idle keep-alive connections near HTTP_MAX_CONNECTIONS, so new connections are still served', async () => {
      const served: Socket[] = [];
      try {
        for (let i = 0; i < 9; i++) {
          const socket = connect(port, '127.0.0.1');
          served.push(socket);
          socket.on('error', () => undefined);
          let received = '';
          socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
          const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
          await new Promise((resolve) => socket.once('connect', resolve));
          socket.write('GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n');
          await Promise.race([until(() => received.includes('HTTP/1.1 200 ')), closed]);
          // Each connection is answered, then kept open (keep-alive) by the client.
          expect(received).toContain('HTTP/1.1 200 ');
        }
      } finally {
        for (const socket of served) socket.destroy();
      }
      await delay(50);
    });

    it('closes connections over HTTP_MAX_CONNECTIONS as they arrive', async () => {
      const open = (): Promise<{ socket: Socket; closedWithin: Promise<number> }> =>
        new Promise((resolve) => {
          const socket = connect(port, '127.0.0.1');
          const started = Date.now();
          socket.on('error', () => undefined);
          const closedWithin = new Promise<number>((done) => socket.on('close', () => done(Date.now() - started)));
          socket.once('connect', () => resolve({ socket, closedWithin }));
        });
      const held = [];
      try {
        for (let i = 0; i < 6; i++) held.push(await open());
        const extra = await open();
        held.push(extra);
        expect(await within(extra.closedWithin, 1000)).toBeLessThan(500);
      } finally {
        for (const { socket } of held) socket.destroy();
      }
      await Promise.all(held.map((h) => h.closedWithin));
      await delay(50);
      await t.http().get('/health/live').expect(200);
    });
  });

  it('refuses HTTP_HEADERS_TIMEOUT above HTTP_REQUEST_TIMEOUT at boot', async () => {
    await expect(TestApp.create({ env: { HTTP_HEADERS_TIMEOUT: '40', HTTP_REQUEST_TIMEOUT: '30' } })).rejects.toThrow(
      'HTTP_HEADERS_TIMEOUT must not exceed HTTP_REQUEST_TIMEOUT',
    );
  });
});
