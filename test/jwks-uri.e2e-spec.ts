import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JWKS_FETCH_DEFAULTS, JwksFetcher, SecurityEvents } from 'nest-oauth-server';
import { FakeClock } from './support/fake-clock';
import { assertionClaims, clientAssertion, clientKey, JWT_BEARER } from './support/client-assertions';
import { TestApp, TestClient } from './support/test-app';

const ISSUER = 'http://localhost:3000';

/** A loopback http server standing in for a client's jwks_uri; each path is one behaviour. */
class JwksServer {
  hits: Record<string, number> = {};
  keys: Record<string, unknown>[] = [];
  private server!: Server;
  base = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const path = req.url ?? '/';
      this.hits[path] = (this.hits[path] ?? 0) + 1;
      this.answer(path, res);
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private answer(path: string, res: ServerResponse): void {
    if (path === '/jwks') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: this.keys }));
    if (path === '/redirect') return void res.writeHead(302, { location: '/jwks' }).end();
    if (path === '/big') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: this.keys, pad: 'x'.repeat(70 * 1024) }));
    if (path === '/big-chunked') {
      // No Content-Length: the cap must hold while reading.
      res.writeHead(200, { 'content-type': 'application/json' });
      for (let i = 0; i < 80; i++) res.write('x'.repeat(1024));
      return void res.end();
    }
    if (path === '/slow') return; // never answers
    if (path === '/private') return void res.writeHead(200).end(JSON.stringify({ keys: [{ kty: 'EC', crv: 'P-256', x: 'a', y: 'b', d: 'c' }] }));
    res.writeHead(404).end();
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('jwks_uri: SSRF-safe fetch with timeout, size cap and cache', () => {
  let t: TestApp;
  let server: JwksServer;
  const key = clientKey('ES256', 'k1');
  let client: TestClient;

  beforeAll(async () => {
    server = new JwksServer();
    await server.start();
    server.keys = [key.publicJwk];
    t = await TestApp.create();
    client = await t.createClient({ tokenEndpointAuthMethod: 'private_key_jwt', jwksUri: `${server.base}/jwks`, grantTypes: ['client_credentials'] });
  });
  afterAll(async () => {
    await t.close();
    await server.stop();
  });

  const token = (k = key, c = client) =>
    t.http().post('/oauth/token').type('form').send({
      grant_type: 'client_credentials',
      client_assertion_type: JWT_BEARER,
      client_assertion: clientAssertion(k, assertionClaims(c.clientId, ISSUER, t.clock.now())),
    });

  it('fetches once and serves later assertions from the cache; refetches after the TTL', async () => {
    await token().expect(200);
    await token().expect(200);
    expect(server.hits['/jwks']).toBe(1);
    t.clock.advance(JWKS_FETCH_DEFAULTS.cacheTtlMs / 1000);
    await token().expect(200);
    expect(server.hits['/jwks']).toBe(2);
  });

  it('an unknown kid refetches once (a rotated-in key), and not again within the refetch interval', async () => {
    t.clock.advance(JWKS_FETCH_DEFAULTS.minRefetchMs / 1000);
    const before = server.hits['/jwks'];
    const rotated = clientKey('ES256', 'k2');
    server.keys = [key.publicJwk, rotated.publicJwk];
    await token(rotated).expect(200);
    expect(server.hits['/jwks']).toBe(before + 1);
    const unknown = clientKey('ES256', 'k3');
    expect((await token(unknown)).status).toBe(401);
    expect((await token(unknown)).status).toBe(401);
    expect(server.hits['/jwks']).toBe(before + 1);
  });

  describe('refused (401 invalid_client) with the reason in the security event', () => {
    const cases: [string, string, RegExp][] = [
      ['a redirect (not followed)', '/redirect', /HTTP 302 \(redirects are not followed\)/],
      ['an answer over 64 KiB (Content-Length)', '/big', /larger than 65536 bytes/],
      ['an answer over 64 KiB (chunked)', '/big-chunked', /larger than 65536 bytes/],
      ['a key set with a private key', '/private', /private key members/],
      ['a 404', '/missing', /HTTP 404/],
    ];
    it.each(cases)('%s', async (_name, path, reason) => {
      const c = await t.createClient({ tokenEndpointAuthMethod: 'private_key_jwt', jwksUri: `${server.base}${path}`, grantTypes: ['client_credentials'] });
      const emit = jest.spyOn(t.get(SecurityEvents), 'emit');
      const jwksHits = server.hits['/jwks'];
      const res = await token(key, c);
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('invalid_client');
      expect(emit).toHaveBeenCalledWith(expect.objectContaining({ type: 'client_auth_failed', reason: expect.stringMatching(reason) }));
      emit.mockRestore();
      expect(server.hits['/jwks']).toBe(jwksHits); // a redirect's target is never fetched
    });

    it('a server that does not answer times out (3 s) and is not asked again at once', async () => {
      const c = await t.createClient({ tokenEndpointAuthMethod: 'private_key_jwt', jwksUri: `${server.base}/slow`, grantTypes: ['client_credentials'] });
      const emit = jest.spyOn(t.get(SecurityEvents), 'emit');
      const started = Date.now();
      expect((await token(key, c)).status).toBe(401);
      expect(Date.now() - started).toBeGreaterThanOrEqual(JWKS_FETCH_DEFAULTS.timeoutMs - 50);
      expect(emit).toHaveBeenCalledWith(expect.objectContaining({ reason: expect.stringMatching(/did not answer within 3000 ms/) }));
      emit.mockRestore();
      // A failure is remembered for the refetch interval: no second slow fetch.
      expect((await token(key, c)).status).toBe(401);
      expect(server.hits['/slow']).toBe(1);
    });
  });

  describe('addresses (checked before connecting)', () => {
    const fetcher = (allowLoopback: boolean) => new JwksFetcher(new FakeClock(), { ...JWKS_FETCH_DEFAULTS, allowLoopback });

    it.each([
      'https://169.254.169.254/latest/meta-data',
      'https://10.0.0.1/jwks',
      'https://192.168.1.1/jwks',
      'https://172.16.0.1/jwks',
      'https://100.64.0.1/jwks',
      'https://0.0.0.0/jwks',
      'https://[fd00::1]/jwks',
      'https://[fe80::1]/jwks',
      'https://[::ffff:10.0.0.1]/jwks',
      'https://[64:ff9b::a00:1]/jwks',
    ])('refuses %s', async (uri) => {
      await expect(fetcher(true).get(uri)).rejects.toThrow(/private, link-local or reserved/);
    });

    it('refuses http to a non-loopback host, and credentials in the URL', async () => {
      await expect(fetcher(true).get('http://example.com/jwks')).rejects.toThrow(/must be https/);
      await expect(fetcher(true).get(`http://user:pw@127.0.0.1:1/jwks`)).rejects.toThrow(/credentials/);
    });

    it('without allowLoopback (production): a loopback literal and a name resolving to loopback are refused, nothing is connected to', async () => {
      const before = server.hits['/jwks'];
      await expect(fetcher(false).get(`${server.base}/jwks`)).rejects.toThrow(/loopback/);
      await expect(fetcher(false).get(server.base.replace('127.0.0.1', 'localhost') + '/jwks')).rejects.toThrow(/resolves to a loopback/);
      expect(server.hits['/jwks']).toBe(before);
    });

    it('with allowLoopback (development): a name resolving to loopback is fetched', async () => {
      await expect(fetcher(true).get(server.base.replace('127.0.0.1', 'localhost') + '/jwks')).resolves.toEqual({ keys: expect.any(Array) });
    });
  });
});
