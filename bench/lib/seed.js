'use strict';
// Writes token families straight into a migrated database (never through HTTP), the way the
// service stores them: only the SHA-256 of a refresh token is kept.
const { createHash, randomBytes, randomUUID } = require('node:crypto');
const sqlite = require('./sqlite');

const DAY = 86_400_000;

function sha256Hex(value) {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** `count` live families of `clientId`, each with one unused token; returns the token values. */
async function seedChains(db, clientId, count) {
  const now = Date.now();
  const tokens = [];
  await sqlite.exec(db, 'BEGIN');
  for (let i = 0; i < count; i++) {
    const familyId = randomUUID();
    const token = randomBytes(32).toString('base64url');
    await sqlite.run(
      db,
      'INSERT INTO token_families (id, client_id, subject, scope, created_at, expires_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [familyId, clientId, `bench-user-${i}`, '', now, now + 30 * DAY, now],
    );
    await sqlite.run(
      db,
      'INSERT INTO refresh_tokens (id, token_hash, family_id, parent_id, generation, issued_at, expires_at) VALUES (?, ?, ?, NULL, 0, ?, ?)',
      [randomUUID(), sha256Hex(token), familyId, now, now + 14 * DAY],
    );
    tokens.push(token);
  }
  await sqlite.exec(db, 'COMMIT');
  return tokens;
}

/**
 * `count` filler families (one live token each, random hashes so the unique index is as
 * fragmented as in production), generated inside SQLite in one transaction: a million rows in
 * seconds, where one prepared-statement call per row through the async driver takes minutes.
 */
async function seedFillers(db, clientId, count) {
  const now = Date.now();
  // A page cache big enough for the random-hash index: ~15 % faster seeding of a million families.
  await sqlite.exec(db, 'PRAGMA cache_size = -262144');
  await sqlite.exec(db, 'BEGIN');
  await sqlite.run(
    db,
    `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?)
     INSERT INTO token_families (id, client_id, subject, scope, created_at, expires_at, last_used_at)
     SELECT printf('fill-%031d', n), ?, 'filler-' || n, '', ?, ?, ? FROM seq`,
    [count, clientId, now, now + 30 * DAY, now],
  );
  await sqlite.run(
    db,
    `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?)
     INSERT INTO refresh_tokens (id, token_hash, family_id, parent_id, generation, issued_at, expires_at)
     SELECT printf('tok-%032d', n), lower(hex(randomblob(32))), printf('fill-%031d', n), NULL, 0, ?, ? FROM seq`,
    [count, now, now + 14 * DAY],
  );
  await sqlite.exec(db, 'COMMIT');
}

module.exports = { seedChains, seedFillers, sha256Hex };
