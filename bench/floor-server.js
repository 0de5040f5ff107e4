'use strict';
// The floor: the minimum real work of each benchmarked request on bare node:http + sqlite3, with
// the same storage layout, pragmas and token formats as the service. No framework, no ORM, no
// logging. Refresh grant: one rotation. client_credentials: form, Basic credentials, sign an ES256
// JWT. Introspection: form, Basic credentials, verify the ES256 JWT, exp, one indexed lookup of the
// jti's and the family's revocation state. Environment: DATABASE_FILE, CLIENT_ID, PORT, ISSUER,
// SQLITE_SYNCHRONOUS (FULL|NORMAL).
const http = require('node:http');
const { createHash, randomBytes, randomUUID, timingSafeEqual } = require('node:crypto');
const sqlite = require('./lib/sqlite');
const { accessTokenClaims, loadSigningKey, signJwt, verifiedPayload } = require('./lib/jwt');

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;
const ACCESS_TTL = 900;
const IDLE_TTL_MS = 14 * 86_400_000;

const sha256 = (value) => createHash('sha256').update(value, 'utf8').digest();

async function main() {
  const db = await sqlite.open(process.env.DATABASE_FILE);
  await sqlite.exec(db, `PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA synchronous = ${process.env.SQLITE_SYNCHRONOUS || 'FULL'}`);
  const client = await sqlite.get(db, 'SELECT client_id, secret_hash FROM oauth_clients WHERE client_id = ?', [process.env.CLIENT_ID]);
  const key = await loadSigningKey(db);
  const issuer = process.env.ISSUER || `http://127.0.0.1:${process.env.PORT}`;
  const secretHash = Buffer.from(client.secret_hash, 'hex');

  let queue = Promise.resolve();
  const serialized = (work) => {
    const result = queue.then(work, work);
    queue = result.catch(() => undefined);
    return result;
  };

  const rotate = (row, now) =>
    serialized(async () => {
      await sqlite.exec(db, 'BEGIN');
      try {
        const { changes } = await sqlite.run(db, 'UPDATE refresh_tokens SET consumed_at = ? WHERE id = ? AND consumed_at IS NULL', [now, row.id]);
        if (changes !== 1) {
          await sqlite.exec(db, 'ROLLBACK');
          return null;
        }
        const token = randomBytes(32).toString('base64url');
        await sqlite.run(
          db,
          'INSERT INTO refresh_tokens (id, token_hash, family_id, parent_id, generation, issued_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
          [randomUUID(), sha256(token).toString('hex'), row.family_id, row.id, row.generation + 1, now, now + IDLE_TTL_MS],
        );
        await sqlite.exec(db, 'COMMIT');
        return token;
      } catch (error) {
        await sqlite.exec(db, 'ROLLBACK').catch(() => undefined);
        throw error;
      }
    });

  const signAccessToken = (row, now) =>
    signJwt(key, accessTokenClaims({ issuer, subject: row.subject, clientId: row.client_id, scope: row.scope, familyId: row.family_id, now, ttl: ACCESS_TTL }));

  // One indexed lookup (jti primary key, family primary key), prepared once.
  const revocationState = await new Promise((resolve, reject) => {
    const statement = db.prepare(
      `SELECT EXISTS (SELECT 1 FROM revoked_access_tokens WHERE jti = ?1) AS revoked,
              (SELECT revoked_at IS NULL FROM token_families WHERE id = ?2) AS family_live`,
      (error) => (error ? reject(error) : resolve(statement)),
    );
  });
  const isLive = (claims) =>
    new Promise((resolve, reject) =>
      revocationState.get([claims.jti, claims.family_id ?? null], (error, row) => {
        if (error) return reject(error);
        resolve(row.revoked === 0 && (claims.family_id === undefined || row.family_live === 1));
      }),
    );

  const introspect = async (req, body) => {
    const params = new URLSearchParams(body);
    if (!authenticated(req.headers.authorization)) return [401, { error: 'invalid_client' }];
    const claims = verifiedPayload(key, params.get('token') || '');
    if (!claims || claims.iss !== issuer || typeof claims.exp !== 'number' || Date.now() / 1000 >= claims.exp) return [200, { active: false }];
    if (!(await isLive(claims))) return [200, { active: false }];
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
    const row = await serialized(() =>
      sqlite.get(
        db,
        `SELECT t.id, t.family_id, t.generation, t.expires_at, t.consumed_at, f.client_id, f.subject, f.scope, f.revoked_at, f.expires_at AS family_expires_at
         FROM refresh_tokens t JOIN token_families f ON f.id = t.family_id WHERE t.token_hash = ?`,
        [sha256(presented).toString('hex')],
      ),
    );
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
  server.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('floor listening\n'));
  process.on('SIGTERM', () => server.close(() => revocationState.finalize(() => db.close(() => process.exit(0)))));
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
