'use strict';
// `npm run bench:pg`: the refresh grant against a local PostgreSQL, with 1, 2 and 3 instances of
// the service (all pinned to the same core set) behind autocannon's round-robin over their URLs
// (connection i goes to instance i mod n), and a pgbench-style floor of the same transaction
// (bench/pg-floor.js). Creates its own database and drops it at the end. See docs/performance.md.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync, spawn } = require('node:child_process');
const bench = require('./run');
const pg = require('./lib/pg');
const scenarios = require('./scenarios');

const num = (name, fallback) => (process.env[name] === undefined ? fallback : Number(process.env[name]));
const options = {
  adminUrl: process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  instances: (process.env.BENCH_PG_INSTANCES ?? '1,2,3').split(',').filter(Boolean).map(Number),
  // taskset list shared by every instance and the floor (one core by default, as the SQLite runs).
  cores: process.env.BENCH_PG_SERVER_CORES ?? '0',
  warmup: num('BENCH_WARMUP', 3),
  duration: num('BENCH_DURATION', 10),
  connections: bench.config.connections,
  skipFloor: process.env.BENCH_SKIP_FLOOR === '1',
};
const scenario = scenarios.refresh_token;

function createClient(url) {
  const out = execFileSync(
    process.execPath,
    [path.join(bench.ROOT, 'dist/cli.js'), 'clients:create', '--name', 'bench', '--grant-types', 'refresh_token'],
    { cwd: bench.ROOT, env: { ...process.env, DATABASE_URL: url, ISSUER: bench.ISSUER, LOG_LEVEL: 'error', RATE_LIMIT_ENABLED: 'false' } },
  );
  return JSON.parse(out.toString());
}

function runChild(script, job, dir) {
  const jobFile = path.join(dir, 'job.json');
  fs.writeFileSync(jobFile, JSON.stringify(job));
  const [command, argv] = bench.pinned(options.cores, process.execPath, [script, jobFile]);
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { cwd: bench.ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`${path.basename(script)} exited with ${code}`))));
  });
}

const states = async (url, client) => ({
  warmup: await pg.seedChains(url, client.client_id, options.connections),
  measured: await pg.seedChains(url, client.client_id, options.connections),
});

async function measureFloor(url, client, dir) {
  const result = await runChild(path.join(__dirname, 'pg-floor.js'), { url, connections: options.connections, warmup: options.warmup, duration: options.duration, states: await states(url, client) }, dir);
  const row = { server: 'floor', label: 'pgbench-style floor', ...result };
  bench.log(`  ${row.label.padEnd(24)} ${String(row.rps).padStart(6)} tx/s   p50 ${row.p50} ms  p99 ${row.p99} max ${row.max} ms  errors ${row.errors}`);
  return row;
}

async function measureService(url, client, count, dir) {
  const seeded = await states(url, client);
  const ports = [];
  for (let i = 0; i < count; i++) ports.push(await bench.freePort());
  const servers = ports.map((port) => bench.startServer('service', null, client, port, { cores: options.cores, env: { DATABASE_URL: url } }));
  try {
    await Promise.all(servers.map((s, i) => bench.waitForHttp(ports[i], s.child)));
    const urls = ports.map((port) => `http://127.0.0.1:${port}`);
    const result = await bench.runLoad({ scenario: scenario.name, url: urls[0], urls, connections: options.connections, warmup: options.warmup, duration: options.duration, client, states: seeded }, dir);
    const row = {
      server: 'service',
      instances: count,
      label: `service × ${count}`,
      rps: Math.round(result.requests.average),
      p50: result.latency.p50,
      p99: result.latency.p99,
      max: result.latency.max,
      errors: result.errors + result.timeouts + result.non2xx + result.checkFailures,
      peakRssMiB: servers.map((s) => bench.peakRssMiB(s.child.pid)),
    };
    if (row.errors > 0) row.serverOutput = `${result.checkSamples.join('\n')}\n${servers.map((s) => s.tail()).join('\n---\n')}`;
    bench.log(`  ${row.label.padEnd(24)} ${String(row.rps).padStart(6)} req/s  p50 ${row.p50} ms  p99 ${row.p99} max ${row.max} ms  errors ${row.errors}  peak RSS ${row.peakRssMiB.join('/')} MiB`);
    return row;
  } finally {
    await Promise.all(servers.map((s) => bench.stop(s.child)));
  }
}

async function main() {
  const started = Date.now();
  bench.buildIfNeeded();
  const name = `nest_oauth_bench_${process.pid}`;
  const url = pg.databaseUrl(options.adminUrl, name);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oauth-bench-pg-'));
  const rows = [];
  await pg.createDatabase(options.adminUrl, name);
  try {
    const client = createClient(url);
    bench.log(`PostgreSQL database ${name}; servers on cores ${options.cores}, load generator on core 1; ${options.warmup} s warm-up + ${options.duration} s, ${options.connections} connections`);
    if (!options.skipFloor) rows.push(await measureFloor(url, client, dir));
    for (const count of options.instances) rows.push(await measureService(url, client, count, dir));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await pg.dropDatabase(options.adminUrl, name);
  }
  const floor = rows.find((r) => r.server === 'floor');
  for (const row of rows) if (floor && row !== floor) row.ratio = Number((row.rps / floor.rps).toFixed(2));
  const result = { date: new Date().toISOString(), options: { ...options, adminUrl: undefined }, rows, seconds: Math.round((Date.now() - started) / 1000) };
  const resultsDir = path.join(__dirname, 'results');
  fs.mkdirSync(resultsDir, { recursive: true });
  const out = path.join(resultsDir, `pg-${result.date.replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  const lines = ['', '| PostgreSQL refresh_token | req/s (floor: tx/s) | p50 ms | p99 ms | errors | × floor |', '|---|---:|---:|---:|---:|---:|'];
  for (const r of rows) lines.push(`| ${r.label} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.ratio ?? ''} |`);
  process.stdout.write(`${lines.join('\n')}\n`);
  bench.log(`result: ${path.relative(bench.ROOT, out)} (${result.seconds} s)`);
  const failed = rows.filter((r) => r.errors > 0);
  if (failed.length > 0) {
    bench.log(`FAILED: ${failed.reduce((sum, r) => sum + r.errors, 0)} wrong answers or errors`);
    for (const r of failed) bench.log(`--- ${r.label}:\n${r.serverOutput ?? ''}`);
    process.exitCode = 1;
  }
}

main().catch((error) => {
  bench.log(error.stack);
  process.exit(1);
});
