import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../../../database/database.service';
import { RevokedAccessTokenEntity } from '../../../token-status/revoked-access-token.entity';
import { AuthorizationCodeEntity } from './authorization-code.entity';
import { AuthorizationCodeStore } from './authorization-code.store';

/** The TypeORM adapter of AuthorizationCodeStore. */
@Injectable()
export class AuthorizationCodesRepository extends AuthorizationCodeStore {
  constructor(private readonly database: DatabaseService) {
    super();
  }

  findByHash(codeHash: string): Promise<AuthorizationCodeEntity | null> {
    return this.database.run((manager) => manager.findOneBy(AuthorizationCodeEntity, { codeHash }));
  }

  findById(id: string): Promise<AuthorizationCodeEntity | null> {
    return this.database.run((manager) => manager.findOneBy(AuthorizationCodeEntity, { id }));
  }

  /**
   * The conditional UPDATE makes the code single-use even when two requests race with it, across
   * processes: exactly one of them sees an affected row (RFC 6749 §4.1.2).
   */
  consumeForFamily(id: string, now: number, familyId: string): Promise<boolean> {
    return this.database.transaction(async (manager) => {
      const result = await manager
        .createQueryBuilder()
        .update(AuthorizationCodeEntity)
        .set({ consumedAt: now, familyId })
        .where('id = :id AND consumed_at IS NULL', { id })
        .execute();
      return result.affected === 1;
    });
  }

  /**
   * Single-use consumption for a code that starts no family, recording the access token issued
   * for it, so that presenting the code again can revoke that token (RFC 6749 §4.1.2).
   */
  consume(id: string, now: number, accessToken: { jti: string; expiresAt: number }): Promise<boolean> {
    // A transaction, not run(): refused before COMMIT past the deadline, so that a 503 stays "not
    // consumed" and the client's retry is not taken for code reuse (review M3).
    return this.database.transaction(async (manager) => {
      const result = await manager
        .createQueryBuilder()
        .update(AuthorizationCodeEntity)
        .set({ consumedAt: now, accessTokenJti: accessToken.jti, accessTokenExpiresAt: accessToken.expiresAt })
        .where('id = :id AND consumed_at IS NULL', { id })
        .execute();
      return result.affected === 1;
    });
  }

  /**
   * Adds the access token issued for `code` (if it started no family) to the revoked access
   * tokens; introspection reads that list. Idempotent: a code replayed twice revokes once.
   */
  async revokeIssuedAccessToken(code: AuthorizationCodeEntity, now: number): Promise<void> {
    // Past its exp the JWT rejects itself: nothing to record.
    if (code.accessTokenJti === null || code.accessTokenExpiresAt === null || code.accessTokenExpiresAt <= now) return;
    const entry = Object.assign(new RevokedAccessTokenEntity(), { jti: code.accessTokenJti, clientId: code.clientId, expiresAt: code.accessTokenExpiresAt, revokedAt: now });
    await this.database.transaction((manager) => manager.createQueryBuilder().insert().into(RevokedAccessTokenEntity).values(entry).orIgnore().execute());
  }
}
