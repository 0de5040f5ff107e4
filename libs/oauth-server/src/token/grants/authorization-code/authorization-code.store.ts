import type { AuthorizationCodeEntity } from './authorization-code.entity';

/**
 * The storage contract of authorization codes, and its DI token; only hashes of codes ever reach
 * it. Inside `Transactions.run` every method joins that unit of work. The TypeORM adapter is
 * AuthorizationCodesRepository.
 */
export abstract class AuthorizationCodeStore {
  abstract findByHash(codeHash: string): Promise<AuthorizationCodeEntity | null>;

  abstract findById(id: string): Promise<AuthorizationCodeEntity | null>;

  /**
   * Marks the code used, recording the family issued from it; true only for the one call, of any
   * number racing across processes, that found it unused (RFC 6749 §4.1.2). Call it inside the
   * `Transactions.run` that starts the family, so that both happen or neither.
   */
  abstract consumeForFamily(id: string, now: number, familyId: string): Promise<boolean>;

  /** Single-use consumption for a code that starts no family, recording the access token issued for it. */
  abstract consume(id: string, now: number, accessToken: { jti: string; expiresAt: number }): Promise<boolean>;

  /** Revokes the access token issued for a code that started no family (idempotent). */
  abstract revokeIssuedAccessToken(code: AuthorizationCodeEntity, now: number): Promise<void>;
}
