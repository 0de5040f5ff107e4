import type { EntityManager } from 'typeorm';

/**
 * Expired rows deleted by every insert into a table that an unauthenticated (or public) caller
 * fills. More than one, so that reclaiming outpaces creating whatever the request rate: storage
 * stays bounded by what was created within one lifetime (+ grace), plus a backlog that shrinks with
 * every new row (issue 10 item 4).
 */
export const RECLAIMED_PER_INSERT = 2;

type ReclaimedTable = 'login_requests' | 'pushed_authorization_requests';

/** Deletes up to RECLAIMED_PER_INSERT rows of `table` whose `expires_at` is at or before `before`. */
export async function reclaimExpired(manager: EntityManager, isSqlite: boolean, table: ReclaimedTable, before: number): Promise<void> {
  // SKIP LOCKED: concurrent inserts on other instances take other rows instead of waiting on these.
  const sql = isSqlite
    ? `DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} WHERE expires_at <= ? ORDER BY expires_at LIMIT ${RECLAIMED_PER_INSERT})`
    : `DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} WHERE expires_at <= $1 ORDER BY expires_at LIMIT ${RECLAIMED_PER_INSERT} FOR UPDATE SKIP LOCKED)`;
  await manager.query(sql, [before]);
}
