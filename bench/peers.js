'use strict';
// `npm run bench:peers`: the service, the floor and two peers, every scenario each implements, in
// one run on the same machine: server pinned to core 0, autocannon (32 connections) on core 1,
// every answer checked (status, body shape; a rotation's new refresh token is the next request's).
// Prints a markdown table (req/s and p99 per scenario per server, and the ratio to the floor). See
// docs/performance.md.
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const bench = require('./run');
const scenarios = require('./scenarios');

const num = (name, fallback) => (process.env[name] === undefined ? fallback : Number(process.env[name]));
const options = {
  rounds: num('BENCH_ROUNDS', 1),
  warmup: num('BENCH_WARMUP', 3),
  duration: num('BENCH_DURATION', 10),
  scenarios: (process.env.BENCH_SCENARIOS ?? 'refresh_token,client_credentials,introspection').split(','),
  servers: (process.env.PEERS_SERVERS ?? 'service,floor,oidc-provider,node-oauth').split(','),
};

/** Asks a peer (which keeps its own state) for 2 × connections starting tokens, minted by itself. */
function seedFromServer(port, scenario, connections) {
  if (scenario.name === 'client_credentials') return Promise.resolve({ warmup: Array(connections).fill(null), measured: Array(connections).fill(null) });
  const payload = JSON.stringify({ scenario: scenario.name, count: 2 * connections });
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/bench/seed', headers: { 'content-type': 'application/json' } }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`seed: ${res.statusCode} ${body}`));
        const { tokens } = JSON.parse(body);
        resolve({ warmup: tokens.slice(0, connections), measured: tokens.slice(connections) });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

const servers = {
  service: { title: 'service (default logging, SQLite FULL, group commit)', scenarios: ['refresh_token', 'client_credentials', 'introspection'] },
  floor: { title: 'floor: node:http + better-sqlite3, FULL, group commit', scenarios: ['refresh_token', 'client_credentials', 'introspection'] },
  'oidc-provider': {
    title: 'node-oidc-provider 9 (in-memory)',
    scenarios: ['refresh_token', 'client_credentials', 'introspection'],
    server: { script: path.join(__dirname, 'peers/oidc-provider-server.mjs'), seed: seedFromServer },
  },
  'node-oauth': {
    title: '@node-oauth/oauth2-server 5 (better-sqlite3, FULL)',
    scenarios: ['refresh_token', 'client_credentials'],
    server: { script: path.join(__dirname, 'peers/node-oauth-server.js'), seed: seedFromServer },
  },
};
const notes = {
  'oidc-provider': { client_credentials: 'ES256 JWT', introspection: 'its opaque tokens' },
};

async function main() {
  const started = Date.now();
  for (const name of [...options.scenarios]) if (!scenarios[name]) throw new Error(`unknown scenario ${name}`);
  for (const name of options.servers) if (!servers[name]) throw new Error(`unknown server ${name}`);
  bench.buildIfNeeded();
  const work = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'oauth-bench-peers-'));
  const runs = [];
  try {
    const template = bench.createTemplate(work);
    bench.log(`taskset: ${bench.hasTaskset ? 'server on core 0, load generator on core 1' : 'not available, unpinned'}; ${options.rounds} round(s) of ${options.warmup} s warm-up + ${options.duration} s, ${bench.config.connections} connections`);
    for (let round = 1; round <= options.rounds; round++) {
      for (const scenarioName of options.scenarios) {
        const scenario = scenarios[scenarioName];
        for (const serverName of options.servers) {
          const spec = servers[serverName];
          if (!spec.scenarios.includes(scenarioName)) continue;
          const label = `${scenarioName} ${serverName}${options.rounds > 1 ? ` #${round}` : ''}`;
          runs.push(await bench.measure(serverName, template, scenario, label, { warmup: options.warmup, duration: options.duration }, spec.server));
        }
      }
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  const summary = {};
  for (const scenarioName of options.scenarios) {
    summary[scenarioName] = {};
    for (const serverName of options.servers) {
      const own = runs.filter((r) => r.scenario === scenarioName && r.server === serverName);
      if (own.length > 0) summary[scenarioName][serverName] = bench.summarize(own);
    }
    const floor = summary[scenarioName].floor;
    for (const s of Object.values(summary[scenarioName])) if (floor) s.ratio = Number((s.rps / floor.rps).toFixed(2));
  }
  const result = { date: new Date().toISOString(), options, connections: bench.config.connections, synchronous: bench.config.synchronous, summary, runs, seconds: Math.round((Date.now() - started) / 1000) };
  const resultsDir = path.join(__dirname, 'results');
  fs.mkdirSync(resultsDir, { recursive: true });
  const out = path.join(resultsDir, `peers-${result.date.replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  printTable(summary);
  bench.log(`result: ${path.relative(bench.ROOT, out)} (${result.seconds} s)`);
  const failed = runs.filter((r) => r.errors > 0);
  if (failed.length > 0) {
    bench.log(`FAILED: ${failed.reduce((sum, r) => sum + r.errors, 0)} wrong answers or errors`);
    for (const r of failed) bench.log(`--- ${r.label} (${r.errors} errors, ${r.checkFailures} failed checks):\n${r.serverOutput ?? ''}`);
    process.exitCode = 1;
  }
}

function printTable(summary) {
  const columns = options.servers;
  const lines = [
    '',
    `| scenario | ${columns.map((c) => servers[c].title).join(' | ')} |`,
    `|---|${columns.map(() => '---:').join('|')}|`,
  ];
  for (const [scenarioName, byServer] of Object.entries(summary)) {
    const cells = columns.map((c) => {
      const s = byServer[c];
      if (!s) return '—';
      const ratio = s.ratio !== undefined && c !== 'floor' ? ` (${s.ratio} × floor)` : '';
      const note = notes[c]?.[scenarioName] ? ` [${notes[c][scenarioName]}]` : '';
      return `${Math.round(s.rps)} req/s, p99 ${s.p99} ms${ratio}${note}${s.errors > 0 ? ` **${s.errors} errors**` : ''}`;
    });
    lines.push(`| ${scenarioName} | ${cells.join(' | ')} |`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error) => {
  bench.log(error.stack);
  process.exit(1);
});
