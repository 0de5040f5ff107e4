import { readFileSync, existsSync } from 'node:fs';
import { TestApp } from './support/test-app';
import { createTestDatabase, TestDatabase } from './support/test-database';

describe('persistence', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  it('after a restart on the same database, refresh tokens and signing keys are still valid', async () => {
    const before = await TestApp.create({ database });
    const client = await before.createClient();
    const { refresh_token } = await before.issueTokens(client);
    const jwksBefore = (await before.http().get('/.well-known/jwks.json')).body;
    await before.close();

    const after = await TestApp.create({ database });
    try {
      const res = await after.refresh(client, refresh_token!).expect(200);
      const jwksAfter = (await after.http().get('/.well-known/jwks.json')).body;
      expect(jwksAfter).toEqual(jwksBefore);
      const kid = JSON.parse(Buffer.from(res.body.access_token.split('.')[0], 'base64url').toString()).kid;
      expect(jwksAfter.keys.map((key: { kid: string }) => key.kid)).toContain(kid);
    } finally {
      await after.close();
    }
  });

  it('the database holds no plaintext refresh token or client secret', async () => {
    const t = await TestApp.create({ database });
    try {
      const client = await t.createClient();
      const issued = await t.issueTokens(client);
      const rotated = (await t.refresh(client, issued.refresh_token!).expect(200)).body.refresh_token;
      const secrets = [client.clientSecret!, issued.refresh_token!, rotated];

      const tables = ['oauth_clients', 'token_families', 'refresh_tokens', 'signing_keys'];
      const rows = JSON.stringify(await Promise.all(tables.map((table) => t.dataSource().query(`SELECT * FROM ${table}`))));
      expect(rows).toContain(client.clientId); // the dump is real...
      for (const secret of secrets) expect(rows).not.toContain(secret); // ...and holds no secret

      if (database.sqliteFile) {
        const files = [database.sqliteFile, `${database.sqliteFile}-wal`].filter(existsSync);
        const bytes = Buffer.concat(files.map((file) => readFileSync(file))).toString('latin1');
        expect(bytes).toContain(client.clientId);
        for (const secret of secrets) expect(bytes).not.toContain(secret);
      }
    } finally {
      await t.close();
    }
  });
});
