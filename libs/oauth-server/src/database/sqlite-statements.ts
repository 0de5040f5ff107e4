import type { Database, Statement } from 'sqlite3';
import type { SqlExecutor } from './sql-executor';

/**
 * Prepared statements kept for the life of the SQLite connection. node-sqlite3 runs a one-off
 * `db.all(sql)` as three trips to the libuv thread pool (prepare, step, finalize) and TypeORM adds
 * its query-runner work around each; a kept statement is one trip. On the serialized SQLite
 * connection, trips per rotation are what bound throughput (docs/readme/issue-6.md).
 */
export class SqliteStatements implements SqlExecutor {
  private readonly statements = new Map<string, Promise<Statement>>();

  constructor(private readonly db: Database) {}

  async all<Row>(sql: string, params: unknown[]): Promise<Row[]> {
    const statement = await this.prepared(sql);
    return new Promise((resolve, reject) => statement.all(params, (error: Error | null, rows: Row[]) => (error ? reject(error) : resolve(rows))));
  }

  async run(sql: string, params: unknown[]): Promise<number> {
    const statement = await this.prepared(sql);
    return new Promise((resolve, reject) =>
      statement.run(params, function done(error: Error | null) {
        if (error) reject(error);
        else resolve(this.changes);
      }),
    );
  }

  /** Must run before the connection closes: SQLite refuses to close with live statements. */
  async finalizeAll(): Promise<void> {
    const statements = await Promise.allSettled([...this.statements.values()]);
    this.statements.clear();
    await Promise.all(
      statements.map((result) => (result.status === 'fulfilled' ? new Promise<void>((resolve) => result.value.finalize(() => resolve())) : undefined)),
    );
  }

  private prepared(sql: string): Promise<Statement> {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = new Promise<Statement>((resolve, reject) => {
        const prepared: Statement = this.db.prepare(toSqlite(sql), (error: Error | null) => (error ? reject(error) : resolve(prepared)));
      });
      // A statement that failed to prepare (bad SQL) is not kept.
      statement.catch(() => this.statements.delete(sql));
      this.statements.set(sql, statement);
    }
    return statement;
  }
}

function toSqlite(sql: string): string {
  return sql.replace(/\$(\d+)/g, '?$1');
}
