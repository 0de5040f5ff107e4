'use strict';
// The refresh_token scenario with a DPoP proof (RFC 9449) on every request: each connection holds
// its own ES256 key and signs a fresh proof per request (a new jti, so every proof also costs a
// replay-cache insert). Reported as a ratio to plain refresh_token of the same run.
const { generateKeyPairSync, randomUUID, sign } = require('node:crypto');
const refresh = require('./refresh-token');

const ISSUER = 'http://bench.localhost';

module.exports = {
  name: 'refresh_token_dpop',
  /** The floor server knows no DPoP: compared with refresh_token instead. */
  floor: false,
  prepare: refresh.prepare,
  connection(startToken, client) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const { kty, crv, x, y } = publicKey.export({ format: 'jwk' });
    const header = Buffer.from(JSON.stringify({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty, crv, x, y } })).toString('base64url');
    const proof = () => {
      const claims = Buffer.from(JSON.stringify({ jti: randomUUID(), htm: 'POST', htu: `${ISSUER}/oauth/token`, iat: Math.floor(Date.now() / 1000) })).toString('base64url');
      const input = `${header}.${claims}`;
      return `${input}.${sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
    };
    const [request] = refresh.connection(startToken, client);
    return [{ ...request, setupRequest: (req) => ({ ...request.setupRequest(req), headers: { ...request.headers, dpop: proof() } }) }];
  },
};
