'use strict';
// `npm run bench`: the production build against the floor server (better-sqlite3, group commit:
// bench/floor-server.js), alternating rounds, then the service again with many live families in the
// database. See docs/performance.md.
const { spawn, execFileSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const sqlite = require('./lib/sqlite');
const { seedFillers } = require('./lib/seed');
const scenarios = require('./scenarios');

const ROOT = path.resolve(__dirname, '..');
const num = (name, fallback) => (process.env[name] === undefined ? fallback : Number(process.env[name]));
const config = {
  rounds: num('BENCH_ROUNDS', 3),
  warmup: num('BENCH_WARMUP', 5),
  duration: num('BENCH_DURATION', 10),
  // Secondary scenarios bring shorter `defaults`; these variables, when set, apply to every scenario.
  timingSet: ['BENCH_ROUNDS', 'BENCH_WARMUP', 'BENCH_DURATION'].filter((name) => process.env[name] !== undefined),
  connections: num('BENCH_CONNECTIONS', 32),
  scale: (process.env.BENCH_SCALE ?? '10000,1000000').split(',').filter(Boolean).map(Number),
  synchronous: process.env.BENCH_SQLITE_SYNCHRONOUS ?? 'FULL',
  scenarios: (process.env.BENCH_SCENARIOS ?? Object.keys(scenarios).join(',')).split(','),
  // The V8 heap settings of `npm start` (see docs/readme/issue-6.md); '' for Node's defaults.
  serviceNodeOptions: (process.env.BENCH_SERVICE_NODE_OPTIONS ?? '--max-semi-space-size=4 --max-old-space-size=512').split(' ').filter(Boolean),
  skipFloor: process.env.BENCH_SKIP_FLOOR === '1',
  cpuProfileDir: process.env.BENCH_CPU_PROF ? path.resolve(process.env.BENCH_CPU_PROF) : undefined,
  cacheDir: process.env.BENCH_CACHE_DIR ?? path.join(os.tmpdir(), 'nest-oauth-bench-cache'),
};
// Fixed, so tokens minted before the server starts (introspection) carry the issuer it checks.
const ISSUER = 'http://bench.localhost';

/** Rounds, warm-up and duration of a scenario: its `defaults`, unless set in the environment. */
function timing(scenario) {
  const own = scenario.defaults ?? {};
  const pick = (key, env) => (config.timingSet.includes(env) || own[key] === undefined ? config[key] : own[key]);
  return { rounds: pick('rounds', 'BENCH_ROUNDS'), warmup: pick('warmup', 'BENCH_WARMUP'), duration: pick('duration', 'BENCH_DURATION') };
}
const hasTaskset = (() => {
  try {
    execFileSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
    return os.cpus().length > 1;
  } catch {
    return false;
  }
})();
const log = (line) => process.stderr.write(`${line}\n`);

function pinned(core, command, args) {
  return hasTaskset ? ['taskset', ['-c', String(core), command, ...args]] : [command, args];
}

function buildIfNeeded() {
  const newest = (dir, skip = () => false) =>
    fs.readdirSync(dir, { withFileTypes: true, recursive: true }).reduce((max, entry) => {
      if (!entry.isFile() || skip(entry.name)) return max;
      return Math.max(max, fs.statSync(path.join(entry.parentPath ?? entry.path, entry.name)).mtimeMs);
    }, 0);
  const dist = path.join(ROOT, 'dist');
  const isSpec = (name) => name.endsWith('.spec.ts');
  const library = path.join(ROOT, 'libs/oauth-server');
  const built = Math.min(newest(dist), fs.existsSync(path.join(library, 'dist')) ? newest(path.join(library, 'dist')) : 0);
  if (fs.existsSync(path.join(dist, 'main.js')) && built >= Math.max(newest(path.join(ROOT, 'src'), isSpec), newest(path.join(library, 'src'), isSpec))) return;
  log('building (npm run build)...');
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/**
 * A migrated database with one confidential client, made by the real CLI: registered for the
 * refresh_token and client_credentials grants and allowed to introspect (one client for every
 * scenario: one CLI start instead of three).
 */
function createTemplate(dir) {
  const file = path.join(dir, 'template.sqlite');
  const out = execFileSync(
    process.execPath,
    [path.join(ROOT, 'dist/cli.js'), 'clients:create', '--name', 'bench', '--grant-types', 'refresh_token,client_credentials', '--allow-introspection'],
    { cwd: ROOT, env: { ...process.env, DATABASE_URL: `sqlite:${file}`, LOG_LEVEL: 'error', RATE_LIMIT_ENABLED: 'false' } },
  );
  return { file, client: JSON.parse(out.toString()) };
}

/** The template plus `count` live filler families, cached across runs (keyed by the schema). */
async function templateWithFillers(base, count) {
  const migrations = path.join(ROOT, 'libs/oauth-server/dist/database/migrations');
  const hash = createHash('sha256');
  for (const name of fs.readdirSync(migrations).sort()) if (name.endsWith('.js')) hash.update(fs.readFileSync(path.join(migrations, name)));
  const stem = path.join(config.cacheDir, `${hash.digest('hex').slice(0, 16)}-${count}`);
  if (fs.existsSync(`${stem}.json`)) return { file: `${stem}.sqlite`, client: JSON.parse(fs.readFileSync(`${stem}.json`, 'utf8')), cached: true };
  fs.mkdirSync(config.cacheDir, { recursive: true });
  const started = Date.now();
  fs.copyFileSync(base.file, `${stem}.sqlite`);
  const db = await sqlite.open(`${stem}.sqlite`);
  await seedFillers(db, base.client.client_id, count);
  await sqlite.close(db);
  fs.writeFileSync(`${stem}.json`, JSON.stringify(base.client));
  log(`seeded ${count} families into ${stem}.sqlite in ${Date.now() - started} ms (cached for next runs)`);
  return { file: `${stem}.sqlite`, client: base.client, cached: false };
}

function waitForHttp(port, child, deadline = Date.now() + 60_000) {
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null) return reject(new Error(`server exited with ${child.exitCode}`));
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.end();
        resolve();
      });
      socket.on('error', () => (Date.now() > deadline ? reject(new Error('server did not start')) : setTimeout(attempt, 50)));
    };
    attempt();
  });
}

function peakRssMiB(pid) {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Math.round(Number(match[1]) / 1024) : null;
  } catch {
    return null;
  }
}

/**
 * Starts one server pinned to core 0 (or `server.cores`, a taskset list). `kind` 'service' is the
 * production build (`server.env` may point it elsewhere, e.g. PostgreSQL); anything else is a bench
 * script (`server.script`, default the floor) given the database file and the client.
 */
function startServer(kind, file, client, port, server = {}) {
  // The rate limiter stays on (its cost is part of the hot path) with limits no run can reach.
  const limits = { RATE_LIMIT_PER_IP: '1000000000', RATE_LIMIT_PER_CLIENT: '1000000000' };
  const env = { ...process.env, ...limits, PORT: String(port), HOST: '127.0.0.1', ISSUER, SQLITE_SYNCHRONOUS: config.synchronous };
  let args;
  if (kind === 'service') {
    Object.assign(env, { DATABASE_URL: `sqlite:${file}` }, server.env);
    args = [...config.serviceNodeOptions, ...(config.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', config.cpuProfileDir] : []), path.join(ROOT, 'dist/main.js')];
  } else {
    Object.assign(env, { DATABASE_FILE: file, CLIENT_ID: client.client_id, CLIENT_SECRET: client.client_secret }, server.env);
    args = [server.script ?? path.join(__dirname, 'floor-server.js')];
  }
  const [command, argv] = pinned(server.cores ?? 0, process.execPath, args);
  const child = spawn(command, argv, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const keep = (chunk) => (tail = (tail + chunk).slice(-4000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  return { child, tail: () => tail };
}

function runLoad(job, dir) {
  const jobFile = path.join(dir, 'job.json');
  fs.writeFileSync(jobFile, JSON.stringify(job));
  const [command, argv] = pinned(1, process.execPath, [path.join(__dirname, 'load.js'), jobFile]);
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`load generator exited with ${code}`))));
  });
}

/**
 * One measured run on a fresh copy of the template. A server that keeps its own state (a peer,
 * `server.seed`) is asked for its starting tokens once it listens; otherwise the scenario seeds the
 * database before the server starts.
 */
async function measure(kind, template, scenario, label, { warmup, duration } = timing(scenario), serverOptions = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oauth-bench-run-'));
  const file = path.join(dir, 'oauth.sqlite');
  try {
    fs.copyFileSync(template.file, file);
    let states;
    if (!serverOptions.seed) {
      const db = await sqlite.open(file);
      states = await scenario.prepare({ db, client: template.client, connections: config.connections, issuer: ISSUER });
      await sqlite.close(db);
    }
    const port = await freePort();
    const server = startServer(kind, file, template.client, port, serverOptions);
    try {
      await waitForHttp(port, server.child);
      if (serverOptions.seed) states = await serverOptions.seed(port, scenario, config.connections);
      const result = await runLoad(
        { scenario: scenario.name, url: `http://127.0.0.1:${port}`, connections: config.connections, warmup, duration, client: template.client, states },
        dir,
      );
      const row = {
        server: kind,
        scenario: scenario.name,
        label,
        rps: Math.round(result.requests.average),
        p50: result.latency.p50,
        p99: result.latency.p99,
        p90: result.latency.p90,
        max: result.latency.max,
        errors: result.errors + result.timeouts + result.non2xx + result.checkFailures,
        checkFailures: result.checkFailures,
        peakRssMiB: peakRssMiB(server.child.pid),
      };
      if (row.errors > 0) row.serverOutput = `${result.checkSamples.join('\n')}\n${server.tail()}`;
      log(`  ${label.padEnd(24)} ${String(row.rps).padStart(6)} req/s  p50 ${row.p50} ms  p90 ${row.p90} p99 ${row.p99} max ${row.max} ms  errors ${row.errors}  peak RSS ${row.peakRssMiB} MiB`);
      return row;
    } finally {
      await stop(server.child);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function stop(child) {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

const median = (values) => {
  const sorted = values.filter((v) => v !== null).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

function summarize(rows) {
  return {
    runs: rows.length,
    rps: median(rows.map((r) => r.rps)),
    p50: median(rows.map((r) => r.p50)),
    p99: median(rows.map((r) => r.p99)),
    errors: rows.reduce((sum, r) => sum + r.errors, 0),
    peakRssMiB: median(rows.map((r) => r.peakRssMiB)),
  };
}

async function main() {
  const started = Date.now();
  buildIfNeeded();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'oauth-bench-'));
  const runs = [];
  const summary = {};
  try {
    const base = createTemplate(work);
    log(`taskset: ${hasTaskset ? 'server on core 0, load generator on core 1' : 'not available, unpinned'}; synchronous=${config.synchronous}`);
    for (const name of config.scenarios) {
      const scenario = scenarios[name];
      if (!scenario) throw new Error(`unknown scenario ${name}`);
      const { rounds, warmup, duration } = timing(scenario);
      log(`${name}: ${rounds} alternating round(s), ${config.connections} connections, ${warmup} s warm-up + ${duration} s`);
      summary[name] = { rounds, warmup, duration };
      for (let round = 1; round <= rounds; round++) {
        runs.push(await measure('service', base, scenario, `service round ${round}`));
        if (scenario.floor && !config.skipFloor) runs.push(await measure('floor', base, scenario, `floor round ${round}`));
      }
      const service = summarize(runs.filter((r) => r.scenario === name && r.server === 'service'));
      const floor = scenario.floor && !config.skipFloor ? summarize(runs.filter((r) => r.scenario === name && r.server === 'floor')) : null;
      // Throughput as a share of the floor's (higher is better), p99 as a multiple of the floor's (lower is better).
      const p99Ratio = floor && floor.p99 > 0 ? Number((service.p99 / floor.p99).toFixed(2)) : null;
      Object.assign(summary[name], { service, floor, ratio: floor ? Number((service.rps / floor.rps).toFixed(3)) : null, p99Ratio });
    }
    // DPoP's cost: its refresh throughput as a share of plain refresh, both measured in this run.
    if (summary.refresh_token_dpop && summary.refresh_token) {
      summary.refresh_token_dpop.ratioToRefresh = Number((summary.refresh_token_dpop.service.rps / summary.refresh_token.service.rps).toFixed(3));
    }
    if (config.scale.length > 0 && scenarios.refresh_token) {
      log(`scale: refresh_token on the service, one run per size`);
      const base0 = summary.refresh_token?.service.rps;
      summary.scale = [];
      for (const count of config.scale) {
        const template = await templateWithFillers(base, count);
        const row = await measure('service', template, scenarios.refresh_token, `service +${count} families`);
        runs.push({ ...row, families: count });
        summary.scale.push({ families: count, ...row, change: base0 ? Number((row.rps / base0 - 1).toFixed(3)) : null });
      }
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  const machine = { nproc: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version, taskset: hasTaskset };
  const result = { date: new Date().toISOString(), config, machine, summary, runs, seconds: Math.round((Date.now() - started) / 1000) };
  const resultsDir = path.join(__dirname, 'results');
  fs.mkdirSync(resultsDir, { recursive: true });
  const out = path.join(resultsDir, `bench-${result.date.replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  printSummary(summary);
  log(`result: ${path.relative(ROOT, out)} (${result.seconds} s)`);
  const errors = runs.reduce((sum, r) => sum + r.errors, 0);
  if (errors > 0) {
    log(`FAILED: ${errors} non-200 responses or errors`);
    for (const r of runs.filter((x) => x.errors > 0)) log(`--- ${r.label}:\n${r.serverOutput ?? ''}`);
    process.exitCode = 1;
  }
}

function printSummary(summary) {
  const line = (name, s) => `| ${name} | ${s.rps} | ${s.p50} | ${s.p99} | ${s.errors} | ${s.peakRssMiB} |`;
  const lines = ['', '| run | req/s | p50 ms | p99 ms | errors | peak RSS MiB |', '|---|---:|---:|---:|---:|---:|'];
  for (const [name, s] of Object.entries(summary)) {
    if (name === 'scale') continue;
    const how = s.rounds === 1 ? `1 run, ${s.warmup}+${s.duration} s` : `median of ${s.rounds}, ${s.warmup}+${s.duration} s`;
    lines.push(line(`${name} service (${how})`, s.service));
    if (s.floor) lines.push(line(`${name} floor (${how})`, s.floor), `| ${name} service/floor | ${s.ratio} | | ${s.p99Ratio} | | |`);
    if (s.ratioToRefresh !== undefined) lines.push(`| ${name} / refresh_token | ${s.ratioToRefresh} | | | | |`);
  }
  for (const s of summary.scale ?? []) lines.push(line(`refresh_token +${s.families} families`, s) + ` change ${(s.change * 100).toFixed(1)} %`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

// bench/peers.js and bench/pg.js drive their runs with the same pieces.
module.exports = { ROOT, ISSUER, config, timing, hasTaskset, pinned, log, buildIfNeeded, createTemplate, freePort, waitForHttp, peakRssMiB, startServer, runLoad, measure, stop, summarize, median };

if (require.main === module) {
  main().catch((error) => {
    log(error.stack);
    process.exit(1);
  });
}
