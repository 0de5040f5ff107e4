/**
 * Hand-written SQL for hot paths, on either driver. Statements use PostgreSQL's `$1, $2, ...`
 * placeholders; on SQLite they become `?1, ?2, ...` (same indexes). Instants come back as numbers
 * on SQLite and as strings on PostgreSQL (BIGINT): convert with `Number()`.
 */
export interface SqlExecutor {
  /** Rows of a SELECT (or of a statement with RETURNING). */
  all<Row>(sql: string, params: unknown[]): Promise<Row[]>;
  /** Number of rows changed by an INSERT, UPDATE or DELETE. */
  run(sql: string, params: unknown[]): Promise<number>;
}
