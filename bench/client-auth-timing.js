#!/usr/bin/env node
// Client-authentication timing, side by side: wrong secret vs unknown client vs disabled client vs
// missing secret (a confidential client sending only its client_id).
// Boots the built app (dist/) on a temp SQLite database, sends the three kinds of failing
// requests round-robin over one keep-alive connection and prints the median and p90 of each.
// Not a CI assertion (timings on a shared machine are noisy); a reading for humans.
// Usage: npm run bench:client-auth [-- <rounds>]   (default 2000 rounds = 6000 requests)
'use strict';
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const http = require('node:http');

const rounds = Number(process.argv[2] ?? 2000);
const dir = mkdtempSync(join(tmpdir(), 'bench-client-auth-'));
Object.assign(process.env, { DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`, RATE_LIMIT_ENABLED: 'false', LOG_LEVEL: 'error' });

require('reflect-metadata');
const { NestFactory } = require('@nestjs/core');
const { AppModule } = require('../dist/app.module');
const { configureApp } = require('../dist/app.setup');
const { ClientsService } = require('nest-oauth-server');

function post(port, agent, { authorization, body: extra = '' }) {
  const body = 'grant_type=refresh_token&refresh_token=' + 'x'.repeat(43) + extra;
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = http.request(
      { host: '127.0.0.1', port, agent, method: 'POST', path: '/oauth/token', headers: { ...(authorization ? { Authorization: authorization } : {}), 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': body.length } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode, micros: Number(process.hrtime.bigint() - started) / 1000 }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const basic = (id, secret) => 'Basic ' + Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64');
const percentile = (values, p) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];

async function main() {
  const app = await NestFactory.create(AppModule, { bodyParser: false, logger: ['error'] });
  configureApp(app);
  await app.listen(0, '127.0.0.1');
  const port = app.getHttpServer().address().port;
  const clients = app.get(ClientsService);
  const base = { tokenEndpointAuthMethod: 'client_secret_basic', grantTypes: ['refresh_token'], scope: 'read' };
  const enabled = await clients.create({ name: 'enabled', ...base });
  const disabled = await clients.create({ name: 'disabled', ...base });
  await clients.disable(disabled.client_id);

  const cases = {
    'wrong secret': { authorization: basic(enabled.client_id, 'not-the-secret-not-the-secret-not-the-secret') },
    // Of the shape of our ids (32 hex), like a guesser's would be.
    'unknown client': { authorization: basic('0123456789abcdef0123456789abcdef', 'not-the-secret-not-the-secret-not-the-secret') },
    'disabled client': { authorization: basic(disabled.client_id, disabled.client_secret) },
    'missing secret': { body: `&client_id=${enabled.client_id}` },
  };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const samples = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
  for (let warmup = 0; warmup < 200; warmup++) for (const header of Object.values(cases)) await post(port, agent, header);
  for (let round = 0; round < rounds; round++) {
    for (const [name, header] of Object.entries(cases)) {
      const { status, micros } = await post(port, agent, header);
      if (status !== 401) throw new Error(`${name}: expected 401, got ${status}`);
      samples[name].push(micros);
    }
  }
  agent.destroy();
  await app.close();
  rmSync(dir, { recursive: true, force: true });

  console.log(`client authentication failures, ${rounds} requests each (µs, full HTTP round trip)`);
  console.log(['case'.padEnd(16), 'median'.padStart(8), 'p90'.padStart(8)].join(' '));
  for (const [name, values] of Object.entries(samples)) {
    console.log([name.padEnd(16), percentile(values, 0.5).toFixed(0).padStart(8), percentile(values, 0.9).toFixed(0).padStart(8)].join(' '));
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
