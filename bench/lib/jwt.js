'use strict';
// ES256 access tokens in the service's format (RFC 9068, `typ: at+jwt`, `kid` = the key's
// thumbprint), with node:crypto only. Shared by the floor server and the introspection scenario.
const { createPrivateKey, createPublicKey, randomUUID, sign, verify } = require('node:crypto');
const sqlite = require('./sqlite');

const b64url = (value) => Buffer.from(value).toString('base64url');

/** The service's live ES256 signing key, as stored in `signing_keys`. */
async function loadSigningKey(db) {
  return keyFromRow(await sqlite.get(db, "SELECT kid, private_key FROM signing_keys WHERE alg = 'ES256' AND retired_at IS NULL ORDER BY created_at, kid"));
}

/** A `signing_keys` row (kid, private_key PEM) as the key object signJwt and verifiedPayload take. */
function keyFromRow(row) {
  const privateKey = createPrivateKey(row.private_key);
  return { kid: row.kid, privateKey, publicKey: createPublicKey(privateKey), header: b64url(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid: row.kid })) };
}

/** The claims TokenIssuer puts in an access token; `familyId` only for tokens of a refresh family. */
function accessTokenClaims({ issuer, subject, clientId, scope, familyId, now = Date.now(), ttl = 900 }) {
  const iat = Math.floor(now / 1000);
  return { iss: issuer, sub: subject, aud: issuer, exp: iat + ttl, iat, jti: randomUUID(), client_id: clientId, scope, ...(familyId ? { family_id: familyId } : {}) };
}

function signJwt(key, claims) {
  const input = `${key.header}.${b64url(JSON.stringify(claims))}`;
  return `${input}.${sign('sha256', Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

/** The payload when the header names `key` with alg ES256 and the signature verifies; else null. */
function verifiedPayload(key, token) {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    if (header.alg !== 'ES256' || header.kid !== key.kid || header.typ !== 'at+jwt') return null;
    const signature = Buffer.from(parts[2], 'base64url');
    if (!verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), { key: key.publicKey, dsaEncoding: 'ieee-p1363' }, signature)) return null;
    return JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    return null;
  }
}

module.exports = { loadSigningKey, keyFromRow, accessTokenClaims, signJwt, verifiedPayload };
