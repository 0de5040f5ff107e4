'use strict';
// Refresh grant: every connection follows its own chain, sending the refresh token of the
// previous response (one fresh token per request, as a real client does).
const { seedChains } = require('../lib/seed');
const checks = require('../lib/checks');

module.exports = {
  name: 'refresh_token',
  /** Both servers implement it (the floor does exactly this grant). */
  floor: true,
  /** Parent side, before the server starts: one starting token per connection and phase. */
  async prepare({ db, client, connections }) {
    return { warmup: await seedChains(db, client.client_id, connections), measured: await seedChains(db, client.client_id, connections) };
  },
  /** Child side: the request stream of one connection, given its starting token. */
  connection(startToken, client) {
    let token = startToken;
    const authorization = `Basic ${Buffer.from(`${encodeURIComponent(client.client_id)}:${encodeURIComponent(client.client_secret)}`).toString('base64')}`;
    return [
      {
        method: 'POST',
        path: '/oauth/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization },
        setupRequest: (req) => ({ ...req, body: `grant_type=refresh_token&refresh_token=${token}` }),
        onResponse: (status, body) => {
          if (status === 200) token = checks.tokenResponse(body, { refresh: true, previous: token }).refresh_token;
        },
      },
    ];
  },
};
