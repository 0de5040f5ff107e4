// @ts-check
'use strict';
// A development login application for the token service's code flow. It has no user store: any
// username is accepted. It talks to the admin API exactly as a real login service would:
//   GET  /admin/login-requests/:challenge          what is being asked, by which client
//   POST /admin/login-requests/:challenge/accept   {"subject": ...} → {"redirect_to": ...}
//   POST /admin/login-requests/:challenge/reject   {"error": "access_denied"} → {"redirect_to": ...}
// A real one would authenticate the user (password, passkey, SSO) and protect its form against CSRF.
const express = require('express');

const USERNAME = /^[\w.@+-]{1,64}$/;

/**
 * @param {{ tokenServiceUrl: string, adminApiKey: string }} options
 * @returns {import('express').Express}
 */
function createLoginApp({ tokenServiceUrl, adminApiKey }) {
  const admin = adminClient(tokenServiceUrl.replace(/\/+$/, ''), adminApiKey);
  const app = express();
  app.disable('x-powered-by');
  app.use((_req, res, next) => {
    res.set({
      'Cache-Control': 'no-store',
      // Inline styles only; no framing (clickjacking a login form). No form-action: browsers apply
      // it to the redirect that follows the POST, and that goes to the client's redirect URI.
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
      'X-Frame-Options': 'DENY',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
    });
    next();
  });

  app.get('/login', async (req, res) => {
    const challenge = typeof req.query.login_challenge === 'string' ? req.query.login_challenge : '';
    const request = await admin.get(challenge);
    if (!request.ok) return res.status(request.status).type('html').send(errorPage(request.body.error_description));
    res.type('html').send(loginPage(challenge, request.body));
  });

  app.post('/login', express.urlencoded({ extended: false, limit: '4kb' }), async (req, res) => {
    const { login_challenge: challenge = '', username = '', action } = req.body ?? {};
    const result =
      action === 'deny'
        ? await admin.post(challenge, 'reject', { error: 'access_denied', error_description: 'The user cancelled the login' })
        : USERNAME.test(String(username).trim())
          ? await admin.post(challenge, 'accept', { subject: String(username).trim() })
          : null;
    if (result === null) {
      const request = await admin.get(challenge);
      if (!request.ok) return res.status(request.status).type('html').send(errorPage(request.body.error_description));
      return res.status(400).type('html').send(loginPage(challenge, request.body, 'Enter a username (letters, digits, . _ @ + -).'));
    }
    if (!result.ok) return res.status(result.status).type('html').send(errorPage(result.body.error_description));
    // 303: the browser follows with a GET to the client's redirect URI, carrying the code.
    res.redirect(303, result.body.redirect_to);
  });

  app.use((/** @type {unknown} */ error, /** @type {any} */ _req, /** @type {any} */ res, /** @type {any} */ _next) => {
    console.error('login-app:', error);
    res.status(502).type('html').send(errorPage('The token service could not be reached.'));
  });
  return app;
}

/** @param {string} base @param {string} key */
function adminClient(base, key) {
  const headers = { authorization: `Bearer ${key}` };
  /** @param {Response} response */
  const answer = async (response) => ({ ok: response.ok, status: response.status, body: await response.json() });
  const path = (/** @type {string} */ challenge) => `${base}/admin/login-requests/${encodeURIComponent(challenge || '-')}`;
  return {
    get: async (/** @type {string} */ challenge) => answer(await fetch(path(challenge), { headers })),
    post: async (/** @type {string} */ challenge, /** @type {string} */ action, /** @type {object} */ body) =>
      answer(
        await fetch(`${path(challenge)}/${action}`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }),
      ),
  };
}

/** @param {string} text */
function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** @param {string} title @param {string} body */
function page(title, body) {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
  body { font-family: system-ui, sans-serif; background: #f3f4f6; margin: 0; display: grid; place-items: center; min-height: 100vh; }
  main { background: #fff; padding: 2rem 2.5rem; border-radius: 12px; box-shadow: 0 2px 12px rgba(0,0,0,.08); width: 22rem; }
  h1 { font-size: 1.3rem; margin: 0 0 .5rem; }
  p { color: #4b5563; margin: .25rem 0 1rem; }
  code { background: #eef2ff; padding: .1rem .35rem; border-radius: 4px; }
  label { display: block; font-weight: 600; margin-bottom: .35rem; }
  input[type=text] { width: 100%; box-sizing: border-box; padding: .55rem .7rem; font-size: 1rem; border: 1px solid #d1d5db; border-radius: 6px; }
  .buttons { display: flex; flex-direction: row-reverse; gap: .6rem; margin-top: 1.2rem; }
  button { flex: 1; padding: .6rem; font-size: 1rem; border-radius: 6px; border: 1px solid #d1d5db; background: #fff; cursor: pointer; }
  button.primary { background: #2563eb; border-color: #2563eb; color: #fff; }
  .error { color: #b91c1c; }
  .note { font-size: .8rem; color: #9ca3af; margin-top: 1.2rem; }
</style></head>
<body><main>${body}</main></body></html>
`;
}

/** @param {string} challenge @param {{ client_name: string, client_id: string, requested_scope: string }} request @param {string} [problem] */
function loginPage(challenge, request, problem) {
  const client = escapeHtml(request.client_name || request.client_id);
  const scope = request.requested_scope
    ? `<p>It asks for: ${request.requested_scope.split(' ').map((s) => `<code>${escapeHtml(s)}</code>`).join(' ')}</p>`
    : '';
  return page(
    'Sign in',
    `<h1>Sign in to continue to ${client}</h1>
${scope}${problem ? `<p class="error" role="alert">${escapeHtml(problem)}</p>` : ''}
<!-- Sign in comes first in the form so that Enter signs in; row-reverse shows Cancel on the left. -->
<form method="post" action="/login">
  <input type="hidden" name="login_challenge" value="${escapeHtml(challenge)}">
  <label for="username">Username</label>
  <input type="text" id="username" name="username" autocomplete="username" autofocus required>
  <div class="buttons">
    <button type="submit" name="action" value="accept" class="primary">Sign in</button>
    <button type="submit" name="action" value="deny" formnovalidate>Cancel</button>
  </div>
</form>
<p class="note">Development login app: any username is accepted, no password.</p>`,
  );
}

/** @param {string} message */
function errorPage(message) {
  return page('Login failed', `<h1>This login link cannot be used</h1><p class="error">${escapeHtml(message || 'Unknown error')}</p>`);
}

module.exports = { createLoginApp };
