import { DataSource } from 'typeorm';
import { buildDataSourceOptions, OAUTH_SERVER_MIGRATIONS as migrations } from 'nest-oauth-server';
import { createTestDatabase, TestDatabase } from './support/test-database';

describe('migration 1764288010000: pushed_authorization_requests, oauth_clients.require_pushed_authorization_requests', () => {
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

  it('keeps existing clients and their families, with PAR not required; reverts cleanly', async () => {
    const before = await open(migrations.findIndex((migration) => migration.name === 'PushedAuthorizationRequests1764288010000'));
    await before.query(
      `INSERT INTO oauth_clients (client_id, name, secret_hash, token_endpoint_auth_method, grant_types, scope, redirect_uris, created_at)
       VALUES ('c1', 'old', NULL, 'none', '[]', '', '[]', 1)`,
    );
    await before.query(`INSERT INTO token_families (id, client_id, subject, scope, created_at, expires_at, last_used_at) VALUES ('f1', 'c1', 'alice', '', 1, 2, 1)`);
    await before.destroy();

    // Up to this migration only, so that undoLastMigration() reverts this one and not a later one.
    const after = await open(migrations.findIndex((migration) => migration.name === 'PushedAuthorizationRequests1764288010000') + 1);
    try {
      const [client] = await after.query(`SELECT require_pushed_authorization_requests FROM oauth_clients WHERE client_id = 'c1'`);
      expect([false, 0]).toContain(client.require_pushed_authorization_requests);
      expect(await after.query(`SELECT id FROM token_families`)).toEqual([{ id: 'f1' }]);
      expect(await after.query(`SELECT COUNT(*) AS n FROM pushed_authorization_requests`)).toEqual([{ n: expect.anything() }]);
      // Deleting a client deletes its pushed requests (ON DELETE CASCADE), as with login requests.
      await after.query(
        `INSERT INTO pushed_authorization_requests (id, request_uri_hash, client_id, parameters, created_at, expires_at) VALUES ('p1', '${'a'.repeat(64)}', 'c1', '', 1, 2)`,
      );
      await after.query(`DELETE FROM token_families`);
      await after.query(`DELETE FROM oauth_clients WHERE client_id = 'c1'`);
      expect(+(await after.query(`SELECT COUNT(*) AS n FROM pushed_authorization_requests`))[0].n).toBe(0);
      await after.undoLastMigration();
      const tables = after.options.type === 'sqlite'
        ? await after.query(`SELECT name FROM sqlite_master WHERE name = 'pushed_authorization_requests'`)
        : await after.query(`SELECT table_name FROM information_schema.tables WHERE table_name = 'pushed_authorization_requests' AND table_schema = current_schema()`);
      expect(tables).toEqual([]);
    } finally {
      await after.destroy();
    }
  });
});
