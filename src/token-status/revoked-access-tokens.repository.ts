import { Injectable } from '@nestjs/common';
import { LessThanOrEqual } from 'typeorm';
import { DatabaseService } from '../database/database.service';
import { TokenFamilyEntity } from '../token/refresh-tokens/token-family.entity';
import { RevokedAccessTokenEntity } from './revoked-access-token.entity';

/** Revoked access-token ids, and the family state an access token depends on. */
@Injectable()
export class RevokedAccessTokensRepository {
  constructor(private readonly database: DatabaseService) {}

  /**
   * Records the revocation; true when this call revoked it (an already revoked jti is left as it
   * was). Rows whose token has expired are dropped on the way: past `exp` the JWT rejects itself.
   */
  revoke(entry: RevokedAccessTokenEntity): Promise<boolean> {
    return this.database.transaction(async (manager) => {
      await manager.delete(RevokedAccessTokenEntity, { expiresAt: LessThanOrEqual(entry.revokedAt) });
      if (await manager.existsBy(RevokedAccessTokenEntity, { jti: entry.jti })) return false;
      // orIgnore: a concurrent revocation of the same jti on another instance is not an error.
      await manager.createQueryBuilder().insert().into(RevokedAccessTokenEntity).values(entry).orIgnore().execute();
      return true;
    });
  }

  isRevoked(jti: string): Promise<boolean> {
    return this.database.run((manager) => manager.existsBy(RevokedAccessTokenEntity, { jti }));
  }

  /** A family that is gone counts as revoked: its tokens must not outlive it. */
  async isFamilyRevoked(familyId: string): Promise<boolean> {
    const family = await this.database.run((manager) =>
      manager.findOne(TokenFamilyEntity, { select: { id: true, revokedAt: true }, where: { id: familyId } }),
    );
    return !family || family.revokedAt !== null;
  }
}
