'use strict';
// Introspection (RFC 7662) of a live access token by a confidential client allowed to introspect.
// Each connection introspects its own user access token (one per seeded refresh-token family, so
// it carries `family_id` and the family's revocation state is checked as well as its jti), signed
// with the service's own key, as TokenIssuer would have minted it.
const { seedChains } = require('../lib/seed');
const sqlite = require('../lib/sqlite');
const { accessTokenClaims, loadSigningKey, signJwt } = require('../lib/jwt');
const checks = require('../lib/checks');

async function tokens(db, client, issuer, count) {
  await seedChains(db, client.client_id, count);
  const key = await loadSigningKey(db);
  const families = await sqlite.all(db, 'SELECT id, subject, scope FROM token_families WHERE client_id = ? ORDER BY created_at DESC, id LIMIT ?', [client.client_id, count]);
  return families.map((f) => signJwt(key, accessTokenClaims({ issuer, subject: f.subject, clientId: client.client_id, scope: f.scope, familyId: f.id, ttl: 3600 })));
}

module.exports = {
  name: 'introspection',
  /** The floor implements it: form, Basic credentials, ES256 verify, exp, one indexed revocation lookup. */
  floor: true,
  /** A secondary scenario: shorter than the refresh grant so `npm run bench` stays under 3 minutes. */
  defaults: { rounds: 1, warmup: 2, duration: 3 },
  async prepare({ db, client, connections, issuer }) {
    const all = await tokens(db, client, issuer, 2 * connections);
    return { warmup: all.slice(0, connections), measured: all.slice(connections) };
  },
  connection(token, client) {
    const authorization = `Basic ${Buffer.from(`${encodeURIComponent(client.client_id)}:${encodeURIComponent(client.client_secret)}`).toString('base64')}`;
    return [
      {
        method: 'POST',
        path: '/oauth/introspect',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization },
        body: `token=${token}&token_type_hint=access_token`,
        onResponse: (status, body) => {
          if (status === 200) checks.activeIntrospection(body);
        },
      },
    ];
  },
};
