import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jwkThumbprint, kekFingerprint, KeysAdmin, RefreshTokenDerivationKey, SigningKeysService } from 'nest-oauth-server';
import { freePort } from './support/free-port';
import { decodeJwtPayload, introspect, postAs, signJwt } from './support/oauth-requests';
import { runTs } from './support/run-node';
import { TestApp, TestClient } from './support/test-app';
import { createTestDatabase, TestDatabase } from './support/test-database';

const newKek = () => randomBytes(32);
const b64 = (key: Buffer) => key.toString('base64');

/**
 * What a database dump holds: the raw bytes of the SQLite file (with its journal/WAL), or on
 * PostgreSQL every key row as text.
 */
async function dumpOf(t: TestApp, database: TestDatabase): Promise<Buffer> {
  if (database.sqliteFile) {
    const files = [database.sqliteFile, `${database.sqliteFile}-wal`, `${database.sqliteFile}-journal`].filter((file) => existsSync(file));
    return Buffer.concat(files.map((file) => readFileSync(file)));
  }
  const rows = [await t.dataSource().query('SELECT * FROM signing_keys'), await t.dataSource().query('SELECT * FROM server_secrets')];
  return Buffer.from(JSON.stringify(rows));
}

describe('keys encrypted at rest (KEY_ENCRYPTION_KEY)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kek-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the database holds no private key material, and without the KEK the code cannot sign', async () => {
    const database = await createTestDatabase();
    const kek = newKek();
    const kekFile = join(dir, 'kek');
    writeFileSync(kekFile, `${b64(kek)}\n`, { mode: 0o600 });
    const env = { KEY_ENCRYPTION_KEY: `file:${kekFile}`, ACCESS_TOKEN_SIGNING_ALG: 'RS256' };
    let t = await TestApp.create({ database, env });
    let dump: Buffer;
    let derivationKey: Buffer;
    let client: TestClient;
    let refreshToken: string;
    try {
      client = await t.createClient();
      const issued = await t.issueTokens(client);
      refreshToken = (await t.refresh(client, issued.refresh_token!).expect(200)).body.refresh_token;
      await t.get(KeysAdmin).rotate();
      derivationKey = t.get(RefreshTokenDerivationKey).get();
      const listing = await t.get(KeysAdmin).list();
      expect(listing.kek_id).toBe(kekFingerprint(kek));
      expect(listing.derivation_key_kek_id).toBe(kekFingerprint(kek));
      expect(listing.signing_keys.map((key) => key.kek_id)).toEqual([kekFingerprint(kek), kekFingerprint(kek)]);
      dump = await dumpOf(t, database);
    } finally {
      await t.close();
    }
    expect(dump.length).toBeGreaterThan(0);
    for (const needle of ['PRIVATE KEY', '"d":', derivationKey.toString('base64url'), derivationKey.toString('base64')]) {
      expect(dump.includes(Buffer.from(needle))).toBe(false);
    }
    expect(dump.includes(derivationKey)).toBe(false);

    // The dump plus the code, without the KEK: the service refuses to start, in one line.
    let copy = database;
    if (database.sqliteFile) {
      const copied = join(dir, 'dump.sqlite');
      copyFileSync(database.sqliteFile, copied);
      copy = { url: `sqlite:${copied}`, sqliteFile: copied, drop: async () => undefined };
    }
    const boot = await runTs('src/main.ts', [], { DATABASE_URL: copy.url, ISSUER: 'http://localhost:3000', PORT: String(await freePort()), HOST: '127.0.0.1', LOG_LEVEL: 'error', KEY_ENCRYPTION_KEY: '' });
    expect(boot.code).toBe(1);
    // A failed boot is one JSON line on stderr (src/boot/boot-logger.ts).
    const lines = boot.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]).msg).toMatch(/is encrypted with key-encryption key \S+, but KEY_ENCRYPTION_KEY is not set$/);
    await expect(TestApp.create({ database: copy })).rejects.toThrow(/KEY_ENCRYPTION_KEY is not set/);
    // A wrong KEK is named as such, not a decryption stack trace.
    await expect(TestApp.create({ database: copy, env: { KEY_ENCRYPTION_KEY: b64(newKek()) } })).rejects.toThrow(/wrong key-encryption key/);

    // With the KEK it all works again, including the refresh token issued before.
    t = await TestApp.create({ database, env });
    try {
      expect(t.get(RefreshTokenDerivationKey).get().equals(derivationKey)).toBe(true);
      await t.refresh(client, refreshToken).expect(200);
    } finally {
      await t.close();
      await database.drop();
    }
  }, 120_000);

  it('keys:rewrap moves every key from plaintext, then to a new KEK, while instances keep serving', async () => {
    const database = await createTestDatabase();
    const [a, b] = [newKek(), newKek()];
    const cli = (args: string[], env: Record<string, string>) => runTs('src/cli.ts', args, { DATABASE_URL: database.url, ISSUER: 'http://localhost:3000', ...env });
    let t: TestApp | undefined;
    const start = async (env: Record<string, string> = {}) => {
      await t?.close();
      t = undefined;
      t = await TestApp.create({ database, env });
      return t;
    };
    try {
      // Before any KEK: plaintext, as before this feature.
      let app = await start();
      const client = await app.createClient();
      const issued = await app.issueTokens(client);
      const derivationKey = app.get(RefreshTokenDerivationKey).get();
      expect((await app.get(KeysAdmin).list()).signing_keys[0].kek_id).toBeNull();

      // KEK A set: plaintext is refused (review L4), except in the move window
      // (KEY_ENCRYPTION_ALLOW_PLAINTEXT); keys:rewrap (the CLI, while an instance serves) seals everything under A.
      await app.close();
      t = undefined as TestApp | undefined;
      await expect(TestApp.create({ database, env: { KEY_ENCRYPTION_KEY: b64(a) } })).rejects.toThrow(/is stored in plaintext, but KEY_ENCRYPTION_KEY is set/);
      app = await start({ KEY_ENCRYPTION_KEY: b64(a), KEY_ENCRYPTION_ALLOW_PLAINTEXT: 'true' });
      const first = await cli(['keys:rewrap'], { KEY_ENCRYPTION_KEY: b64(a) });
      expect(first).toMatchObject({ code: 0, stderr: '' });
      expect(JSON.parse(first.stdout)).toEqual({ kek_id: kekFingerprint(a), signing_keys: 1, derivation_key: 1 });
      await app.refresh(client, issued.refresh_token!).expect(200);
      // Sealed now: the window closes.
      app = await start({ KEY_ENCRYPTION_KEY: b64(a) });
      await app.refresh(client, (await app.issueTokens(client)).refresh_token!).expect(200);

      // Moving to B: instances run with B and the previous A; rewrap while one serves.
      const both = { KEY_ENCRYPTION_KEY: b64(b), KEY_ENCRYPTION_KEY_PREVIOUS: b64(a) };
      app = await start(both);
      const second = await cli(['keys:rewrap'], both);
      expect(JSON.parse(second.stdout)).toEqual({ kek_id: kekFingerprint(b), signing_keys: 1, derivation_key: 1 });
      expect(await app.get(KeysAdmin).rewrap()).toEqual({ kek_id: kekFingerprint(b), signing_keys: 0, derivation_key: 0 });
      const client2 = await app.createClient();
      await app.refresh(client2, (await app.issueTokens(client2)).refresh_token!).expect(200);

      // A is no longer needed, and no longer enough.
      app = await start({ KEY_ENCRYPTION_KEY: b64(b) });
      expect(app.get(RefreshTokenDerivationKey).get().equals(derivationKey)).toBe(true);
      const listing = await app.get(KeysAdmin).list();
      expect(new Set([...listing.signing_keys.map((key) => key.kek_id), listing.derivation_key_kek_id])).toEqual(new Set([kekFingerprint(b)]));
      await t?.close();
      t = undefined;
      await expect(TestApp.create({ database, env: { KEY_ENCRYPTION_KEY: b64(a) } })).rejects.toThrow(/wrong key-encryption key/);
    } finally {
      await t?.close();
      await database.drop();
    }
  }, 180_000);

  it('with a KEK, a planted plaintext signing key neither signs nor verifies, and fails the next boot in one line', async () => {
    const database = await createTestDatabase();
    const env = { KEY_ENCRYPTION_KEY: b64(newKek()), ADMIN_API_KEY: 'admin-key-for-tests-0123456789abcdef' };
    const t = await TestApp.create({ database, env });
    try {
      const client = await t.createClient({ grantTypes: ['client_credentials'], scope: 'read' });
      const rs = await t.createClient({ name: 'rs', grantTypes: [], allowIntrospection: true });
      const genuine = (await postAs(t, '/oauth/token', client, { grant_type: 'client_credentials', scope: 'read' }).expect(200)).body.access_token;
      // Someone with write access to the database adds a key of their own, newest, active now.
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const publicJwk = publicKey.export({ format: 'jwk' }) as Record<string, string>;
      const kid = jwkThumbprint(publicJwk);
      await t.dataSource().query(
        'INSERT INTO signing_keys (kid, alg, private_key, public_jwk, generation, created_at, activates_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [kid, 'ES256', privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), JSON.stringify(publicJwk), 99, t.clock.now(), t.clock.now() - 1000],
      );
      await t.get(SigningKeysService).reload();
      expect(t.get(SigningKeysService).signingKey().kid).not.toBe(kid);
      const jwks = (await t.http().get('/.well-known/jwks.json').expect(200)).body.keys.map((key: { kid: string }) => key.kid);
      expect(jwks).not.toContain(kid);
      const forged = signJwt({ typ: 'at+jwt', kid }, decodeJwtPayload(genuine), privateKey);
      expect((await introspect(t, rs, { token: forged }).expect(200)).body).toEqual({ active: false });
      expect((await introspect(t, rs, { token: genuine }).expect(200)).body.active).toBe(true);
    } finally {
      await t.close();
    }
    try {
      const boot = await runTs('src/main.ts', [], { DATABASE_URL: database.url, ISSUER: 'http://localhost:3000', PORT: String(await freePort()), HOST: '127.0.0.1', LOG_LEVEL: 'error', ...env });
      expect(boot.code).toBe(1);
      const lines = boot.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0]).msg).toMatch(/^signing key \S+ is stored in plaintext, but KEY_ENCRYPTION_KEY is set: refused/);
    } finally {
      await database.drop();
    }
  }, 120_000);

  it.each([
    [{ KEY_ENCRYPTION_KEY: 'too-short' }, /KEY_ENCRYPTION_KEY must be a 256-bit key/],
    [{ KEY_ENCRYPTION_KEY: 'file:/nonexistent/kek' }, /KEY_ENCRYPTION_KEY: cannot read \/nonexistent\/kek \(ENOENT\)/],
    [{ KEY_ENCRYPTION_KEY_PREVIOUS: b64(randomBytes(32)) }, /KEY_ENCRYPTION_KEY_PREVIOUS needs KEY_ENCRYPTION_KEY/],
  ])('a bad KEK setting %p fails the start in one line', async (env, message) => {
    await expect(TestApp.create({ env })).rejects.toThrow(message);
  });

  it('keys:rewrap without KEY_ENCRYPTION_KEY is refused', async () => {
    const database = await createTestDatabase();
    try {
      const t = await TestApp.create({ database });
      await t.close();
      const result = await runTs('src/cli.ts', ['keys:rewrap'], { DATABASE_URL: database.url, ISSUER: 'http://localhost:3000' });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe('error: keys:rewrap needs KEY_ENCRYPTION_KEY (the key to move to)\n');
      expect(result.stdout).toBe('');
    } finally {
      await database.drop();
    }
  }, 120_000);
});
