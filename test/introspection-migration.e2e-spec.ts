import { DataSource } from 'typeorm';
import { buildDataSourceOptions, OAUTH_SERVER_MIGRATIONS as migrations } from 'nest-oauth-server';
import { createTestDatabase, TestDatabase } from './support/test-database';

// On SQLite, adding a column rebuilds oauth_clients; with foreign keys on, dropping the old table
// would cascade into token_families. This pins down that existing rows survive and default to false.
describe('migration 1764288000401: oauth_clients.allow_introspection', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  const open = async (upTo: number) => {
    const options = buildDataSourceOptions({ url: database.url });
    const source = new DataSource({ ...options, migrations: migrations.slice(0, upTo), migrationsRun: false });
    await source.initialize();
    await source.runMigrations();
    return source;
  };

  it('keeps existing clients and their families, with the permission off', async () => {
    const before = await open(migrations.findIndex((migration) => migration.name === 'ClientIntrospectionPermission1764288000401'));
    await before.query(
      `INSERT INTO oauth_clients (client_id, name, secret_hash, token_endpoint_auth_method, grant_types, scope, redirect_uris, created_at)
       VALUES ('c1', 'old', NULL, 'none', '[]', '', '[]', 1)`,
    );
    await before.query(
      `INSERT INTO token_families (id, client_id, subject, scope, created_at, expires_at, last_used_at)
       VALUES ('f1', 'c1', 'alice', '', 1, 2, 1)`,
    );
    await before.destroy();

    const after = await open(migrations.length);
    try {
      const [client] = await after.query(`SELECT allow_introspection FROM oauth_clients WHERE client_id = 'c1'`);
      expect([false, 0]).toContain(client.allow_introspection);
      expect(await after.query(`SELECT id FROM token_families`)).toEqual([{ id: 'f1' }]);
    } finally {
      await after.destroy();
    }
  });
});
