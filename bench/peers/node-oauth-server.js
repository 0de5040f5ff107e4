'use strict';
// Peer: @node-oauth/oauth2-server 5 on bare node:http, its model on SQLite through better-sqlite3
// (WAL, `synchronous` as the service's, FULL by default; statements prepared once; only SHA-256 of
// the tokens stored). refresh_token with rotation (the library revokes the presented token, then
// saves the new pair: two model calls, so two commits per rotation, no group commit: that is the
// shape its model API gives) and client_credentials; access tokens are ES256 JWTs from the model's
// generateAccessToken, not stored (self-contained, as the service's). It has no introspection
// endpoint. `POST /bench/seed {scenario, count}` (bench only) stores starting refresh tokens.
// Environment: DATABASE_FILE (a fresh file is made beside it), PORT, ISSUER, CLIENT_ID,
// CLIENT_SECRET, SQLITE_SYNCHRONOUS.
const http = require('node:http');
const { createHash, generateKeyPairSync, randomBytes, timingSafeEqual } = require('node:crypto');
const Database = require('better-sqlite3');
const OAuth2Server = require('@node-oauth/oauth2-server');
const { accessTokenClaims, signJwt } = require('../lib/jwt');

const { ISSUER, CLIENT_ID, CLIENT_SECRET } = process.env;
const DAY = 86_400_000;
const sha256 = (value) => createHash('sha256').update(value, 'utf8').digest();

const db = new Database(`${process.env.DATABASE_FILE}.node-oauth`);
db.pragma('journal_mode = WAL');
db.pragma('busy_timeout = 5000');
db.pragma(`synchronous = ${process.env.SQLITE_SYNCHRONOUS || 'FULL'}`);
db.exec(`CREATE TABLE IF NOT EXISTS clients (id TEXT PRIMARY KEY, secret_hash BLOB NOT NULL, grants TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS refresh_tokens (token_hash BLOB PRIMARY KEY, client_id TEXT NOT NULL, user_id TEXT NOT NULL, scope TEXT, expires_at INTEGER NOT NULL)`);
db.prepare('INSERT OR REPLACE INTO clients VALUES (?, ?, ?)').run(CLIENT_ID, sha256(CLIENT_SECRET), 'refresh_token client_credentials');

const findClient = db.prepare('SELECT id, secret_hash, grants FROM clients WHERE id = ?');
const findRefresh = db.prepare('SELECT client_id, user_id, scope, expires_at FROM refresh_tokens WHERE token_hash = ?');
const deleteRefresh = db.prepare('DELETE FROM refresh_tokens WHERE token_hash = ?');
const insertRefresh = db.prepare('INSERT INTO refresh_tokens VALUES (?, ?, ?, ?, ?)');

const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const b64url = (value) => Buffer.from(value).toString('base64url');
const key = { kid: 'bench', privateKey, header: b64url(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid: 'bench' })) };
const scopeText = (scope) => (Array.isArray(scope) ? scope.join(' ') : (scope ?? ''));

const model = {
  getClient(clientId, clientSecret) {
    const row = findClient.get(clientId);
    // Always a secret check (the library passes null only where a grant needs no client authentication).
    if (!row || !timingSafeEqual(sha256(clientSecret ?? ''), row.secret_hash)) return null;
    return { id: row.id, grants: row.grants.split(' ') };
  },
  getUserFromClient: (client) => ({ id: client.id }),
  validateScope: (_user, _client, scope) => scope ?? [],
  generateAccessToken: (client, user, scope) =>
    signJwt(key, accessTokenClaims({ issuer: ISSUER, subject: user.id, clientId: client.id, scope: scopeText(scope), ttl: 900 })),
  getRefreshToken(refreshToken) {
    const row = findRefresh.get(sha256(refreshToken));
    if (!row) return null;
    return { refreshToken, refreshTokenExpiresAt: new Date(row.expires_at), scope: row.scope ? row.scope.split(' ') : [], client: { id: row.client_id }, user: { id: row.user_id } };
  },
  // Deleting by hash is the atomic consume: a second concurrent use of the same token deletes nothing.
  revokeToken: (token) => deleteRefresh.run(sha256(token.refreshToken)).changes === 1,
  saveToken(token, client, user) {
    if (token.refreshToken) insertRefresh.run(sha256(token.refreshToken), client.id, user.id, scopeText(token.scope), token.refreshTokenExpiresAt.getTime());
    return { ...token, client, user };
  },
};

const oauth = new OAuth2Server({ model, accessTokenLifetime: 900, refreshTokenLifetime: 14 * 86_400, alwaysIssueNewRefreshToken: true });

function seed(count) {
  const tokens = [];
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const token = randomBytes(32).toString('base64url');
      insertRefresh.run(sha256(token), CLIENT_ID, `bench-user-${i}`, '', Date.now() + 14 * DAY);
      tokens.push(token);
    }
  })();
  return tokens;
}

function send(res, status, headers, json) {
  const text = JSON.stringify(json);
  res.writeHead(status, { ...headers, 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', async () => {
    const body = Buffer.concat(chunks).toString('utf8');
    if (req.method === 'POST' && req.url === '/bench/seed') return send(res, 200, {}, { tokens: seed(JSON.parse(body).count) });
    if (req.method !== 'POST' || req.url !== '/oauth/token') return send(res, 404, {}, { error: 'not_found' });
    const request = new OAuth2Server.Request({ method: req.method, headers: req.headers, query: {}, body: Object.fromEntries(new URLSearchParams(body)) });
    const response = new OAuth2Server.Response({ headers: {} });
    try {
      await oauth.token(request, response);
    } catch (error) {
      if (!error.code) return send(res, 500, {}, { error: 'server_error' });
      return send(res, error.code, response.headers, { error: error.name, error_description: error.message });
    }
    send(res, response.status, response.headers, response.body);
  });
});
server.keepAliveTimeout = 5000;
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('@node-oauth/oauth2-server listening (better-sqlite3)\n'));
process.on('SIGTERM', () => server.close(() => {
  db.close();
  process.exit(0);
}));
