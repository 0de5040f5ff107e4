import { Injectable } from '@nestjs/common';
import { EntityManager, In, IsNull, MoreThan } from 'typeorm';
import { DatabaseService } from '../../database/database.service';
import { RefreshTokenEntity } from './refresh-token.entity';
import { TokenFamilyEntity } from './token-family.entity';

export interface StoredRefreshToken {
  token: RefreshTokenEntity;
  family: TokenFamilyEntity;
}

/** Work that must commit or roll back together with a new family, e.g. consuming the code it is issued for. */
export type FamilyTransactionHook = (manager: EntityManager, familyId: string) => Promise<void>;

/** Storage of token families and their refresh tokens; only hashes of tokens ever reach it. */
@Injectable()
export class RefreshTokensRepository {
  constructor(private readonly database: DatabaseService) {}

  /** `within` runs in the same transaction; if it throws, the family is not created. */
  async createFamily(family: TokenFamilyEntity, first: RefreshTokenEntity, within?: FamilyTransactionHook): Promise<void> {
    await this.database.transaction(async (manager) => {
      await manager.insert(TokenFamilyEntity, family);
      await manager.insert(RefreshTokenEntity, first);
      if (within) await within(manager, family.id);
    });
  }

  findByHash(tokenHash: string): Promise<StoredRefreshToken | null> {
    return this.database.run(async (manager) => {
      const token = await manager.findOneBy(RefreshTokenEntity, { tokenHash });
      if (!token) return null;
      const family = await manager.findOneByOrFail(TokenFamilyEntity, { id: token.familyId });
      return { token, family };
    });
  }

  /** The token that replaced `parentId` when it was rotated, if any (there is at most one). */
  findSuccessor(parentId: string): Promise<RefreshTokenEntity | null> {
    return this.database.run((manager) => manager.findOneBy(RefreshTokenEntity, { parentId }));
  }

  /**
   * Retires `current` and stores its successor in one transaction. The conditional UPDATE is
   * the whole concurrency control: of any number of requests racing with one token, across
   * processes sharing the database, exactly one sees an affected row; the others get false and
   * nothing of theirs is written (RFC 9700 §4.14.2).
   */
  consume(current: RefreshTokenEntity, successor: RefreshTokenEntity, now: number): Promise<boolean> {
    return this.database.transaction(async (manager) => {
      const liveFamilies = manager
        .createQueryBuilder()
        .subQuery()
        .select('f.id')
        .from(TokenFamilyEntity, 'f')
        .where('f.revoked_at IS NULL')
        .getQuery();
      const result = await manager
        .createQueryBuilder()
        .update(RefreshTokenEntity)
        .set({ consumedAt: now })
        .where('id = :id AND consumed_at IS NULL', { id: current.id })
        .andWhere(`family_id IN ${liveFamilies}`)
        .execute();
      if (result.affected !== 1) return false;
      await manager.insert(RefreshTokenEntity, successor);
      await manager.update(TokenFamilyEntity, { id: current.familyId }, { lastUsedAt: now });
      return true;
    });
  }

  /** Families not revoked and not past their absolute lifetime, newest use first. */
  liveFamilies(where: FamilySelector, now: number): Promise<TokenFamilyEntity[]> {
    return this.database.run((manager) =>
      manager.find(TokenFamilyEntity, { where: { ...where, revokedAt: IsNull(), expiresAt: MoreThan(now) }, order: { lastUsedAt: 'DESC' } }),
    );
  }

  /** Revokes every unrevoked family matching `where`, in one transaction; returns those families. */
  revokeFamilies(where: FamilySelector, now: number, reason: string): Promise<Pick<TokenFamilyEntity, 'id' | 'clientId'>[]> {
    return this.database.transaction(async (manager) => {
      const families = await manager.find(TokenFamilyEntity, { select: { id: true, clientId: true }, where: { ...where, revokedAt: IsNull() } });
      // Still conditional on revoked_at: a family revoked meanwhile (reuse) keeps its first reason.
      for (const chunk of chunks(families, 500)) {
        await manager.update(TokenFamilyEntity, { id: In(chunk.map((family) => family.id)), revokedAt: IsNull() }, { revokedAt: now, revokedReason: reason });
      }
      return families;
    });
  }

  /** Ends every token of the family at once: their checks all read the family's `revoked_at`. */
  async revokeFamily(familyId: string, now: number, reason: string): Promise<boolean> {
    const result = await this.database.run((manager) => revokeWhere(manager, { id: familyId }, now, reason));
    return result > 0;
  }
}

export type FamilySelector = Partial<Pick<TokenFamilyEntity, 'id' | 'clientId' | 'subject'>>;

function chunks<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, index) => items.slice(index * size, (index + 1) * size));
}

async function revokeWhere(
  manager: EntityManager,
  where: Partial<Pick<TokenFamilyEntity, 'id' | 'clientId' | 'subject'>>,
  now: number,
  reason: string,
): Promise<number> {
  const result = await manager.update(TokenFamilyEntity, { ...where, revokedAt: IsNull() }, { revokedAt: now, revokedReason: reason });
  return result.affected ?? 0;
}
