import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { baseEnv, buildDist, ServiceProcess } from './support/service-process';
import { createTestDatabase, TestDatabase } from './support/test-database';

const ROOT = join(__dirname, '..');
const run = promisify(execFile);

/** The JSON array of a Dockerfile instruction (`CMD [...]`, `HEALTHCHECK ... CMD [...]`), continuation lines joined. */
function dockerfileExec(instruction: RegExp): string[] {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n\s*/g, ' ');
  const line = dockerfile.split('\n').find((candidate) => instruction.test(candidate));
  if (!line) throw new Error(`no ${instruction} in the Dockerfile`);
  return JSON.parse(line.slice(line.indexOf('[')));
}

/** Every process id that logged a JSON line. */
const pidsIn = (logs: string) => new Set(logs.split('\n').flatMap((line) => (/^\{.*"pid":(\d+)/.exec(line) ? [Number(/"pid":(\d+)/.exec(line)![1])] : [])));

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

// The Dockerfile's runtime stage without Docker: a production install (package files + dist/ + a
// pruned copy of node_modules, no compiler, no dev dependencies), then the image's own start and
// health-check commands, then SIGTERM.
describe('production install (the Dockerfile runtime steps)', () => {
  let app: string;
  let database: TestDatabase;

  beforeAll(async () => {
    buildDist();
    database = await createTestDatabase();
    app = mkdtempSync(join(tmpdir(), 'prod-install-'));
    for (const file of ['package.json', 'package-lock.json']) cpSync(join(ROOT, file), join(app, file));
    cpSync(join(ROOT, 'dist'), join(app, 'dist'), { recursive: true });
    // The workspace library as the Dockerfile copies it: its package.json and build, not its sources.
    cpSync(join(ROOT, 'libs', 'oauth-server', 'package.json'), join(app, 'libs', 'oauth-server', 'package.json'));
    cpSync(join(ROOT, 'libs', 'oauth-server', 'dist'), join(app, 'libs', 'oauth-server', 'dist'), { recursive: true });
    cpSync(join(ROOT, 'scripts'), join(app, 'scripts'), { recursive: true });
    // Hard links: instant, and no native module (sqlite3) is rebuilt; npm prune only unlinks. The one
    // file npm rewrites is copied for real so the repository's own install is never touched.
    await run('cp', ['-al', join(ROOT, 'node_modules'), join(app, 'node_modules')]);
    rmSync(join(app, 'node_modules', '.package-lock.json'), { force: true });
    cpSync(join(ROOT, 'node_modules', '.package-lock.json'), join(app, 'node_modules', '.package-lock.json'));
    await run('npm', ['prune', '--omit=dev', '--omit=optional', '--offline', '--no-audit', '--no-fund'], { cwd: app, env: { ...process.env, npm_config_loglevel: 'error' } });
  }, 120_000);
  afterAll(async () => {
    if (app) rmSync(app, { recursive: true, force: true });
    await database?.drop();
  });

  it('has no dev dependency (the type packages behind TS7016 are gone) and no sources', () => {
    for (const devOnly of ['@types/express', 'jest', 'ts-jest', 'supertest', 'playwright-core']) {
      expect(existsSync(join(app, 'node_modules', devOnly))).toBe(false);
    }
    expect(existsSync(join(app, 'node_modules', 'sqlite3'))).toBe(true);
    expect(existsSync(join(app, 'src'))).toBe(false);
    expect(existsSync(join(app, 'libs', 'oauth-server', 'src'))).toBe(false);
    expect(existsSync(join(ROOT, 'node_modules', '@types', 'express'))).toBe(true);
  });

  it("the image's CMD serves, its HEALTHCHECK passes, and SIGTERM drains and exits 0", async () => {
    // Review M1: an init process as PID 1, so that node (its child) can SIGKILL itself at
    // SHUTDOWN_TIMEOUT: the kernel drops the signals a PID 1 sends itself.
    expect(dockerfileExec(/^ENTRYPOINT /)).toEqual(['/usr/bin/tini', '--']);
    expect(readFileSync(join(ROOT, 'Dockerfile'), 'utf8')).toMatch(/apt-get install -y --no-install-recommends tini\b/);
    const cmd = dockerfileExec(/^CMD /);
    expect(cmd.slice(0, 1)).toEqual(['node']);
    expect(cmd.at(-1)).toBe('dist/main.js');
    const service = await ServiceProcess.start({ databaseUrl: database.url, cwd: app, command: [process.execPath, ...cmd.slice(1)], env: { LOG_LEVEL: 'log' } });
    try {
      expect((await service.fetch('/health/live')).status).toBe(200);
      const healthcheck = dockerfileExec(/^HEALTHCHECK /);
      expect(healthcheck[0]).toBe('node');
      const port = new URL(service.url).port;
      await expect(run(process.execPath, healthcheck.slice(1), { env: { PATH: process.env.PATH, PORT: port } })).resolves.toBeDefined();
    } finally {
      expect(await service.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    }
    expect(service.logs()).toMatch(/SIGTERM: no longer accepting connections, draining/);
    expect(service.logs()).toMatch(/closed cleanly/);
  });

  it('`npm start` after the prune serves without compiling, and SIGTERM sent to npm stops node (no orphan)', async () => {
    const stamp = join(app, 'dist', '.tsbuildinfo');
    const builtAt = statSync(stamp).mtimeMs;
    const service = await ServiceProcess.start({ databaseUrl: database.url, cwd: app, command: ['npm', 'start'], env: { LOG_LEVEL: 'log' } });
    const [serverPid] = pidsIn(service.logs());
    expect(serverPid).toBeDefined();
    expect(await service.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(service.logs()).toMatch(/closed cleanly/);
    expect(statSync(stamp).mtimeMs).toBe(builtAt); // nothing was compiled
    expect(alive(serverPid)).toBe(false);
  });
});
