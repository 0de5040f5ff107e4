// @ts-check
'use strict';
// npm run login-app   (TOKEN_SERVICE_URL, ADMIN_API_KEY, LOGIN_APP_PORT, LOGIN_APP_HOST)
const { createLoginApp } = require('./login-app');

const adminApiKey = process.env.ADMIN_API_KEY;
if (!adminApiKey) {
  process.stderr.write('ADMIN_API_KEY must be set to the token service\'s ADMIN_API_KEY\n');
  process.exit(1);
}
const tokenServiceUrl = process.env.TOKEN_SERVICE_URL || 'http://localhost:3000';
const port = Number(process.env.LOGIN_APP_PORT || 3001);
const host = process.env.LOGIN_APP_HOST || '127.0.0.1';

createLoginApp({ tokenServiceUrl, adminApiKey }).listen(port, host, () => {
  process.stdout.write(`login app on http://${host === '127.0.0.1' ? 'localhost' : host}:${port}/login (token service ${tokenServiceUrl})\n`);
});
