import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { DatabaseService } from '../../../database/database.service';
import { AuthorizationCodeEntity } from './authorization-code.entity';

/** Storage of authorization codes; only hashes of codes ever reach it. */
@Injectable()
export class AuthorizationCodesRepository {
  constructor(private readonly database: DatabaseService) {}

  findByHash(codeHash: string): Promise<AuthorizationCodeEntity | null> {
    return this.database.run((manager) => manager.findOneBy(AuthorizationCodeEntity, { codeHash }));
  }

  findById(id: string): Promise<AuthorizationCodeEntity | null> {
    return this.database.run((manager) => manager.findOneBy(AuthorizationCodeEntity, { id }));
  }

  /**
   * Marks the code used, recording the family issued from it, inside the caller's transaction.
   * The conditional UPDATE makes the code single-use even when two requests race with it, across
   * processes: exactly one of them sees an affected row (RFC 6749 §4.1.2).
   */
  async consumeWithin(manager: EntityManager, id: string, now: number, familyId: string | null): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(AuthorizationCodeEntity)
      .set({ consumedAt: now, familyId })
      .where('id = :id AND consumed_at IS NULL', { id })
      .execute();
    return result.affected === 1;
  }

  consume(id: string, now: number): Promise<boolean> {
    return this.database.transaction((manager) => this.consumeWithin(manager, id, now, null));
  }
}
