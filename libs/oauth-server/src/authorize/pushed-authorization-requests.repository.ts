import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../database/database.service';
import { reclaimExpired } from '../database/reclaim-expired';
import { EXPIRY_GRACE_MS } from '../retention/retention.service';
import { PushedAuthorizationRequestEntity } from './pushed-authorization-request.entity';

/** Storage of pushed authorization requests (RFC 9126); only hashes of request_uri values reach it. */
@Injectable()
export class PushedAuthorizationRequestsRepository {
  constructor(private readonly database: DatabaseService) {}

  /**
   * Stores a pushed request and, in the same transaction, reclaims a few that expired, as login
   * requests do: a public client authenticates with its client_id alone, so pushes must not be
   * able to grow the table faster than it shrinks.
   */
  async insert(request: PushedAuthorizationRequestEntity, now: number): Promise<void> {
    await this.database.transaction(async (manager) => {
      await manager.insert(PushedAuthorizationRequestEntity, request);
      await reclaimExpired(manager, this.database.isSqlite, 'pushed_authorization_requests', now - EXPIRY_GRACE_MS, EXPIRY_GRACE_MS);
    });
  }

  /**
   * The request behind a request_uri, used once: only for the client it was pushed by, before its
   * expiry. The conditional DELETE decides between racing uses, across processes: exactly one
   * gets the request, every other (and every later) use gets null. Another client's attempt
   * consumes nothing.
   */
  async consume(requestUriHash: string, clientId: string, now: number): Promise<PushedAuthorizationRequestEntity | null> {
    const request = await this.database.run((manager) => manager.findOneBy(PushedAuthorizationRequestEntity, { requestUriHash }));
    // RFC 9126 §2.2: the request_uri is bound to the client that pushed the request.
    if (!request || request.clientId !== clientId || request.expiresAt <= now) return null;
    // A transaction, not run(): a use answered 503 must not consume the request after all (review M3).
    const result = await this.database.transaction((manager) =>
      manager
        .createQueryBuilder()
        .delete()
        .from(PushedAuthorizationRequestEntity)
        .where('id = :id AND expires_at > :now', { id: request.id, now })
        .execute(),
    );
    return result.affected === 1 ? request : null;
  }
}
