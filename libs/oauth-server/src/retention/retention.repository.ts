import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { DatabaseService } from '../database/database.service';
import { RefreshTokenEntity } from '../token/refresh-tokens/refresh-token.entity';
import { TokenFamilyEntity } from '../token/refresh-tokens/token-family.entity';

/** Short-lived records that expired at or before `expiredBefore` (epoch ms) are of no more use. */
export interface ExpiredRecords {
  expiredBefore: number;
  limit: number;
}

/**
 * One bounded delete of rows matching `where` (hand-written SQL whose one `?` is `expiredBefore`).
 * Each entry is a table, its key column and the condition; see RetentionRepository for the locking technique.
 */
interface PurgeTarget {
  table: 'login_requests' | 'pushed_authorization_requests' | 'authorization_codes' | 'revoked_access_tokens' | 'used_jtis';
  /** The primary key's columns (a row value where there are several). */
  key: 'id' | 'jti' | 'namespace, id';
  where: string;
}

const PURGE_TARGETS = {
  loginRequests: {
    table: 'login_requests',
    key: 'id',
    // Handled or not: past its expiry a challenge can be neither accepted nor rejected.
    where: 'expires_at <= ?',
  },
  pushedAuthorizationRequests: {
    table: 'pushed_authorization_requests',
    key: 'id',
    // RFC 9126 §2.2: past its expires_in a request_uri is refused; a used one is already deleted.
    where: 'expires_at <= ?',
  },
  authorizationCodes: {
    table: 'authorization_codes',
    key: 'id',
    // RFC 6749 §4.1.2: a used code is kept while the family issued from it is alive and not revoked,
    // so that presenting the code again can still revoke that family. Once the family is revoked
    // (final) or deleted by the family cleanup (ended), the row has no more work to do. A code that
    // issued only an access token is kept until that token expires (a replay revokes it by jti);
    // an unused one has nothing to revoke past its expiry.
    where:
      '(CASE WHEN access_token_expires_at > expires_at THEN access_token_expires_at ELSE expires_at END) <= ? AND (family_id IS NULL OR NOT EXISTS ' +
      '(SELECT 1 FROM token_families f WHERE f.id = authorization_codes.family_id AND f.revoked_at IS NULL))',
  },
  revokedAccessTokens: {
    table: 'revoked_access_tokens',
    key: 'jti',
    // RFC 7009 §2.2: past its exp the access token rejects itself; its id need not be kept.
    where: 'expires_at <= ?',
  },
  usedJtis: {
    table: 'used_jtis',
    key: 'namespace, id',
    // ReplayCache: past its expiry an id may be presented again (the DPoP proof or client
    // assertion carrying it is refused by its own expiry check), so its row is of no more use.
    where: 'expires_at <= ?',
  },
} satisfies Record<string, PurgeTarget>;

export type PurgeKind = keyof typeof PURGE_TARGETS;
export const PURGE_KINDS = Object.keys(PURGE_TARGETS) as PurgeKind[];

export interface EndedFamilies {
  /** Families past their absolute lifetime at this instant (epoch ms). */
  expiredBefore: number;
  /** Families revoked at or before this instant (epoch ms). */
  revokedBefore: number;
  limit: number;
}

/** Deletes whole families that have ended, with all their tokens; live families are never touched. */
@Injectable()
export class RetentionRepository {
  constructor(private readonly database: DatabaseService) {}

  /** The database server's clock (epoch ms): one clock for every instance's cutoffs. */
  async databaseNow(): Promise<number> {
    const sql = this.database.isSqlite
      ? "SELECT CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) AS now"
      : 'SELECT (extract(epoch from clock_timestamp()) * 1000)::bigint AS now';
    const [row] = (await this.database.run((manager) => manager.query(sql))) as { now: string | number }[];
    return Number(row.now);
  }

  /**
   * One bounded batch in one transaction; returns how many families it deleted.
   *
   * PostgreSQL: the batch is picked `FOR UPDATE SKIP LOCKED` in id order, so instances cleaning at
   * the same moment take disjoint batches instead of waiting on (or deadlocking over) each other's
   * rows. A rotation locks a token row and then its family; this batch locks families and then
   * their tokens, so it takes the tokens `NOWAIT`: should a rotation hold one, the batch fails at
   * once (55P03, retried later by RetentionService) instead of waiting while holding the family
   * locks that rotation waits for (a deadlock, which had failed client requests with 500s).
   * SQLite: one writer at a time. The transaction starts with a write, so it takes the write lock
   * up front (waiting out another process's lock with busy_timeout) rather than reading first and
   * failing with SQLITE_BUSY when it later tries to upgrade; both deletes then see the same batch.
   */
  deleteEndedFamilies(criteria: EndedFamilies): Promise<number> {
    return this.database.transaction((manager) => (this.database.isSqlite ? deleteOnSqlite(manager, criteria) : deleteOnPostgres(manager, criteria)));
  }

  /**
   * One bounded batch of expired records of one kind, in one transaction, with the same technique
   * as the families: `FOR UPDATE SKIP LOCKED` on PostgreSQL, one write-first statement on SQLite.
   */
  purgeExpired(kind: PurgeKind, criteria: ExpiredRecords): Promise<number> {
    const target: PurgeTarget = PURGE_TARGETS[kind];
    return this.database.transaction((manager) => (this.database.isSqlite ? purgeOnSqlite(manager, target, criteria) : purgeOnPostgres(manager, target, criteria)));
  }
}

async function purgeOnPostgres(manager: EntityManager, { table, key, where }: PurgeTarget, { expiredBefore, limit }: ExpiredRecords): Promise<number> {
  const batch = `SELECT ${key} FROM ${table} WHERE ${where.replace('?', '$1')} LIMIT $2 FOR UPDATE SKIP LOCKED`;
  // TypeORM answers a DELETE on PostgreSQL with [rows, affected].
  const [, affected] = (await manager.query(`DELETE FROM ${table} WHERE (${key}) IN (${batch})`, [expiredBefore, limit])) as [unknown, number];
  return Number(affected);
}

async function purgeOnSqlite(manager: EntityManager, { table, key, where }: PurgeTarget, { expiredBefore, limit }: ExpiredRecords): Promise<number> {
  const batch = `SELECT ${key} FROM ${table} WHERE ${where} ORDER BY ${key} LIMIT ?`;
  await manager.query(`DELETE FROM ${table} WHERE (${key}) IN (${batch})`, [expiredBefore, limit]);
  const [{ changes }] = (await manager.query('SELECT changes() AS changes')) as { changes: number }[];
  return Number(changes);
}

async function deleteOnPostgres(manager: EntityManager, { expiredBefore, revokedBefore, limit }: EndedFamilies): Promise<number> {
  const rows = await manager
    .createQueryBuilder(TokenFamilyEntity, 'f')
    .select('f.id', 'id')
    .where('f.expires_at <= :expiredBefore', { expiredBefore })
    .orWhere('f.revoked_at <= :revokedBefore', { revokedBefore })
    .orderBy('f.id')
    .limit(limit)
    .setLock('pessimistic_write')
    .setOnLocked('skip_locked')
    .getRawMany<{ id: string }>();
  const ids = rows.map((row) => row.id);
  if (ids.length === 0) return 0;
  await manager.query('SELECT id FROM refresh_tokens WHERE family_id = ANY($1) ORDER BY id FOR UPDATE NOWAIT', [ids]);
  // Tokens first: the foreign key from refresh_tokens must not see a missing family.
  await manager.createQueryBuilder().delete().from(RefreshTokenEntity).where('family_id IN (:...ids)', { ids }).execute();
  await manager.createQueryBuilder().delete().from(TokenFamilyEntity).where('id IN (:...ids)', { ids }).execute();
  return ids.length;
}

async function deleteOnSqlite(manager: EntityManager, { expiredBefore, revokedBefore, limit }: EndedFamilies): Promise<number> {
  const batch = 'SELECT id FROM token_families WHERE expires_at <= ? OR revoked_at <= ? ORDER BY id LIMIT ?';
  const params = [expiredBefore, revokedBefore, limit];
  await manager.query(`DELETE FROM refresh_tokens WHERE family_id IN (${batch})`, params);
  await manager.query(`DELETE FROM token_families WHERE id IN (${batch})`, params);
  const [{ changes }] = (await manager.query('SELECT changes() AS changes')) as { changes: number }[];
  return Number(changes);
}
