import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrowserContext, chromium, Page } from 'playwright-core';
import { ADMIN_API_KEY, CodeFlow, pkcePair } from './support/code-flow';
import { freePort } from './support/free-port';
import { TestApp, TestClient } from './support/test-app';
const { createLoginApp } = require('../examples/login-app/login-app');

// The same path scripts/ensure-browser.sh (npm test's pretest step) installs or fails on.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const claims = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());

function listen(server: Server, port = 0): Promise<number> {
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

describe('the code flow in a real browser with the example login app (headless Chromium)', () => {
  let t: TestApp;
  let flow: CodeFlow;
  let loginApp: Server;
  let callbackServer: Server;
  let browser: BrowserContext;
  let userDataDir: string;
  let redirectUri: string;
  let client: TestClient;
  let page: Page;
  let issuer: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (npm test's pretest step does it)`);
    const [servicePort, loginPort] = [await freePort(), await freePort()];
    issuer = `http://127.0.0.1:${servicePort}`;
    t = await TestApp.create({ env: { ISSUER: issuer, LOGIN_URL: `http://127.0.0.1:${loginPort}/login`, ADMIN_API_KEY } });
    await t.app.listen(servicePort, '127.0.0.1');
    flow = new CodeFlow(t);
    loginApp = createServer(createLoginApp({ tokenServiceUrl: issuer, adminApiKey: ADMIN_API_KEY }));
    await listen(loginApp, loginPort);
    // The client's redirect URI: a page that only says the browser arrived.
    callbackServer = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('callback reached'));
    redirectUri = `http://127.0.0.1:${await listen(callbackServer)}/callback`;
    userDataDir = mkdtempSync(join(tmpdir(), 'chromium-e2e-'));
    browser = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    // A beforeAll that failed early (no browser) leaves these unset: close only what was started,
    // or the promise never settles and the suite hangs until Jest's timeout.
    if (loginApp) await new Promise((resolve) => loginApp.close(resolve));
    if (callbackServer) await new Promise((resolve) => callbackServer.close(resolve));
    await t?.close();
  });
  beforeEach(async () => {
    client = await flow.createClient({ name: 'Photo Gallery', tokenEndpointAuthMethod: 'none', redirectUris: [redirectUri] });
    page = await browser.newPage();
  });
  afterEach(() => page?.close());

  function authorizationUrl(challenge: string): string {
    const query = new URLSearchParams({ ...flow.authorizeQuery(client, challenge), redirect_uri: redirectUri, scope: 'read write' });
    return `${issuer}/oauth/authorize?${query}`;
  }

  it('open the authorization URL, sign in, land on the callback with a code, exchange it, refresh', async () => {
    const { verifier, challenge } = pkcePair();
    await page.goto(authorizationUrl(challenge));
    await page.waitForURL(/\/login\?login_challenge=/);
    await expect(page.getByRole('heading').textContent()).resolves.toBe('Sign in to continue to Photo Gallery');
    if (process.env.LOGIN_SCREENSHOT) await page.screenshot({ path: process.env.LOGIN_SCREENSHOT, fullPage: true });

    await page.getByLabel('Username').fill('alice');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.href.startsWith(redirectUri));
    const callback = new URL(page.url());
    expect(callback.searchParams.get('state')).toBe('xyz-state');
    expect(await page.textContent('body')).toBe('callback reached');

    const tokens = await flow.exchange(client, callback.searchParams.get('code')!, verifier, { redirect_uri: redirectUri }).expect(200);
    expect(claims(tokens.body.access_token)).toMatchObject({ sub: 'alice', client_id: client.clientId, scope: 'read write' });
    const rotated = await t.refresh(client, tokens.body.refresh_token).expect(200);
    expect(rotated.body.refresh_token).not.toBe(tokens.body.refresh_token);
  });

  it('Cancel sends the browser back with error=access_denied', async () => {
    await page.goto(authorizationUrl(pkcePair().challenge));
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.waitForURL((url) => url.href.startsWith(redirectUri));
    const callback = new URL(page.url());
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('code')).toBeNull();
  });

  it('Enter signs in; a used login link then shows an error page instead of the form', async () => {
    await page.goto(authorizationUrl(pkcePair().challenge));
    const loginUrl = page.url();
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Username').press('Enter');
    await page.waitForURL((url) => url.href.startsWith(redirectUri));
    expect(new URL(page.url()).searchParams.get('code')).toBeTruthy();
    const again = await page.goto(loginUrl);
    expect(again?.status()).toBe(410);
    expect(await page.getByRole('heading').textContent()).toBe('This login link cannot be used');
  });
});
