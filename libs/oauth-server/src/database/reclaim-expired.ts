import type { EntityManager } from 'typeorm';

/**
 * Expired rows deleted by every insert into a table that an unauthenticated (or public) caller
 * fills. More than one, so that reclaiming outpaces creating whatever the request rate: storage
 * stays bounded by what was created within one lifetime (+ grace), plus a backlog that shrinks with
 * every new row (issue 10 item 4).
 */
export const RECLAIMED_PER_INSERT = 2;

type ReclaimedTable = 'login_requests' | 'pushed_authorization_requests';

/**
 * Deletes up to RECLAIMED_PER_INSERT rows of `table` whose `expires_at` is at or before `before`
 * and before the database's own clock minus `graceMs`: an instance whose clock runs fast must not
 * delete the live requests of the others (review L2). Whichever clock is earlier decides, so a
 * slow clock only reclaims later. SQLite's clock is the host's (one host shares the file).
 */
export async function reclaimExpired(manager: EntityManager, isSqlite: boolean, table: ReclaimedTable, before: number, graceMs: number): Promise<void> {
  // SKIP LOCKED: concurrent inserts on other instances take other rows instead of waiting on these.
  const sql = isSqlite
    ? `DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} WHERE expires_at <= MIN(?1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) - ?2) ORDER BY expires_at LIMIT ${RECLAIMED_PER_INSERT})`
    : `DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} WHERE expires_at <= LEAST($1::bigint, CAST(EXTRACT(EPOCH FROM now()) * 1000 AS bigint) - $2::bigint) ORDER BY expires_at LIMIT ${RECLAIMED_PER_INSERT} FOR UPDATE SKIP LOCKED)`;
  await manager.query(sql, [before, graceMs]);
}
