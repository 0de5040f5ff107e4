import { ADMIN_API_KEY } from './support/code-flow';
import { freePort } from './support/free-port';
import { JoseResourceServer } from './support/jose-resource-server';
import { runTs } from './support/run-node';
import { decodeJwtPayload, introspect, postAs } from './support/oauth-requests';
import { TestApp, TestClient } from './support/test-app';
import { createTestDatabase } from './support/test-database';
import { KEY_TIMING_MARGIN_MS, SigningKeyScheduler, SigningKeysService } from 'nest-oauth-server';

const kidOf = (jwt: string): string => JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString()).kid;
const algOf = (jwt: string): string => JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString()).alg;

const ROTATION = 3600;
const JWKS_MAX_AGE = 300;
const ACCESS_TOKEN_TTL = 900;
const rotationEnv = {
  SIGNING_KEY_ROTATION_INTERVAL: String(ROTATION),
  JWKS_MAX_AGE: String(JWKS_MAX_AGE),
  ACCESS_TOKEN_TTL: String(ACCESS_TOKEN_TTL),
  ADMIN_API_KEY,
};

async function mint(t: TestApp, client: TestClient): Promise<string> {
  const res = await postAs(t, '/oauth/token', client, { grant_type: 'client_credentials', scope: 'read' }).expect(200);
  return res.body.access_token as string;
}

const keyCount = async (t: TestApp) => Number((await t.dataSource().query('SELECT COUNT(*) AS n FROM signing_keys'))[0].n);

describe('automatic signing-key rotation, seen by a resource server using jose createRemoteJWKSet', () => {
  let t: TestApp;
  let rs: JoseResourceServer;
  let client: TestClient;

  beforeAll(async () => {
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    t = await TestApp.create({ env: { ...rotationEnv, ISSUER: issuer } });
    await t.app.listen(port, '127.0.0.1');
    rs = JoseResourceServer.start(`${issuer}/.well-known/jwks.json`, issuer);
    client = await t.createClient({ grantTypes: ['client_credentials'], scope: 'read' });
  });
  afterAll(async () => {
    rs.stop();
    await t.close();
  });

  it('a serving instance ticks on its own (every few seconds of real time)', () => {
    expect(t.get(SigningKeyScheduler).scheduled).toBe(true);
  });

  it('the JWKS is cacheable for JWKS_MAX_AGE seconds', async () => {
    const res = await t.http().get('/.well-known/jwks.json').expect(200);
    expect(res.headers['cache-control']).toBe(`public, max-age=${JWKS_MAX_AGE}`);
  });

  it('accepts every unexpired token through two rotations, including those signed just before each switch', async () => {
    const scheduler = t.get(SigningKeyScheduler);
    const live: { token: string; exp: number }[] = [];
    const kidsInOrder: string[] = [];
    let nextFetch = 0;
    let verifiedAcrossSwitch = 0;
    const step = 30;
    const firstKid = kidOf(await mint(t, client));
    for (let elapsed = 0; elapsed <= 2 * ROTATION + ACCESS_TOKEN_TTL + 600; elapsed += step) {
      if (elapsed > 0) t.clock.advance(step);
      await scheduler.tick();
      // The resource server refetches only when its cached copy has reached max-age, on a grid
      // that does not line up with the key switches (first fetch at 0, then 90 s, 390 s, ...).
      if (elapsed >= nextFetch) {
        await rs.reload();
        nextFetch = elapsed === 0 ? 90 : nextFetch + JWKS_MAX_AGE;
      }
      const token = await mint(t, client);
      const kid = kidOf(token);
      if (kidsInOrder.at(-1) !== kid) kidsInOrder.push(kid);
      live.push({ token, exp: decodeJwtPayload(token).exp as number });
      const now = t.clock.now();
      const valid = live.filter((entry) => entry.exp * 1000 > now);
      const results = await rs.verify(valid.map((entry) => entry.token), now);
      expect(results.filter((result) => !result.ok)).toEqual([]);
      verifiedAcrossSwitch += results.filter((result) => result.kid !== kid).length;
    }
    // Three keys signed in turn; tokens of the previous key kept verifying after each switch.
    expect(kidsInOrder).toHaveLength(3);
    expect(kidsInOrder[0]).toBe(firstKid);
    expect(verifiedAcrossSwitch).toBeGreaterThan(0);
    // The first key's tokens have all expired: it has left the JWKS, and its row is gone.
    const jwks = await t.http().get('/.well-known/jwks.json').expect(200);
    expect(jwks.body.keys.map((key: { kid: string }) => key.kid)).not.toContain(firstKid);
    expect(await keyCount(t)).toBeLessThanOrEqual(2);
  });
});

describe('signing-key lifecycle over the admin API and introspection', () => {
  let t: TestApp;
  let client: TestClient;
  let rs: TestClient;
  const admin = (method: 'get' | 'post', path: string) => {
    const req = t.http()[method](`/admin/signing-keys${path}`).set('Authorization', `Bearer ${ADMIN_API_KEY}`);
    return method === 'post' ? req.send({}) : req;
  };

  beforeAll(async () => {
    t = await TestApp.create({ env: rotationEnv });
    client = await t.createClient({ grantTypes: ['client_credentials'], scope: 'read' });
    rs = await t.createClient({ name: 'resource server', grantTypes: [], allowIntrospection: true });
  });
  afterAll(() => t.close());

  it('needs the admin key', async () => {
    await t.http().get('/admin/signing-keys').expect(401);
    await t.http().post('/admin/signing-keys/rotate').expect(401);
  });

  it('rotate publishes a pending key that signs only after the propagation delay', async () => {
    const before = await mint(t, client);
    const res = await admin('post', '/rotate').expect(201);
    expect(res.body).toMatchObject({ state: 'pending', signing: false });
    expect(res.body).not.toHaveProperty('private_key');
    const listing = (await admin('get', '').expect(200)).body;
    expect(listing.propagation_seconds).toBe(JWKS_MAX_AGE + 65);
    expect(listing.retention_seconds).toBe(ACCESS_TOKEN_TTL + 65);
    expect(JSON.stringify(listing)).not.toMatch(/PRIVATE KEY|"d":/);
    const jwks = (await t.http().get('/.well-known/jwks.json').expect(200)).body.keys.map((key: { kid: string }) => key.kid);
    expect(jwks).toEqual(expect.arrayContaining([kidOf(before), res.body.kid]));
    // A repeated rotate while one is pending adds nothing.
    expect((await admin('post', '/rotate').expect(201)).body.kid).toBe(res.body.kid);
    expect(kidOf(await mint(t, client))).toBe(kidOf(before));

    // The old key is retired once the new one has signed for the timing margin (review H1).
    t.clock.advance(listing.propagation_seconds + KEY_TIMING_MARGIN_MS / 1000);
    await t.get(SigningKeyScheduler).tick();
    const after = await mint(t, client);
    expect(kidOf(after)).toBe(res.body.kid);
    const states = (await admin('get', '').expect(200)).body.signing_keys;
    expect(states.find((key: { kid: string }) => key.kid === kidOf(before))).toMatchObject({ state: 'retired', signing: false });
    // The retired key's tokens stay valid at introspection until they expire.
    expect((await introspect(t, rs, { token: before }).expect(200)).body.active).toBe(true);
    expect((await introspect(t, rs, { token: after }).expect(200)).body.active).toBe(true);
  });

  it('emergency retire: the key leaves the JWKS now and its tokens become inactive at introspection', async () => {
    const token = await mint(t, client);
    const kid = kidOf(token);
    expect((await introspect(t, rs, { token }).expect(200)).body.active).toBe(true);
    const res = await admin('post', `/${kid}/retire`).expect(200);
    expect(res.body.retired).toMatchObject({ kid, state: 'removed' });
    expect(res.body.signing.kid).not.toBe(kid);
    expect((await introspect(t, rs, { token }).expect(200)).body).toEqual({ active: false });
    const jwks = (await t.http().get('/.well-known/jwks.json').expect(200)).body.keys.map((key: { kid: string }) => key.kid);
    expect(jwks).not.toContain(kid);
    // Tokens keep being issued, with the replacement, and they are active.
    const next = await mint(t, client);
    expect(kidOf(next)).toBe(res.body.signing.kid);
    expect(jwks).toContain(kidOf(next));
    expect((await introspect(t, rs, { token: next }).expect(200)).body.active).toBe(true);
  });

  it('retiring an unknown kid is a 404 and changes nothing', async () => {
    const before = (await admin('get', '').expect(200)).body.signing_keys;
    await admin('post', '/not-a-key/retire').expect(404);
    await admin('post', `/${encodeURIComponent('x\u0000y')}/retire`).expect(404);
    expect((await admin('get', '').expect(200)).body.signing_keys).toEqual(before);
  });
});

describe('changing ACCESS_TOKEN_SIGNING_ALG is a rotation', () => {
  it('RS256 → ES256: the ES256 key is pending first, RS256 tokens keep verifying', async () => {
    const database = await createTestDatabase();
    try {
      const first = await TestApp.create({ database, env: { ...rotationEnv, ACCESS_TOKEN_SIGNING_ALG: 'RS256' } });
      const client = await first.createClient({ grantTypes: ['client_credentials'], scope: 'read' });
      const rs = await first.createClient({ name: 'rs', grantTypes: [], allowIntrospection: true });
      const rsaToken = await mint(first, client);
      expect(algOf(rsaToken)).toBe('RS256');
      await first.close();

      const t = await TestApp.create({ database, env: { ...rotationEnv, ACCESS_TOKEN_SIGNING_ALG: 'ES256' } });
      try {
        const jwks = (await t.http().get('/.well-known/jwks.json').expect(200)).body.keys;
        expect(jwks.map((key: { alg: string }) => key.alg).sort()).toEqual(['ES256', 'RS256']);
        // Still RS256 while the ES256 key propagates; the old token is still good.
        expect(algOf(await mint(t, client))).toBe('RS256');
        expect((await introspect(t, rs, { token: rsaToken }).expect(200)).body.active).toBe(true);

        t.clock.advance(JWKS_MAX_AGE + 65 + KEY_TIMING_MARGIN_MS / 1000);
        await t.get(SigningKeyScheduler).tick();
        const ecToken = await mint(t, client);
        expect(algOf(ecToken)).toBe('ES256');
        expect((await introspect(t, rs, { token: rsaToken }).expect(200)).body.active).toBe(true);
        expect((await introspect(t, rs, { token: ecToken }).expect(200)).body.active).toBe(true);

        // Once every RS256 token has expired, the RS256 key is removed.
        t.clock.advance(ACCESS_TOKEN_TTL + 65);
        await t.get(SigningKeyScheduler).tick();
        const after = (await t.http().get('/.well-known/jwks.json').expect(200)).body.keys;
        expect(after.map((key: { alg: string }) => key.alg)).toEqual(['ES256']);
      } finally {
        await t.close();
      }
    } finally {
      await database.drop();
    }
  });
});

describe('two instances on one database', () => {
  it('rotate once, agree on the active key, and converge after a restart in the middle', async () => {
    const database = await createTestDatabase();
    const apps: TestApp[] = [];
    // Apps here close out of creation order (a restart in the middle), so each one's restore of the
    // environment is not last-in-first-out: put it back by hand afterwards.
    const savedEnv = Object.fromEntries(Object.keys(rotationEnv).map((name) => [name, process.env[name]]));
    try {
      apps.push(await TestApp.create({ database, env: rotationEnv }), await TestApp.create({ database, env: rotationEnv }));
      const [a, b] = apps;
      const client = await a.createClient({ grantTypes: ['client_credentials'], scope: 'read' });
      const rs = await a.createClient({ name: 'rs', grantTypes: [], allowIntrospection: true });
      const original = a.get(SigningKeysService).signingKey().kid;
      expect(b.get(SigningKeysService).signingKey().kid).toBe(original);
      expect(await keyCount(a)).toBe(1);

      // Rotation comes due on both; both tick at once, exactly one takes the lease and adds the key.
      for (const app of apps) app.clock.advance(ROTATION - JWKS_MAX_AGE - 65);
      const held = await Promise.all(apps.map((app) => app.get(SigningKeyScheduler).tick()));
      expect(held.filter(Boolean)).toHaveLength(1);
      await Promise.all(apps.map((app) => app.get(SigningKeyScheduler).tick()));
      expect(await keyCount(a)).toBe(2);

      // A restart of one instance while the key is pending adds nothing and carries on.
      const elapsed = a.clock.now() - Date.UTC(2026, 0, 1);
      await a.close();
      const restarted = await TestApp.create({ database, env: rotationEnv });
      apps[0] = restarted;
      restarted.clock.advance(elapsed / 1000);
      expect(await keyCount(restarted)).toBe(2);
      expect(restarted.get(SigningKeysService).signingKey().kid).toBe(original);

      for (const app of apps) app.clock.advance(JWKS_MAX_AGE + 65 + 60);
      await Promise.all(apps.map((app) => app.get(SigningKeyScheduler).tick()));
      await Promise.all(apps.map((app) => app.get(SigningKeyScheduler).tick()));
      const [kidA, kidB] = apps.map((app) => app.get(SigningKeysService).signingKey().kid);
      expect(kidA).not.toBe(original);
      expect(kidB).toBe(kidA);
      expect(await keyCount(b)).toBe(2);
      // A token from either instance is active at the other.
      const fromB = await mint(b, client);
      expect(kidOf(fromB)).toBe(kidA);
      expect((await introspect(apps[0], rs, { token: fromB }).expect(200)).body.active).toBe(true);
    } finally {
      await Promise.all(apps.map((app) => app.close()));
      await database.drop();
      for (const [name, value] of Object.entries(savedEnv)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});

describe('keys:* in the admin CLI', () => {
  it('keys:rotate adds a pending key, keys:list shows it, keys:retire removes a key at once', async () => {
    const database = await createTestDatabase();
    const t = await TestApp.create({ database });
    const cli = (...args: string[]) => runTs('src/cli.ts', args, { DATABASE_URL: database.url });
    try {
      const rotated = await cli('keys:rotate');
      expect(rotated).toMatchObject({ code: 0, stderr: '' });
      const pending = JSON.parse(rotated.stdout);
      expect(pending).toMatchObject({ state: 'pending', signing: false });
      const listed = await cli('keys:list');
      const [retired, unknown] = await Promise.all([cli('keys:retire', pending.kid), cli('keys:retire', 'nope')]);
      const listing = JSON.parse(listed.stdout);
      expect(listing.signing_keys.map((key: { kid: string }) => key.kid)).toContain(pending.kid);
      expect(listing).toMatchObject({ propagation_seconds: 365, retention_seconds: 965, rotation_interval_seconds: 7776000, kek_id: null });
      expect(JSON.parse(retired.stdout).retired).toMatchObject({ kid: pending.kid, state: 'removed' });
      expect(unknown).toMatchObject({ code: 1, stdout: '', stderr: 'error: no published signing key has kid nope\n' });
    } finally {
      await t.close();
      await database.drop();
    }
  }, 120_000);
});
