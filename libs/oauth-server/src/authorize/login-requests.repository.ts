import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../database/database.service';
import { AuthorizationCodeEntity } from '../token/grants/authorization-code/authorization-code.entity';
import { EXPIRY_GRACE_MS } from '../retention/retention.service';
import { LoginRequestEntity } from './login-request.entity';
import { LoginRequestStore } from './login-request.store';
import { RECLAIMED_PER_INSERT, reclaimExpired } from '../database/reclaim-expired';

// Re-exported: the bound on stored login requests is pinned by test/login-request-storage.e2e-spec.ts.
export { RECLAIMED_PER_INSERT };

/** The TypeORM adapter of LoginRequestStore. */
@Injectable()
export class LoginRequestsRepository extends LoginRequestStore {
  constructor(private readonly database: DatabaseService) {
    super();
  }

  /**
   * Stores a new login request and, in the same transaction, deletes up to RECLAIMED_PER_INSERT
   * requests that expired more than EXPIRY_GRACE_MS before `now`. `GET /oauth/authorize` is
   * unauthenticated: an hourly retention run (bounded per kind) cannot keep up with what one
   * client can write, but the writes themselves can (issue 10 item 4). An expired request can no
   * longer be accepted or rejected (`handle` checks `expires_at`), so nothing live is lost.
   */
  async insert(request: LoginRequestEntity, now: number): Promise<void> {
    await this.database.transaction(async (manager) => {
      await manager.insert(LoginRequestEntity, request);
      await reclaimExpired(manager, this.database.isSqlite, 'login_requests', now - EXPIRY_GRACE_MS, EXPIRY_GRACE_MS);
    });
  }

  findByChallengeHash(challengeHash: string): Promise<LoginRequestEntity | null> {
    return this.database.run((manager) => manager.findOneBy(LoginRequestEntity, { challengeHash }));
  }

  /**
   * Closes the request and, on accept, stores its code, in one transaction. The conditional UPDATE
   * makes the challenge single-use across racing requests and processes: false means it was
   * already handled or had expired, and nothing was written.
   */
  handle(id: string, now: number, code?: AuthorizationCodeEntity): Promise<boolean> {
    return this.database.transaction(async (manager) => {
      const result = await manager
        .createQueryBuilder()
        .update(LoginRequestEntity)
        .set({ handledAt: now })
        .where('id = :id AND handled_at IS NULL AND expires_at > :now', { id, now })
        .execute();
      if (result.affected !== 1) return false;
      if (code) await manager.insert(AuthorizationCodeEntity, code);
      return true;
    });
  }
}
