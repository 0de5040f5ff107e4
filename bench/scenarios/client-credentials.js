'use strict';
// client_credentials grant (RFC 6749 §4.4): every request a new token for the client itself. No
// state to carry between requests, so every connection sends the same request.
const checks = require('../lib/checks');

module.exports = {
  name: 'client_credentials',
  /** The floor implements it: parse the form, check Basic credentials, sign an ES256 JWT. */
  floor: true,
  /** A secondary scenario: shorter than the refresh grant so `npm run bench` stays under 3 minutes. */
  defaults: { rounds: 1, warmup: 2, duration: 3 },
  async prepare({ connections }) {
    return { warmup: Array(connections).fill(null), measured: Array(connections).fill(null) };
  },
  connection(_state, client) {
    const authorization = `Basic ${Buffer.from(`${encodeURIComponent(client.client_id)}:${encodeURIComponent(client.client_secret)}`).toString('base64')}`;
    return [
      {
        method: 'POST',
        path: '/oauth/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization },
        body: 'grant_type=client_credentials',
        onResponse: (status, body) => {
          if (status === 200) checks.tokenResponse(body);
        },
      },
    ];
  },
};
