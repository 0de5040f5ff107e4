import { DataSource } from 'typeorm';
import { buildDataSourceOptions, OAUTH_SERVER_MIGRATIONS as migrations } from 'nest-oauth-server';
import { createTestDatabase, TestDatabase } from './support/test-database';

// On SQLite, adding a column rebuilds oauth_clients; existing rows and the families that reference
// them must survive, and existing clients get no origins (cross-origin requests stay refused).
describe('migration 1764288004000: oauth_clients.allowed_cors_origins', () => {
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

  it('keeps existing clients and their families, with no origins', async () => {
    const before = await open(migrations.findIndex((migration) => migration.name === 'ClientCorsOrigins1764288004000'));
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
      const [client] = await after.query(`SELECT allowed_cors_origins FROM oauth_clients WHERE client_id = 'c1'`);
      expect(client.allowed_cors_origins).toBe('[]');
      expect(await after.query(`SELECT id FROM token_families`)).toEqual([{ id: 'f1' }]);
    } finally {
      await after.destroy();
    }
  });
});
