import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { DatabaseService } from '../database/database.service';
import { RefreshTokenEntity } from '../token/refresh-tokens/refresh-token.entity';
import { TokenFamilyEntity } from '../token/refresh-tokens/token-family.entity';

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

  /**
   * One bounded batch in one transaction; returns how many families it deleted.
   *
   * PostgreSQL: the batch is picked `FOR UPDATE SKIP LOCKED`, so instances cleaning at the same
   * moment take disjoint batches instead of waiting on (or deadlocking over) each other's rows.
   * SQLite: one writer at a time. The transaction starts with a write, so it takes the write lock
   * up front (waiting out another process's lock with busy_timeout) rather than reading first and
   * failing with SQLITE_BUSY when it later tries to upgrade; both deletes then see the same batch.
   */
  deleteEndedFamilies(criteria: EndedFamilies): Promise<number> {
    return this.database.transaction((manager) => (this.database.isSqlite ? deleteOnSqlite(manager, criteria) : deleteOnPostgres(manager, criteria)));
  }
}

async function deleteOnPostgres(manager: EntityManager, { expiredBefore, revokedBefore, limit }: EndedFamilies): Promise<number> {
  const rows = await manager
    .createQueryBuilder(TokenFamilyEntity, 'f')
    .select('f.id', 'id')
    .where('f.expires_at <= :expiredBefore', { expiredBefore })
    .orWhere('f.revoked_at <= :revokedBefore', { revokedBefore })
    .limit(limit)
    .setLock('pessimistic_write')
    .setOnLocked('skip_locked')
    .getRawMany<{ id: string }>();
  const ids = rows.map((row) => row.id);
  if (ids.length === 0) return 0;
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
