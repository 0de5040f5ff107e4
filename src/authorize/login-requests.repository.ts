import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../database/database.service';
import { AuthorizationCodeEntity } from '../token/grants/authorization-code/authorization-code.entity';
import { LoginRequestEntity } from './login-request.entity';

/** Storage of pending login requests; only hashes of login challenges ever reach it. */
@Injectable()
export class LoginRequestsRepository {
  constructor(private readonly database: DatabaseService) {}

  async insert(request: LoginRequestEntity): Promise<void> {
    await this.database.run((manager) => manager.insert(LoginRequestEntity, request));
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
