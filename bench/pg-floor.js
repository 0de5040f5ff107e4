'use strict';
// The PostgreSQL floor of `npm run bench:pg`, pgbench-style: no HTTP, no framework, no JWT; just the
// storage work of one rotation, as the service does it, on `connections` concurrent sessions (one
// pg client each, like `pgbench -c`), each following its own chain: look the token hash up (one
// JOIN), then in one transaction the conditional consume (unconsumed, family still live), the
// successor's INSERT and the family's touch, COMMIT. Every statement is a named (server-side
// prepared) statement. Job file (argv[2]): { url, connections, warmup, duration, states }. Prints
// { requests, rps, p50, p99, max, errors } of the measured phase as JSON.
const { readFileSync } = require('node:fs');
const { createHash, randomBytes, randomUUID } = require('node:crypto');
const { Client } = require('pg');

const job = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const IDLE_TTL_MS = 14 * 86_400_000;
const sha256Hex = (value) => createHash('sha256').update(value, 'utf8').digest('hex');

const statements = {
  find: {
    name: 'floor_find',
    text: `SELECT t.id, t.family_id, t.generation, t.expires_at, t.consumed_at, f.revoked_at, f.expires_at AS family_expires_at
           FROM refresh_tokens t JOIN token_families f ON f.id = t.family_id WHERE t.token_hash = $1`,
  },
  consume: {
    name: 'floor_consume',
    text: `UPDATE refresh_tokens SET consumed_at = $1 WHERE id = $2 AND consumed_at IS NULL
           AND EXISTS (SELECT 1 FROM token_families f WHERE f.id = refresh_tokens.family_id AND f.revoked_at IS NULL)`,
  },
  insert: {
    name: 'floor_insert',
    text: 'INSERT INTO refresh_tokens (id, token_hash, family_id, parent_id, generation, issued_at, expires_at, consumed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL)',
  },
  touch: { name: 'floor_touch', text: 'UPDATE token_families SET last_used_at = $1 WHERE id = $2' },
};

/** One rotation; throws when the token is not live (a broken chain is an error, as in the service run). */
async function rotate(client, token) {
  const { rows } = await client.query({ ...statements.find, values: [sha256Hex(token)] });
  const row = rows[0];
  const now = Date.now();
  if (!row || row.consumed_at !== null || row.revoked_at !== null || now >= Number(row.expires_at) || now >= Number(row.family_expires_at)) {
    throw new Error('token not live');
  }
  const next = randomBytes(32).toString('base64url');
  await client.query('BEGIN');
  try {
    const consumed = await client.query({ ...statements.consume, values: [now, row.id] });
    if (consumed.rowCount !== 1) throw new Error('token consumed meanwhile');
    await client.query({ ...statements.insert, values: [randomUUID(), sha256Hex(next), row.family_id, row.id, Number(row.generation) + 1, now, now + IDLE_TTL_MS] });
    await client.query({ ...statements.touch, values: [now, row.family_id] });
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
  return next;
}

async function phase(clients, tokens, seconds) {
  const latencies = [];
  let errors = 0;
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    clients.map(async (client, i) => {
      let token = tokens[i];
      while (Date.now() < end) {
        const started = process.hrtime.bigint();
        try {
          token = await rotate(client, token);
          latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
        } catch {
          errors++;
          return; // the chain is broken: this session stops, the error fails the run
        }
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const at = (q) => (latencies.length ? Number(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))].toFixed(1)) : null);
  return { requests: latencies.length, rps: Math.round(latencies.length / seconds), p50: at(0.5), p99: at(0.99), max: at(1), errors };
}

async function main() {
  const clients = await Promise.all(
    Array.from({ length: job.connections }, async () => {
      const client = new Client({ connectionString: job.url });
      await client.connect();
      return client;
    }),
  );
  try {
    const warmup = await phase(clients, job.states.warmup, job.warmup);
    const measured = await phase(clients, job.states.measured, job.duration);
    process.stdout.write(JSON.stringify({ ...measured, errors: warmup.errors + measured.errors }));
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
