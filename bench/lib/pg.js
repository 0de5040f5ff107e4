'use strict';
// PostgreSQL helpers of `npm run bench:pg`: a throw-away database, and token families written
// straight into it the way the service stores them (only the SHA-256 of a refresh token).
const { randomBytes, randomUUID } = require('node:crypto');
const { Client } = require('pg');
const { sha256Hex } = require('./seed');

const DAY = 86_400_000;

async function withClient(url, work) {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A database URL next to `adminUrl` (same server, database `name`). */
function databaseUrl(adminUrl, name) {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

const createDatabase = (adminUrl, name) => withClient(adminUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
const dropDatabase = (adminUrl, name) => withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));

/** `count` live families of `clientId`, each with one unused token, in one transaction; the token values. */
function seedChains(url, clientId, count) {
  return withClient(url, async (c) => {
    const now = Date.now();
    const families = [];
    const tokens = [];
    const values = [];
    for (let i = 0; i < count; i++) {
      const familyId = randomUUID();
      const token = randomBytes(32).toString('base64url');
      families.push([familyId, clientId, `bench-user-${i}`, '', now, now + 30 * DAY, now]);
      values.push([randomUUID(), sha256Hex(token), familyId, now, now + 14 * DAY]);
      tokens.push(token);
    }
    // One multi-row INSERT per table; `row(next)` writes one row's VALUES with numbered parameters.
    const valuesOf = (count, row) => {
      let n = 0;
      const next = () => `$${++n}`;
      return Array.from({ length: count }, () => row(next)).join(', ');
    };
    await c.query('BEGIN');
    await c.query(
      `INSERT INTO token_families (id, client_id, subject, scope, created_at, expires_at, last_used_at) VALUES ${valuesOf(count, (p) => `(${p()}, ${p()}, ${p()}, ${p()}, ${p()}, ${p()}, ${p()})`)}`,
      families.flat(),
    );
    await c.query(
      `INSERT INTO refresh_tokens (id, token_hash, family_id, parent_id, generation, issued_at, expires_at) VALUES ${valuesOf(count, (p) => `(${p()}, ${p()}, ${p()}, NULL, 0, ${p()}, ${p()})`)}`,
      values.flat(),
    );
    await c.query('COMMIT');
    return tokens;
  });
}

module.exports = { withClient, databaseUrl, createDatabase, dropDatabase, seedChains };
