import type { RefreshTokenEntity } from './refresh-token.entity';
import type { TokenFamilyEntity } from './token-family.entity';

export interface StoredRefreshToken {
  token: RefreshTokenEntity;
  family: TokenFamilyEntity;
}

export type FamilySelector = Partial<Pick<TokenFamilyEntity, 'id' | 'clientId' | 'subject'>>;

/**
 * The storage contract of token families and their refresh tokens (Spring's
 * OAuth2AuthorizationService, fosite's storage interfaces), and its DI token. Only hashes of
 * tokens ever reach it. Inside `Transactions.run` every method joins that unit of work. The
 * TypeORM/SQL adapter is RefreshTokensRepository; test/storage-contract.e2e-spec.ts is the
 * contract every adapter passes.
 */
export abstract class RefreshTokenStore {
  /** Stores a new family with its first token, atomically. */
  abstract createFamily(family: TokenFamilyEntity, first: RefreshTokenEntity): Promise<void>;

  /** The token and its family, or null. */
  abstract findByHash(tokenHash: string): Promise<StoredRefreshToken | null>;

  /** The token that replaced `parentId` when it was rotated, if any (there is at most one). */
  abstract findSuccessor(parentId: string): Promise<RefreshTokenEntity | null>;

  /**
   * Compare-and-set rotation: retires `current` (still unused, family unrevoked) and stores
   * `successor`, touching the family (and binding it to `bindDpopJkt` if not yet bound, RFC 9449
   * §5), atomically. Of any number of racing calls with one token, across processes, exactly one
   * gets true; the others get false and write nothing (RFC 9700 §4.14.2).
   */
  abstract consume(current: RefreshTokenEntity, successor: RefreshTokenEntity, now: number, bindDpopJkt?: string | null): Promise<boolean>;

  /** Counts one more replay of the unused `successorId` of an unrevoked family, while fewer than `limit` were counted; true if counted. */
  abstract recordReplay(successorId: string, limit: number): Promise<boolean>;

  /** Families not revoked and not past their absolute lifetime, newest use first. */
  abstract liveFamilies(where: FamilySelector, now: number): Promise<TokenFamilyEntity[]>;

  /** Revokes every unrevoked family matching `where`, atomically; returns those families. */
  abstract revokeFamilies(where: FamilySelector, now: number, reason: string): Promise<Pick<TokenFamilyEntity, 'id' | 'clientId'>[]>;

  /** Revokes up to `limit` unrevoked families of a client; returns how many. */
  abstract revokeClientFamiliesBatch(clientId: string, now: number, reason: string, limit: number): Promise<number>;

  /** Deletes up to `limit` families of a client with their tokens; returns how many. */
  abstract deleteClientFamiliesBatch(clientId: string, limit: number): Promise<number>;

  /** Ends every token of the family at once; false if it was already revoked (its first reason stays). */
  abstract revokeFamily(familyId: string, now: number, reason: string): Promise<boolean>;
}
