import { DatabaseService } from 'nest-oauth-server';
import { TestApp, TestClient } from './support/test-app';

/**
 * DatabaseService.sqlRead (issue 17): the hot lookups do not queue behind writes. On SQLite a
 * second, read-only connection reads the last committed state while the writer holds a commit
 * group open; on PostgreSQL a pooled query reads beside an open transaction.
 */
describe('DatabaseService.sqlRead', () => {
  let t: TestApp;
  let database: DatabaseService;
  let client: TestClient;

  beforeAll(async () => {
    t = await TestApp.create();
    database = t.get(DatabaseService);
    client = await t.createClient({ name: 'before' });
  });
  afterAll(() => t.close());

  const readName = async () => (await database.sqlRead<{ name: string }>('SELECT name FROM oauth_clients WHERE client_id = $1', [client.clientId]))[0].name;

  it('answers while a write transaction is open (the committed state), and sees the write once committed', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let written!: () => void;
    const hasWritten = new Promise<void>((resolve) => (written = resolve));
    const transaction = database.sqlTransaction(async (sql) => {
      await sql.run('UPDATE oauth_clients SET name = $1 WHERE client_id = $2', ['after', client.clientId]);
      written();
      await held;
    });
    await hasWritten;
    // Would wait for `release` forever if reads queued behind the transaction.
    expect(await readName()).toBe('before');
    release();
    await transaction;
    expect(await readName()).toBe('after');
  });

  it('on SQLite the read connection refuses writes (query_only)', async () => {
    const write = database.sqlRead('UPDATE oauth_clients SET name = $1 WHERE client_id = $2', ['written', client.clientId]);
    if (database.isSqlite) await expect(write).rejects.toThrow(/readonly|read-only|query_only/i);
    else {
      // PostgreSQL: a pooled query, no connection of its own to restrict (callers pass reads only).
      await write;
      expect(await readName()).toBe('written');
    }
  });

  it('a read connection that failed to open is not kept: the next read opens it again (SQLite)', async () => {
    const service = database as unknown as { sqliteReader?: Promise<{ db: { close(cb: () => void): void }; statements: { finalizeAll(): Promise<void> } } | null>; openReader(): Promise<unknown> };
    // Start with no read connection: close the one the earlier tests opened.
    const previous = await service.sqliteReader;
    service.sqliteReader = undefined;
    if (previous) {
      await previous.statements.finalizeAll();
      await new Promise<void>((resolve) => previous.db.close(resolve));
    }
    const open = jest.spyOn(service, 'openReader').mockRejectedValueOnce(new Error('SQLITE_CANTOPEN: unable to open database file'));
    try {
      if (database.isSqlite) await expect(readName()).rejects.toThrow();
      expect(await readName()).toEqual(expect.any(String));
      expect(open).toHaveBeenCalledTimes(database.isSqlite ? 2 : 0); // PostgreSQL reads from its pool
    } finally {
      open.mockRestore();
    }
  });
});
