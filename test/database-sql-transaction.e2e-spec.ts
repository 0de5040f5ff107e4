import { DatabaseService, SqliteStatements } from 'nest-oauth-server';
import { TestApp, TestClient } from './support/test-app';

/**
 * DatabaseService.sqlTransaction (issue 6): on SQLite, transactions that queue up are committed as
 * one group; whatever the driver, each unit stays atomic and one failing unit fails alone.
 */
describe('DatabaseService.sqlTransaction', () => {
  let t: TestApp;
  let database: DatabaseService;
  let clients: TestClient[];

  beforeAll(async () => {
    t = await TestApp.create();
    database = t.get(DatabaseService);
    clients = [await t.createClient(), await t.createClient(), await t.createClient()];
  });
  afterAll(() => t.close());
  afterEach(() => jest.restoreAllMocks());

  /** Counts the SQLite transactions begun (SQLite only: PostgreSQL goes through TypeORM). */
  function countBegins(): () => number {
    const run = jest.spyOn(SqliteStatements.prototype, 'run');
    return () => run.mock.calls.filter(([sql]) => sql === 'BEGIN').length;
  }

  const rename = (clientId: string, name: string) => (sql: Parameters<Parameters<DatabaseService['sqlTransaction']>[0]>[0]) =>
    sql.run('UPDATE oauth_clients SET name = $1 WHERE client_id = $2', [name, clientId]);

  async function nameOf(clientId: string): Promise<string> {
    const rows = await database.sqlRun((sql) => sql.all<{ name: string }>('SELECT name FROM oauth_clients WHERE client_id = $1', [clientId]));
    return rows[0].name;
  }

  it('commits concurrent units; on SQLite as one group, each seeing the writes of the units before it', async () => {
    const [a] = clients;
    const begins = countBegins();
    const results = await Promise.all([
      database.sqlTransaction(rename(a.clientId, 'first')),
      database.sqlTransaction(async (sql) => (await sql.all<{ name: string }>('SELECT name FROM oauth_clients WHERE client_id = $1', [a.clientId]))[0].name),
      database.sqlTransaction(rename(a.clientId, 'second')),
    ]);
    if (database.isSqlite) {
      // One group, in arrival order.
      expect(begins()).toBe(1);
      expect(results).toEqual([1, 'first', 1]);
      expect(await nameOf(a.clientId)).toBe('second');
    } else {
      // PostgreSQL runs them side by side on its pool: each commits, in no promised order.
      expect([results[0], results[2]]).toEqual([1, 1]);
      expect(['test client', 'first', 'second']).toContain(results[1]);
      expect(['first', 'second']).toContain(await nameOf(a.clientId));
    }
  });

  it('rolls back a failing unit alone: its writes vanish, its neighbours commit', async () => {
    const [a, b, c] = clients;
    const begins = countBegins();
    const outcomes = await Promise.allSettled([
      database.sqlTransaction(rename(a.clientId, 'kept a')),
      database.sqlTransaction(async (sql) => {
        await rename(b.clientId, 'must not stay')(sql);
        throw new Error('unit failed after writing');
      }),
      database.sqlTransaction(rename(c.clientId, 'kept c')),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    // SQLite: the group of three, rolled back, then each unit alone.
    if (database.isSqlite) expect(begins()).toBe(4);
    expect((outcomes[1] as PromiseRejectedResult).reason.message).toBe('unit failed after writing');
    expect(await nameOf(a.clientId)).toBe('kept a');
    expect(await nameOf(b.clientId)).toBe('test client');
    expect(await nameOf(c.clientId)).toBe('kept c');
  });

  it('fails a unit whose SQL is invalid without breaking the next transaction', async () => {
    const [a] = clients;
    await expect(database.sqlTransaction((sql) => sql.run('UPDATE no_such_table SET x = 1', []))).rejects.toThrow();
    await database.sqlTransaction(rename(a.clientId, 'after error'));
    expect(await nameOf(a.clientId)).toBe('after error');
  });
});
