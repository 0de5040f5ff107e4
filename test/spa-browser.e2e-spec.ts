import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrowserContext, chromium, Page, Response } from 'playwright-core';
import { ADMIN_API_KEY } from './support/code-flow';
import { freePort } from './support/free-port';
import { decodeJwtPayload, introspect } from './support/oauth-requests';
import { TestApp, TestClient } from './support/test-app';
const { createLoginApp } = require('../examples/login-app/login-app');
const { createSpaServer } = require('../examples/spa/spa-server');

const CHROMIUM = '/usr/bin/chromium';

function listen(server: Server, port = 0): Promise<number> {
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

/**
 * examples/spa end to end in headless Chromium: a public client on its own origin (another port)
 * using oauth4webapi against the real service, with CORS, the example login app and sessionStorage.
 */
describe('the example SPA (oauth4webapi in headless Chromium, cross-origin)', () => {
  let t: TestApp;
  let loginApp: Server;
  let spaServer: Server;
  let browser: BrowserContext;
  let userDataDir: string;
  let issuer: string;
  let spaOrigin: string;
  let client: TestClient;
  let page: Page;
  const tokenResponses: Response[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it)`);
    const [servicePort, loginPort, spaPort] = [await freePort(), await freePort(), await freePort()];
    issuer = `http://127.0.0.1:${servicePort}`;
    spaOrigin = `http://127.0.0.1:${spaPort}`;
    // Strict rotation (REFRESH_TOKEN_REUSE_INTERVAL=0): with the retry window, a refused cross-origin
    // request that had rotated the token would be absorbed as a retry and the "cannot rotate" test could not fail.
    // Nonces required, so the page's use_dpop_nonce retry runs; proofs are signed with the browser's
    // real time, so the service's clock is set to it (the skew allows for the test's seconds).
    t = await TestApp.create({
      env: { ISSUER: issuer, LOGIN_URL: `http://127.0.0.1:${loginPort}/login`, ADMIN_API_KEY, REFRESH_TOKEN_REUSE_INTERVAL: '0', DPOP_NONCE_REQUIRED: 'true', DPOP_CLOCK_SKEW: '60' },
    });
    t.clock.advance((Date.now() - t.clock.now()) / 1000);
    await t.app.listen(servicePort, '127.0.0.1');
    client = await t.createClient({
      name: 'Example SPA',
      tokenEndpointAuthMethod: 'none',
      grantTypes: ['authorization_code', 'refresh_token'],
      redirectUris: [`${spaOrigin}/callback`],
      allowedCorsOrigins: [spaOrigin],
    });
    loginApp = createServer(createLoginApp({ tokenServiceUrl: issuer, adminApiKey: ADMIN_API_KEY }));
    await listen(loginApp, loginPort);
    spaServer = createSpaServer({ tokenServiceUrl: issuer, clientId: client.clientId, scope: 'read write' });
    await listen(spaServer, spaPort);
    userDataDir = mkdtempSync(join(tmpdir(), 'chromium-spa-'));
    browser = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage();
    page.on('response', (response) => {
      if (response.url().startsWith(`${issuer}/oauth/`) && response.request().method() === 'POST') tokenResponses.push(response);
    });
  });
  afterAll(async () => {
    await browser?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    await new Promise((resolve) => loginApp?.close(resolve));
    await new Promise((resolve) => spaServer?.close(resolve));
    await t?.close();
  });

  // These functions run in the page (serialized by Playwright); the project's tsconfig has no DOM types.
  type PageGlobals = { document: { getElementById(id: string): { textContent: string | null } | null }; sessionStorage: { getItem(key: string): string | null } };
  const status = async (expected: string) => {
    await page.waitForFunction((text) => (globalThis as unknown as PageGlobals).document.getElementById('status')?.textContent === text, expected, { timeout: 10_000 }).catch(async () => {
      throw new Error(`status is "${await page.textContent('#status')}", expected "${expected}"; error: ${await page.textContent('#error')}`);
    });
  };
  /** What IndexedDB holds for the page: the DPoP key pair as stored, its RFC 7638 thumbprint. */
  const storedKey = () =>
    page.evaluate(async () => {
      const g = globalThis as any;
      const db: any = await new Promise((resolve, reject) => {
        const open = g.indexedDB.open('example-spa', 1);
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      const keyPair: any = await new Promise((resolve, reject) => {
        const get = db.transaction('keys').objectStore('keys').get('dpop');
        get.onsuccess = () => resolve(get.result);
        get.onerror = () => reject(get.error);
      });
      db.close();
      let exported: string;
      try {
        await g.crypto.subtle.exportKey('jwk', keyPair.privateKey);
        exported = 'exported';
      } catch (error: any) {
        exported = error.name;
      }
      return { privateExtractable: keyPair.privateKey.extractable as boolean, exported, publicJwk: await g.crypto.subtle.exportKey('jwk', keyPair.publicKey) };
    });
  const thumbprint = ({ crv, kty, x, y }: Record<string, string>) => createHash('sha256').update(JSON.stringify({ crv, kty, x, y })).digest('base64url');
  const introspector = () => t.createClient({ allowIntrospection: true });
  const stored = () => page.evaluate(() => JSON.parse((globalThis as unknown as PageGlobals).sessionStorage.getItem('example-spa.tokens') ?? 'null'));

  it('signs in (code + PKCE), refreshes, keeps the session over a reload, refreshes again, revokes', async () => {
    await page.goto(`${spaOrigin}/`);
    await status('Signed out');

    // The code flow: the SPA navigates to /oauth/authorize, the login app signs alice in, the
    // browser comes back to the SPA's /callback, and the SPA redeems the code cross-origin.
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/login\?login_challenge=/);
    expect(await page.getByRole('heading').textContent()).toBe('Sign in to continue to Example SPA');
    await page.getByLabel('Username').fill('alice');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${spaOrigin}/`);
    await status('Signed in');
    expect(await page.textContent('#subject')).toBe('alice');
    expect(await page.textContent('#scope')).toBe('read write');
    const first = await stored();
    // DPoP with a non-extractable WebCrypto key kept in IndexedDB: the page says so, and the key
    // itself refuses to be exported.
    const key = await storedKey();
    expect(key.privateExtractable).toBe(false);
    expect(key.exported).toBe('InvalidAccessError');
    expect(await page.textContent('#dpop-key')).toBe('ECDSA P-256, private key extractable: false');
    const jkt = thumbprint(key.publicJwk);
    expect(first.token_type.toLowerCase()).toBe('dpop');
    expect((await page.textContent('#token-type'))?.toLowerCase()).toBe('dpop');
    expect(decodeJwtPayload(first.access_token).cnf).toEqual({ jkt });
    const checker = await introspector();
    // RFC 9449 §5: the public client's refresh token is bound to the same key.
    expect((await introspect(t, checker, { token: first.refresh_token }).expect(200)).body).toMatchObject({ active: true, cnf: { jkt } });
    // Without the key the refresh token is useless (no proof: refused, nothing changes).
    expect((await t.refresh(client, first.refresh_token).expect(400)).body.error).toBe('invalid_grant');

    await page.getByRole('button', { name: 'Refresh tokens' }).click();
    await status('Tokens refreshed');
    const second = await stored();
    expect(second.refreshes).toBe(1);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.token_type.toLowerCase()).toBe('dpop');

    // A reload keeps the tokens (sessionStorage) and the next refresh rotates the stored successor.
    await page.reload();
    await status('Signed in');
    // The same key after the reload (IndexedDB), still not extractable.
    expect(await storedKey()).toEqual(key);
    await page.getByRole('button', { name: 'Refresh tokens' }).click();
    await status('Tokens refreshed');
    const third = await stored();
    expect(third.refreshes).toBe(2);
    expect(third.refresh_token).not.toBe(second.refresh_token);
    // The refresh after the reload was proved with the same key: the family stays bound to it.
    expect(third.token_type.toLowerCase()).toBe('dpop');
    expect(decodeJwtPayload(third.access_token).cnf).toEqual({ jkt });
    expect((await introspect(t, checker, { token: third.refresh_token }).expect(200)).body).toMatchObject({ active: true, cnf: { jkt } });

    await page.getByRole('button', { name: 'Sign out' }).click();
    await status('Signed out');
    expect(await stored()).toBeNull();
    // Revocation ended the family: the last refresh token is dead at the service too.
    expect((await t.refresh(client, third.refresh_token).expect(400)).body.error).toBe('invalid_grant');

    // Every call the page made was cross-origin and answered for the SPA's origin only.
    // The first token request had no nonce: one 400 use_dpop_nonce (its DPoP-Nonce readable by the
    // page: exposed by CORS), then the retry. The reload made a new DPoP handle (its nonce cache is
    // in memory), so the first refresh after it is retried once too. Every token request carried a
    // proof of the stored key; the revocation none.
    expect(tokenResponses.map((response) => `${new URL(response.url()).pathname} ${response.status()}`)).toEqual([
      '/oauth/token 400',
      '/oauth/token 200',
      '/oauth/token 200',
      '/oauth/token 400',
      '/oauth/token 200',
      '/oauth/revoke 200',
    ]);
    const proofClaims = async (response: Response) => JSON.parse(Buffer.from((await response.request().headerValue('dpop'))!.split('.')[1], 'base64url').toString());
    for (const refused of [0, 3]) {
      // (The bodies are gone with the navigations; the retry shows the nonce was read and used.)
      const nonce = tokenResponses[refused].headers()['dpop-nonce'];
      expect(nonce).toBeTruthy();
      expect((await proofClaims(tokenResponses[refused])).nonce).toBeUndefined();
      expect((await proofClaims(tokenResponses[refused + 1])).nonce).toBe(nonce);
    }
    for (const response of tokenResponses) {
      expect(await response.request().headerValue('origin')).toBe(spaOrigin);
      expect(response.headers()['access-control-allow-origin']).toBe(spaOrigin);
      const proof = await response.request().headerValue('dpop');
      if (new URL(response.url()).pathname === '/oauth/revoke') expect(proof).toBeNull();
      else expect(thumbprint(JSON.parse(Buffer.from(proof!.split('.')[0], 'base64url').toString()).jwk)).toBe(jkt);
    }
  });

  it('a page on an unregistered origin cannot rotate a token with a no-preflight form POST', async () => {
    // The failure of issue 11: a simple cross-origin POST needs no preflight, so it reaches the
    // service; it must be refused before the rotation, or the owner's next refresh would be reuse.
    const other = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>other</title>'));
    const otherOrigin = `http://127.0.0.1:${await listen(other)}`;
    try {
      const tokens = await t.issueTokens(client, 'bob', 'read');
      await page.goto(`${otherOrigin}/`);
      const sent = await page.evaluate(
        async ([url, body]) => (await fetch(url, { method: 'POST', mode: 'no-cors', body: new URLSearchParams(body) })).type,
        [`${issuer}/oauth/token`, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token!, client_id: client.clientId }] as const,
      );
      expect(sent).toBe('opaque'); // the request went out; the page cannot read the answer
      const refreshed = await t.refresh(client, tokens.refresh_token!).expect(200);
      await t.refresh(client, refreshed.body.refresh_token).expect(200); // no reuse: the family is alive
    } finally {
      other.closeAllConnections(); // Chromium keeps the page's connection alive
      await new Promise((resolve) => other.close(resolve));
    }
  });

  it('a callback the page did not start leaves the code unused (the docs walk-through)', async () => {
    await page.goto(`${spaOrigin}/callback?code=abc&state=xyz`);
    await status('This login was not started by this page; the code is left for you: abc');
    expect(new URL(page.url()).pathname).toBe('/');
  });
});
