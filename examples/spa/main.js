// @ts-check
'use strict';
// npm run spa   (SPA_CLIENT_ID, TOKEN_SERVICE_URL, SPA_PORT, SPA_HOST, SPA_SCOPE)
const { createSpaServer } = require('./spa-server');

const clientId = process.env.SPA_CLIENT_ID;
if (!clientId) {
  process.stderr.write('SPA_CLIENT_ID must be set to the client_id of a public client (see examples/spa/README.md)\n');
  process.exit(1);
}
const tokenServiceUrl = process.env.TOKEN_SERVICE_URL || 'http://localhost:3000';
const port = Number(process.env.SPA_PORT || 8080);
const host = process.env.SPA_HOST || '127.0.0.1';

createSpaServer({ tokenServiceUrl, clientId, scope: process.env.SPA_SCOPE || 'read write' }).listen(port, host, () => {
  process.stdout.write(`example SPA on http://localhost:${port}/ (token service ${tokenServiceUrl}, client ${clientId})\n`);
});
