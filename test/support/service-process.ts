import { ChildProcess, execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from './free-port';

const ROOT = join(__dirname, '..', '..');
const MAIN = join(ROOT, 'dist', 'main.js');
const CLI = join(ROOT, 'dist', 'cli.js');

/** Compiles src/ to dist/ when dist/ is missing or older than the sources (as `npm start` does). */
export function buildDist(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('../../scripts/dist-freshness').buildIfStale('main');
}

export interface ServiceOptions {
  databaseUrl: string;
  env?: Record<string, string>;
  /** Path polled until it answers 200 (the service is then ready). */
  readyPath?: string;
  /** The command to start (default `node dist/main.js`) and its working directory (default the repository). */
  command?: string[];
  cwd?: string;
}

/** Every service started by this test file and not yet exited. */
const live = new Set<ChildProcess>();

// A process a test forgot to stop would keep Jest waiting on its pipes after the last test (the run
// never ends): whatever is still running when a test file finishes is killed.
if (typeof afterAll === 'function') {
  afterAll(() => {
    for (const child of live) child.kill('SIGKILL');
  });
}

/** The real service (`node dist/main.js`) as a child process on a free port; build dist/ first. */
export class ServiceProcess {
  private output = '';
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    readonly child: ChildProcess,
    readonly url: string,
  ) {
    child.stdout!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    live.add(child);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        live.delete(child);
        resolve({ code, signal });
      }),
    );
  }

  static async start(options: ServiceOptions): Promise<ServiceProcess> {
    const port = await freePort();
    const [file, ...args] = options.command ?? [process.execPath, MAIN];
    const child = spawn(file, args, {
      cwd: options.cwd ?? ROOT,
      env: { ...baseEnv(options.databaseUrl), PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', RATE_LIMIT_ENABLED: 'false', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const service = new ServiceProcess(child, `http://127.0.0.1:${port}`);
    await service.waitUntilReady(options.readyPath ?? '/health/ready');
    return service;
  }

  logs(): string {
    return this.output;
  }

  get pid(): number {
    return this.child.pid!;
  }

  fetch(path: string, init?: RequestInit): Promise<Response> {
    return fetch(`${this.url}${path}`, init);
  }

  /** POST /oauth/token with Basic client credentials. */
  refresh(client: CliClient, refreshToken: string): Promise<Response> {
    return this.fetch('/oauth/token', {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${encodeURIComponent(client.client_id)}:${encodeURIComponent(client.client_secret)}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString(),
    });
  }

  kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }

  waitForExit(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return this.exited;
  }

  private async waitUntilReady(path: string): Promise<void> {
    const deadline = Date.now() + 30_000;
    let exited = false;
    void this.exited.then(() => (exited = true));
    while (Date.now() < deadline && !exited) {
      try {
        if ((await this.fetch(path)).status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await this.kill('SIGKILL');
    throw new Error(`service did not become ready at ${path}:\n${this.output}`);
  }
}

export interface CliClient {
  client_id: string;
  client_secret: string;
}

/** Runs `node dist/cli.js <args>` on the given database (with `env` added) and parses its JSON output. */
export function runCli<T = unknown>(databaseUrl: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...baseEnv(databaseUrl), ...env } }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`cli ${args[0]} failed: ${stderr}`));
      resolve(JSON.parse(stdout) as T);
    });
  });
}

export interface ProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a built entry point (`node dist/<entry>.js <args>`) to completion; never rejects. */
export function runBuilt(entry: 'cli' | 'main', args: string[], env: NodeJS.ProcessEnv): Promise<ProcessResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(ROOT, 'dist', `${entry}.js`), ...args], { cwd: ROOT, env, timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error.code as number) ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** The environment of a service or CLI process on a database (production mode, a fixed issuer). */
export function baseEnv(databaseUrl: string): NodeJS.ProcessEnv {
  const { PATH, HOME, TMPDIR } = process.env;
  return { PATH, HOME, TMPDIR, NODE_ENV: 'production', DATABASE_URL: databaseUrl, ISSUER: 'http://issuer.test' };
}
