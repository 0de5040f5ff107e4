import { ClientProxy, ClientProxyFactory, Transport } from '@nestjs/microservices';
import { randomBytes } from 'node:crypto';
import { connect, Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { firstValueFrom, timeout } from 'rxjs';
import { startMicroservice } from '../src/microservice/connect-microservice';
import { freePort } from './support/free-port';
import { TestApp } from './support/test-app';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const MiB = 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 'x');

interface Outcome {
  /** The service closed the connection (rather than this side giving up). */
  closedByPeer: boolean;
  written: number;
  ms: number;
}

/** Connects, sends `head`, then streams up to `total` bytes of junk as fast as the peer takes it. */
function attack(port: number, head: string, total: number, giveUpMs = 3000): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const started = Date.now();
    let written = 0;
    let done = false;
    const finish = (closedByPeer: boolean) => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve({ closedByPeer, written, ms: Date.now() - started });
    };
    socket.on('error', () => undefined);
    socket.on('close', () => finish(true));
    socket.on('connect', () => {
      socket.write(head);
      const pump = () => {
        while (!done && written < total) {
          written += CHUNK.length;
          if (!socket.write(CHUNK)) return void socket.once('drain', pump);
        }
        setTimeout(() => finish(false), giveUpMs);
      };
      pump();
    });
  });
}

/** Opens a connection that sends the start of a frame and then nothing. */
function holdOpen(port: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket: Socket = connect(port, '127.0.0.1', () => socket.write('40#{"pattern":"oauth.introspect","da'));
    const started = Date.now();
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ closedByPeer: false, written: 0, ms: Date.now() - started });
    }, 6000);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ closedByPeer: true, written: 0, ms: Date.now() - started });
    });
  });
}

describe('TCP microservice transport under a pre-authentication attack', () => {
  const secret = randomBytes(32).toString('base64url');
  let t: TestApp;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    t = await TestApp.create({
      env: { MICROSERVICE_PORT: String(port), MICROSERVICE_SECRET: secret, MICROSERVICE_MAX_CONNECTIONS: '20', MICROSERVICE_FRAME_TIMEOUT: '1' },
      beforeInit: (app) => startMicroservice(app),
    });
  });
  afterAll(() => t?.close());

  const legitimateCall = async (payload: Record<string, unknown>) => {
    const proxy: ClientProxy = ClientProxyFactory.create({ transport: Transport.TCP, options: { host: '127.0.0.1', port } });
    try {
      return await firstValueFrom(proxy.send('oauth.introspect', { secret, ...payload }).pipe(timeout(5000)));
    } finally {
      proxy.close();
    }
  };

  it('drops hostile connections early, keeps RSS flat and /health/live prompt, and still serves the secret holder', async () => {
    // Warm up every code path first, so that what is measured is the attack, not lazy compilation.
    expect(await legitimateCall({ token: 'warm-up' })).toStrictEqual({ active: false });
    await attack(port, '100000000#', 4 * CHUNK.length, 200);
    await t.http().get('/health/live').expect(200);
    gc();
    const rssBefore = process.memoryUsage().rss;

    let attacking = true;
    const latencies: number[] = [];
    const probe = (async () => {
      while (attacking) {
        const started = Date.now();
        await t.http().get('/health/live').expect(200);
        latencies.push(Date.now() - started);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();

    const [hugeFrames, overCap, junk, holders] = await Promise.all([
      // A huge announced frame, then ~24 MiB streamed on each of 4 sockets (~96 MiB in all).
      Promise.all([1, 2, 3, 4].map(() => attack(port, '100000000#{"pattern":"oauth.introspect","data":"', 24 * MiB))),
      // A length prefix in range of the old parser but over the frame cap.
      attack(port, '999999#', 8 * MiB),
      // 24 MiB without any frame delimiter.
      attack(port, '', 24 * MiB),
      // Many connections that start a frame and never finish it: 60 against a cap of 20.
      Promise.all(Array.from({ length: 60 }, () => holdOpen(port))),
    ]);
    attacking = false;
    await probe;

    gc();
    const growth = process.memoryUsage().rss - rssBefore;
    expect(latencies.length).toBeGreaterThan(5);
    // Both bounds in one assertion, so that a failure shows both measurements.
    const measured = { maxLatencyMs: Math.max(...latencies), rssGrowthMiB: Math.round((10 * growth) / MiB) / 10 };
    expect(measured.maxLatencyMs < 500 && measured.rssGrowthMiB < 8 ? 'within bounds' : measured).toBe('within bounds');

    for (const outcome of [...hugeFrames, overCap, junk]) {
      expect(outcome.closedByPeer).toBe(true);
      expect(outcome.written).toBeLessThan(8 * MiB);
    }
    // Over the cap: closed as they arrive; within it: closed at the 1 s frame timeout. (The cap of 20
    // is shared with the other attackers, whose slots free up as they are dropped, hence not 40.)
    expect(holders.every((h) => h.closedByPeer)).toBe(true);
    expect(holders.filter((h) => h.ms < 500).length).toBeGreaterThanOrEqual(25);
    expect(Math.max(...holders.map((h) => h.ms))).toBeLessThan(4000);


    // The transport still serves a caller with the secret, up to the frame cap.
    expect(await legitimateCall({ token: 'after the attack' })).toStrictEqual({ active: false });
    expect(await legitimateCall({ token: 't'.repeat(8000) })).toStrictEqual({ active: false });
    // A 20 KiB frame is still read and answered (the token member's own limit), not dropped.
    await expect(legitimateCall({ token: 't'.repeat(20 * 1024) })).rejects.toMatchObject({ error: 'invalid_request' });
  }, 60_000);

  it('drops a connection at its first bad frame instead of reading on', async () => {
    for (const head of ['abc#', '0#', '+12#', '12#{"not":"closed"', '2#[]', '2#{}', '13#{not json at all']) {
      // A frame like `12#{...` is complete only once enough bytes arrive; the junk after it is the next (bad) prefix.
      const outcome = await attack(port, head, 4 * CHUNK.length, 1000);
      expect({ head, closedByPeer: outcome.closedByPeer }).toEqual({ head, closedByPeer: true });
    }
    expect(await legitimateCall({ token: 'still alive' })).toStrictEqual({ active: false });
  });

  it('closes connections over MICROSERVICE_MAX_CONNECTIONS as they arrive', async () => {
    const open = () =>
      new Promise<{ socket: Socket; closed: Promise<number> }>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        const started = Date.now();
        socket.on('error', () => undefined);
        const closed = new Promise<number>((done) => socket.on('close', () => done(Date.now() - started)));
        socket.once('connect', () => resolve({ socket, closed }));
      });
    const silent = [];
    const extra = [];
    try {
      // Connections that send nothing start no frame: only the cap (and the idle timeout) apply.
      for (let i = 0; i < 20; i++) silent.push(await open());
      await new Promise((resolve) => setTimeout(resolve, 100));
      for (let i = 0; i < 10; i++) extra.push(await open());
      const refusedWithin = await Promise.all(extra.map((e) => e.closed));
      expect(refusedWithin.every((ms) => ms < 500)).toBe(true);
      expect(silent.every(({ socket }) => !socket.destroyed)).toBe(true);
    } finally {
      for (const { socket } of [...silent, ...extra]) socket.destroy();
    }
    await Promise.all(silent.map((s) => s.closed));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await legitimateCall({ token: 'after the cap' })).toStrictEqual({ active: false });
  });

  it('a caller with more requests in flight than the per-connection cap gets every answer', async () => {
    const proxy: ClientProxy = ClientProxyFactory.create({ transport: Transport.TCP, options: { host: '127.0.0.1', port } });
    try {
      const answers = await Promise.all(
        Array.from({ length: 100 }, (_, i) => firstValueFrom(proxy.send('oauth.introspect', { secret, token: `t${i}` }).pipe(timeout(10_000)))),
      );
      expect(answers).toEqual(Array.from({ length: 100 }, () => ({ active: false })));
    } finally {
      proxy.close();
    }
  });

  it('cuts a frame that is still arriving when MICROSERVICE_FRAME_TIMEOUT is up, even if bytes keep coming', async () => {
    const outcome = await new Promise<Outcome>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => socket.write('60000#{"pattern":"oauth.introspect","data":{"token":"'));
      const started = Date.now();
      const trickle = setInterval(() => socket.write('x'), 100);
      const giveUp = setTimeout(() => socket.destroy(), 5000);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearInterval(trickle);
        clearTimeout(giveUp);
        resolve({ closedByPeer: Date.now() - started < 5000, written: 0, ms: Date.now() - started });
      });
    });
    expect(outcome.closedByPeer).toBe(true);
    expect(outcome.ms).toBeGreaterThanOrEqual(900);
  });
});

/** Review M7: the connection slots are for secret holders; peers without the secret cannot keep one. */
describe('TCP microservice transport: peers without the secret cannot hold the connections', () => {
  const secret = randomBytes(32).toString('base64url');
  const AUTH_TIMEOUT_MS = 1000;
  let t: TestApp;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    // MICROSERVICE_MAX_CONNECTIONS left at its default (64); idle timeout at its default (300 s).
    t = await TestApp.create({
      env: { MICROSERVICE_PORT: String(port), MICROSERVICE_SECRET: secret, MICROSERVICE_AUTH_TIMEOUT: String(AUTH_TIMEOUT_MS / 1000) },
      beforeInit: (app) => startMicroservice(app),
    });
  });
  afterAll(() => t?.close());

  /** Connects, optionally sends `frame`; resolves when the service closes it, or after `giveUpMs`. */
  const peer = (frame?: string, giveUpMs = 4000) =>
    new Promise<{ socket: Socket; outcome: Promise<{ closedByPeer: boolean; ms: number; received: string }> }>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      let received = '';
      socket.on('data', (chunk) => (received += chunk.toString()));
      socket.on('error', () => undefined);
      socket.once('connect', () => {
        const started = Date.now();
        const outcome = new Promise<{ closedByPeer: boolean; ms: number; received: string }>((done) => {
          const timer = setTimeout(() => {
            socket.destroy();
            done({ closedByPeer: false, ms: Date.now() - started, received });
          }, giveUpMs);
          socket.on('close', () => {
            clearTimeout(timer);
            done({ closedByPeer: true, ms: Date.now() - started, received });
          });
        });
        if (frame !== undefined) socket.write(frame);
        resolve({ socket, outcome });
      });
    });
  const frame = (packet: unknown) => {
    const json = JSON.stringify(packet);
    return `${json.length}#${json}`;
  };

  it('64 idle and wrong-secret sockets are closed, and a legitimate oauth.introspect then succeeds', async () => {
    // 55 idle + 9 without the secret fill the 64 slots; then 9 more idle take the slots back.
    const idle = [];
    for (let i = 0; i < 55; i++) idle.push(await peer());
    const wrongSecret = await Promise.all(
      Array.from({ length: 8 }, (_, i) => peer(frame({ id: `w${i}`, pattern: 'oauth.introspect', data: { secret: 'x'.repeat(43), token: 't' } }))),
    );
    const noSecret = await peer(frame({ id: 'n', pattern: 'oauth.introspect', data: { token: 't' } }));

    // A message without the secret is answered (unauthorized) and its connection closed at once.
    for (const { outcome } of [...wrongSecret, noSecret]) {
      const { closedByPeer, ms, received } = await outcome;
      expect({ closedByPeer, fast: ms < 500 }).toEqual({ closedByPeer: true, fast: true });
      expect(received).toMatch(/"error":"unauthorized"/);
    }
    for (let i = 0; i < 9; i++) idle.push(await peer());
    // Connections that never authenticate are closed at MICROSERVICE_AUTH_TIMEOUT, not the idle timeout.
    const idleOutcomes = await Promise.all(idle.map(({ outcome }) => outcome));
    expect(idleOutcomes.every((o) => o.closedByPeer && o.ms >= AUTH_TIMEOUT_MS - 100)).toBe(true);

    const proxy: ClientProxy = ClientProxyFactory.create({ transport: Transport.TCP, options: { host: '127.0.0.1', port } });
    try {
      expect(await firstValueFrom(proxy.send('oauth.introspect', { secret, token: 'legitimate' }).pipe(timeout(5000)))).toStrictEqual({ active: false });
      // An authenticated connection is not cut at the authentication deadline.
      await new Promise((resolve) => setTimeout(resolve, AUTH_TIMEOUT_MS + 200));
      expect(await firstValueFrom(proxy.send('oauth.introspect', { secret, token: 'same connection' }).pipe(timeout(5000)))).toStrictEqual({ active: false });
    } finally {
      proxy.close();
    }
  }, 30_000);
});
