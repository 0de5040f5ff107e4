import type { AuthorizationCodeEntity } from '../token/grants/authorization-code/authorization-code.entity';
import type { LoginRequestEntity } from './login-request.entity';

/**
 * The storage contract of pending login requests, and its DI token; only hashes of login
 * challenges ever reach it. Inside `Transactions.run` every method joins that unit of work. The
 * TypeORM adapter is LoginRequestsRepository.
 */
export abstract class LoginRequestStore {
  /** Stores a new request (and may reclaim requests long expired before `now`). */
  abstract insert(request: LoginRequestEntity, now: number): Promise<void>;

  abstract findByChallengeHash(challengeHash: string): Promise<LoginRequestEntity | null>;

  /**
   * Closes the unexpired, unhandled request and, on accept, stores its code, atomically; false (and
   * nothing written) when it was already handled or expired, of any number of racing calls.
   */
  abstract handle(id: string, now: number, code?: AuthorizationCodeEntity): Promise<boolean>;
}
