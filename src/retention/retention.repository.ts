import { Injectable } from '@nestjs/common';
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
   * One bounded batch in one transaction; returns how many families it deleted. On PostgreSQL the
   * batch is picked `FOR UPDATE SKIP LOCKED`, so instances cleaning at the same moment take disjoint
   * batches instead of waiting on (or deadlocking over) each other's rows. On SQLite the writes of a
   * process are queued and SQLite has one writer, so batches simply follow one another.
   */
  deleteEndedFamilies({ expiredBefore, revokedBefore, limit }: EndedFamilies): Promise<number> {
    return this.database.transaction(async (manager) => {
      const select = manager
        .createQueryBuilder(TokenFamilyEntity, 'f')
        .select('f.id', 'id')
        .where('f.expires_at <= :expiredBefore', { expiredBefore })
        .orWhere('f.revoked_at <= :revokedBefore', { revokedBefore })
        .limit(limit);
      if (!this.database.isSqlite) select.setLock('pessimistic_write').setOnLocked('skip_locked');
      const ids = (await select.getRawMany<{ id: string }>()).map((row) => row.id);
      if (ids.length === 0) return 0;
      // Tokens first: the foreign key from refresh_tokens must not see a missing family.
      await manager.createQueryBuilder().delete().from(RefreshTokenEntity).where('family_id IN (:...ids)', { ids }).execute();
      await manager.createQueryBuilder().delete().from(TokenFamilyEntity).where('id IN (:...ids)', { ids }).execute();
      return ids.length;
    });
  }
}
