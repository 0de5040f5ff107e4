import { DatabaseService, RefreshTokensRepository, RefreshTokenStore, Transactions } from 'nest-oauth-server';
import { refreshTokenStoreContract } from './support/storage-contract';
import { TestApp } from './support/test-app';

// The SQL adapter, on SQLite by default and on PostgreSQL with jest.pg.config.js. A new adapter
// (a Redis or in-memory RefreshTokenStore, say) adds one call here.
const driver = process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'SQLite';
refreshTokenStoreContract(`TypeORM/SQL adapter on ${driver}`, async () => {
  const timeoutMs = 1000;
  const t = await TestApp.create({ env: { DATABASE_TIMEOUT: String(timeoutMs / 1000) } });
  const { clientId } = await t.createClient();
  const database = t.get(DatabaseService);
  const store = t.app.get(RefreshTokenStore);
  expect(store).toBeInstanceOf(RefreshTokensRepository);
  return {
    store,
    transactions: t.get(Transactions),
    clientId,
    now: () => t.clock.now(),
    timeoutMs,
    isolatedConnections: !database.isSqlite,
    familiesSeenOutside: async (familyId) => {
      // SQLite: through the queue (its one connection would see an open transaction's writes);
      // PostgreSQL: a pooled connection of its own, outside any unit of work.
      const rows: { n: number | string }[] = database.isSqlite
        ? await database.sqlRun((sql) => sql.all('SELECT COUNT(*) AS n FROM token_families WHERE id = $1', [familyId]))
        : await t.dataSource().query('SELECT COUNT(*) AS n FROM token_families WHERE id = $1', [familyId]);
      return Number(rows[0].n);
    },
    close: () => t.close(),
  };
});
