import { Injectable } from '@nestjs/common';
import { LessThanOrEqual } from 'typeorm';
import { DatabaseService } from '../database/database.service';
import { RevokedAccessTokenEntity } from './revoked-access-token.entity';

// Both primary-key probes in one statement (one prepared statement on SQLite, no query building):
// introspection runs it on every access token (docs/readme/issue-6.md). `family_live` is NULL when
// the family row is gone.
const REVOCATION_STATE = `SELECT EXISTS (SELECT 1 FROM revoked_access_tokens WHERE jti = $1) AS revoked,
  (SELECT CASE WHEN revoked_at IS NULL THEN 1 ELSE 0 END FROM token_families WHERE id = $2) AS family_live`;

interface RevocationStateRow {
  revoked: boolean | number | string;
  family_live: number | string | null;
}

const truthy = (value: boolean | number | string | null): boolean => value === true || Number(value) === 1;

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

  /**
   * True when the access token `jti` was revoked, or belongs to a family (`familyId`, when the
   * token has one) that is revoked or gone: a family's tokens must not outlive it (RFC 7009 §2.1).
   */
  isAccessTokenRevoked(jti: string, familyId?: string): Promise<boolean> {
    // On the read path (no wait for commit groups): a revocation is answered only once committed.
    return this.database.sqlRead<RevocationStateRow>(REVOCATION_STATE, [jti, familyId ?? null]).then(
      ([row]) => truthy(row.revoked) || (familyId !== undefined && !truthy(row.family_live)),
    );
  }
}
