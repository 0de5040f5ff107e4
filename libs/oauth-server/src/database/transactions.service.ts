import { Injectable } from '@nestjs/common';
import { DatabaseService } from './database.service';

/**
 * The unit of work of the extension API (fosite's MaybeBeginTx): every storage call made inside
 * `run(fn)` — the repositories' and `RefreshTokenFamilies.start`'s — joins one transaction,
 * so that a grant consuming its own record and starting a family does both or neither. On SQLite
 * the calls go through the open transaction (no second queue entry, so no deadlock); on
 * PostgreSQL they share its connection (a rollback undoes all of them). A nested `run` joins the
 * outer one. Bounded by DATABASE_TIMEOUT and refused before COMMIT once the HTTP client left.
 *
 * Calls inside `fn` run one at a time, in the order they are made (one connection); `fn` itself
 * runs once and may do more than storage work (sign a token, say), but nothing in it that cannot
 * be undone should happen before the commit: register it with `afterCommit`.
 *
 * Database work only, no I/O inside `fn` (an upstream HTTP call, a queue): on SQLite the unit holds
 * the one connection every request needs. At DATABASE_TIMEOUT (or the client's disconnect) the
 * unit is rolled back and the connection released even while `fn` still awaits (review M1); every
 * storage call `fn` makes after that fails with the unit's DatabaseUnavailableError.
 */
@Injectable()
export class Transactions {
  constructor(private readonly database: DatabaseService) {}

  run<T>(fn: () => Promise<T>): Promise<T> {
    return this.database.unitOfWork(fn);
  }

  /** Runs `callback` once the enclosing `run` committed (at once outside one); never after a rollback. */
  afterCommit(callback: () => void): void {
    this.database.afterCommit(callback);
  }
}
