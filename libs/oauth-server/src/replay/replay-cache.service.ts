import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { Clock } from '../common/clock';
import { DatabaseService } from '../database/database.service';

/** A namespace is a short fixed word chosen by the caller (column `used_jtis.namespace`). */
const NAMESPACE = /^[a-z][a-z0-9_]{0,31}$/;

/**
 * One statement, so it is atomic across instances without a transaction: the row is inserted, or an
 * expired row for the same id is taken over (its old use no longer counts: the id's own lifetime is
 * over, so whatever carried it is refused by its expiry check first). A live row is left alone and
 * nothing changes, which is how a replay shows: 0 rows. On PostgreSQL a concurrent insert of the
 * same key waits for the first one's commit and then re-evaluates the WHERE on the row it wrote.
 */
const USE_ONCE =
  'INSERT INTO used_jtis (namespace, id, expires_at) VALUES ($1, $2, $3) ' +
  'ON CONFLICT (namespace, id) DO UPDATE SET expires_at = excluded.expires_at WHERE used_jtis.expires_at <= $4';

/**
 * The shared single-use store: remembers an id (a DPoP proof's `jti`, RFC 9449 §11.1; a client
 * assertion's `jti`, RFC 7523 §3 item 7) until it expires, in the database every instance uses.
 * Expired rows are purged by the retention job (RetentionRepository, kind `usedJtis`).
 */
@Injectable()
export class ReplayCache {
  constructor(
    private readonly database: DatabaseService,
    private readonly clock: Clock,
  ) {}

  /**
   * True the first time (namespace, id) is presented before `expiresAtMs`; false for a replay.
   * Atomic across instances (one database row per id, INSERT … ON CONFLICT DO NOTHING unless the
   * row has expired). An `expiresAtMs` already in the past is false: such an id cannot be
   * remembered, so it cannot be single-use (callers check expiry first anyway).
   */
  async useOnce(namespace: 'dpop' | 'client_assertion' | string, id: string, expiresAtMs: number): Promise<boolean> {
    if (!NAMESPACE.test(namespace)) throw new Error(`ReplayCache: invalid namespace ${JSON.stringify(namespace)}`);
    if (!Number.isSafeInteger(Math.trunc(expiresAtMs))) throw new Error('ReplayCache: expiresAtMs must be a finite epoch-ms instant');
    const now = this.clock.now();
    const expiresAt = Math.trunc(expiresAtMs);
    if (expiresAt <= now) return false;
    // The id is stored as its SHA-256: bounded size and no presented text in the table.
    const key = createHash('sha256').update(id, 'utf8').digest('hex');
    const changed = await this.database.sqlRun((sql) => sql.run(USE_ONCE, [namespace, key, expiresAt, now]));
    return changed === 1;
  }
}
