'use strict';
// The floor: the minimum real work of each benchmarked request on bare node:http + better-sqlite3,
// with the same storage layout, durability and batching as the service: WAL, `synchronous` as the
// service's (FULL by default), and the rotations that arrive in one event-loop turn committed in one
// transaction (group commit, one fsync per group, every answer sent only after its COMMIT). No
// framework, no ORM, no logging. Refresh grant: one rotation (conditional consume with the family
// still live, insert the successor, touch the family). client_credentials: form, Basic
// credentials, sign an ES256 JWT. Introspection: form, Basic credentials, verify the ES256 JWT, exp,
// one indexed lookup of the jti's and the family's revocation state. Environment: DATABASE_FILE,
// CLIENT_ID, PORT, ISSUER, SQLITE_SYNCHRONOUS (FULL|NORMAL), FLOOR_GROUP_COMMIT (`0`: one
// transaction per rotation, the old floor's shape).
const http = require('node:http');
const { createHash, randomBytes, randomUUID, timingSafeEqual } = require('node:crypto');
const Database = require('better-sqlite3');
const { accessTokenClaims, signJwt, verifiedPayload, keyFromRow } = require('./lib/jwt');

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;
const ACCESS_TTL = 900;
const IDLE_TTL_MS = 14 * 86_400_000;
const GROUP_LIMIT = 64; // the service's SqliteGroupCommit limit

const sha256 = (value) => createHash('sha256').update(value, 'utf8').digest();

function main() {
  const db = new Database(process.env.DATABASE_FILE);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.pragma(`synchronous = ${process.env.SQLITE_SYNCHRONOUS || 'FULL'}`);
  const client = db.prepare('SELECT client_id, secret_hash FROM oauth_clients WHERE client_id = ?').get(process.env.CLIENT_ID);
  const key = keyFromRow(db.prepare("SELECT kid, private_key FROM signing_keys WHERE alg = 'ES256' AND retired_at IS NULL ORDER BY created_at, kid").get());
  const issuer = process.env.ISSUER || `http://127.0.0.1:${process.env.PORT}`;
  const secretHash = Buffer.from(client.secret_hash, 'hex');
  const groupCommit = process.env.FLOOR_GROUP_COMMIT !== '0';

  // Every hot statement prepared once.
  const findByHash = db.prepare(
    `SELECT t.id, t.family_id, t.generation, t.expires_at, t.consumed_at, f.client_id, f.subject, f.scope, f.revoked_at, f.expires_at AS family_expires_at
     FROM refresh_tokens t JOIN token_families f ON f.id = t.family_id WHERE t.token_hash = ?`,
  );
  const consume = db.prepare(
    `UPDATE refresh_tokens SET consumed_at = ? WHERE id = ? AND consumed_at IS NULL
     AND EXISTS (SELECT 1 FROM token_families f WHERE f.id = refresh_tokens.family_id AND f.revoked_at IS NULL)`,
  );
  const insertToken = db.prepare(
    'INSERT INTO refresh_tokens (id, token_hash, family_id, parent_id, generation, issued_at, expires_at, consumed_at) VALUES (?, ?, ?, ?, ?, ?, ?, NULL)',
  );
  const touchFamily = db.prepare('UPDATE token_families SET last_used_at = ? WHERE id = ?');
  const revocationState = db.prepare(
    `SELECT EXISTS (SELECT 1 FROM revoked_access_tokens WHERE jti = ?) AS revoked,
            (SELECT revoked_at IS NULL FROM token_families WHERE id = ?) AS family_live`,
  );
  const begin = db.prepare('BEGIN IMMEDIATE');
  const commit = db.prepare('COMMIT');
  const rollback = db.prepare('ROLLBACK');

  /** One rotation's writes; null when the token was consumed (or its family revoked) meanwhile. */
  const rotateIn = ({ row, now }) => {
    if (consume.run(now, row.id).changes !== 1) return null;
    const token = randomBytes(32).toString('base64url');
    insertToken.run(randomUUID(), sha256(token).toString('hex'), row.family_id, row.id, row.generation + 1, now, now + IDLE_TTL_MS);
    touchFamily.run(now, row.family_id);
    return token;
  };

  // Group commit: units queued in this turn run in one transaction at the next check phase; each
  // resolves only after the COMMIT (its writes are durable). A failed group rolls back and re-runs
  // its units one transaction each, as the service does.
  let pending = [];
  const transaction = (units) => {
    begin.run();
    try {
      const results = units.map(rotateIn);
      commit.run();
      return results;
    } catch (error) {
      if (db.inTransaction) rollback.run();
      throw error;
    }
  };
  const flush = () => {
    const group = pending.splice(0, GROUP_LIMIT);
    if (pending.length > 0) setImmediate(flush);
    try {
      transaction(group).forEach((token, i) => group[i].resolve(token));
    } catch {
      for (const unit of group) {
        try {
          unit.resolve(transaction([unit])[0]);
        } catch (error) {
          unit.reject(error);
        }
      }
    }
  };
  const rotate = (row, now) =>
    new Promise((resolve, reject) => {
      if (!groupCommit) {
        try {
          return resolve(transaction([{ row, now }])[0]);
        } catch (error) {
          return reject(error);
        }
      }
      if (pending.push({ row, now, resolve, reject }) === 1) setImmediate(flush);
    });

  const signAccessToken = (row, now) =>
    signJwt(key, accessTokenClaims({ issuer, subject: row.subject, clientId: row.client_id, scope: row.scope, familyId: row.family_id, now, ttl: ACCESS_TTL }));

  const isLive = (claims) => {
    const row = revocationState.get(claims.jti, claims.family_id ?? null);
    return row.revoked === 0 && (claims.family_id === undefined || row.family_live === 1);
  };

  const introspect = (req, body) => {
    const params = new URLSearchParams(body);
    if (!authenticated(req.headers.authorization)) return [401, { error: 'invalid_client' }];
    const claims = verifiedPayload(key, params.get('token') || '');
    if (!claims || claims.iss !== issuer || typeof claims.exp !== 'number' || Date.now() / 1000 >= claims.exp) return [200, { active: false }];
    if (!isLive(claims)) return [200, { active: false }];
    const { scope, client_id, sub, exp, iat, iss, aud, jti } = claims;
    return [200, { active: true, scope, client_id, sub, exp, iat, iss, aud, jti, token_type: 'Bearer' }];
  };

  const authenticated = (authorization) => {
    const match = /^basic +(\S+)$/i.exec(authorization || '');
    if (!match) return false;
    const decoded = Buffer.from(match[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0 || decodeURIComponent(decoded.slice(0, colon)) !== client.client_id) return false;
    return timingSafeEqual(sha256(decodeURIComponent(decoded.slice(colon + 1))), secretHash);
  };

  const handle = async (req, body) => {
    if (req.method !== 'POST' || (req.url !== '/oauth/token' && req.url !== '/oauth/introspect')) return [404, { error: 'not_found' }];
    if (!(req.headers['content-type'] || '').startsWith('application/x-www-form-urlencoded')) return [400, { error: 'invalid_request' }];
    if (req.url === '/oauth/introspect') return introspect(req, body);
    const params = new URLSearchParams(body);
    if (!authenticated(req.headers.authorization)) return [401, { error: 'invalid_client' }];
    if (params.get('grant_type') === 'client_credentials') {
      const now = Date.now();
      const accessToken = signJwt(key, accessTokenClaims({ issuer, subject: client.client_id, clientId: client.client_id, scope: '', now, ttl: ACCESS_TTL }));
      return [200, { access_token: accessToken, token_type: 'Bearer', expires_in: ACCESS_TTL, scope: '' }];
    }
    if (params.get('grant_type') !== 'refresh_token') return [400, { error: 'unsupported_grant_type' }];
    const presented = params.get('refresh_token') || '';
    if (!TOKEN_SHAPE.test(presented)) return [400, { error: 'invalid_grant' }];
    const row = findByHash.get(sha256(presented).toString('hex'));
    const now = Date.now();
    if (!row || row.client_id !== client.client_id || row.revoked_at !== null || row.consumed_at !== null) return [400, { error: 'invalid_grant' }];
    if (now >= row.expires_at || now >= row.family_expires_at) return [400, { error: 'invalid_grant' }];
    const refreshToken = await rotate(row, now);
    if (refreshToken === null) return [400, { error: 'invalid_grant' }];
    return [200, { access_token: signAccessToken(row, now), token_type: 'Bearer', expires_in: ACCESS_TTL, refresh_token: refreshToken, scope: row.scope }];
  };

  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      handle(req, Buffer.concat(chunks).toString('utf8'))
        .catch((error) => [500, { error: 'server_error', error_description: String(error) }])
        .then(([status, json]) => {
          const text = JSON.stringify(json);
          res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(text) });
          res.end(text);
        });
    });
  });
  server.keepAliveTimeout = 5000;
  server.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write(`floor listening (better-sqlite3, group commit ${groupCommit ? 'on' : 'off'})\n`));
  process.on('SIGTERM', () => server.close(() => {
    db.close();
    process.exit(0);
  }));
}

try {
  main();
} catch (error) {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
}
