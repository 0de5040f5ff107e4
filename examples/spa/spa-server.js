// @ts-check
'use strict';
// A tiny static server for the example SPA: no bundler, no framework. It serves the page, its
// script, the ESM build of oauth4webapi straight from node_modules, and /config.json (which token
// service and client_id to use). Every path that is not a file (e.g. /callback) serves the page,
// which is also the redirect URI of the code flow.
const { readFileSync } = require('node:fs');
const { createServer } = require('node:http');
const { join } = require('node:path');

const PUBLIC = join(__dirname, 'public');
const OAUTH4WEBAPI = join(__dirname, '..', '..', 'node_modules', 'oauth4webapi', 'build', 'index.js');

/**
 * @param {{ tokenServiceUrl: string, clientId: string, scope?: string }} options
 * @returns {import('node:http').Server}
 */
function createSpaServer({ tokenServiceUrl, clientId, scope = 'read write' }) {
  const issuer = tokenServiceUrl.replace(/\/+$/, '');
  const files = {
    '/app.js': { type: 'text/javascript', body: readFileSync(join(PUBLIC, 'app.js')) },
    '/style.css': { type: 'text/css', body: readFileSync(join(PUBLIC, 'style.css')) },
    '/vendor/oauth4webapi.js': { type: 'text/javascript', body: readFileSync(OAUTH4WEBAPI) },
    '/config.json': { type: 'application/json', body: Buffer.from(JSON.stringify({ issuer, client_id: clientId, scope })) },
  };
  const page = { type: 'text/html; charset=utf-8', body: readFileSync(join(PUBLIC, 'index.html')) };
  const headers = {
    // The page may talk to itself and to the token service only; it runs no inline script.
    'Content-Security-Policy': `default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self' ${new URL(issuer).origin}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    // The callback URL carries the code: never leak it in a Referer.
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store',
  };
  return createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const path = new URL(req.url ?? '/', 'http://spa.invalid').pathname;
    const file = Object.prototype.hasOwnProperty.call(files, path) ? files[/** @type {keyof typeof files} */ (path)] : page;
    res.writeHead(200, { ...headers, 'Content-Type': file.type });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  });
}

module.exports = { createSpaServer };
