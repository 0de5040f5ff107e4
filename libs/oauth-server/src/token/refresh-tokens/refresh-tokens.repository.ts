import { Injectable } from '@nestjs/common';
import { In, IsNull, MoreThan } from 'typeorm';
import { DatabaseService } from '../../database/database.service';
import { RefreshTokenEntity } from './refresh-token.entity';
import { FamilySelector, RefreshTokenStore, StoredRefreshToken } from './refresh-token.store';
import { TokenFamilyEntity } from './token-family.entity';

const FIND_BY_HASH = `SELECT t.id, t.token_hash, t.family_id, t.parent_id, t.generation, t.issued_at, t.expires_at, t.consumed_at,
  f.client_id, f.subject, f.scope, f.created_at AS family_created_at, f.expires_at AS family_expires_at,
  f.last_used_at AS family_last_used_at, f.revoked_at AS family_revoked_at, f.revoked_reason AS family_revoked_reason, f.dpop_jkt AS family_dpop_jkt
FROM refresh_tokens t JOIN token_families f ON f.id = t.family_id WHERE t.token_hash = $1`;
const CONSUME = `UPDATE refresh_tokens SET consumed_at = $1 WHERE id = $2 AND consumed_at IS NULL
  AND EXISTS (SELECT 1 FROM token_families f WHERE f.id = refresh_tokens.family_id AND f.revoked_at IS NULL)`;
const INSERT_TOKEN = `INSERT INTO refresh_tokens (id, token_hash, family_id, parent_id, generation, issued_at, expires_at, consumed_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, NULL)`;
// A family not yet bound takes the key of the rotation that binds it (RFC 9449 §5); a bound one keeps its key.
const TOUCH_FAMILY = 'UPDATE token_families SET last_used_at = $1, dpop_jkt = COALESCE(dpop_jkt, $3) WHERE id = $2';
const RECORD_REPLAY = `UPDATE refresh_tokens SET replays = replays + 1 WHERE id = $1 AND consumed_at IS NULL AND replays < $2
  AND EXISTS (SELECT 1 FROM token_families f WHERE f.id = refresh_tokens.family_id AND f.revoked_at IS NULL)`;

/** A row of FIND_BY_HASH; BIGINT columns arrive as strings from node-postgres. */
interface StoredRow {
  id: string;
  token_hash: string;
  family_id: string;
  parent_id: string | null;
  generation: number | string;
  issued_at: number | string;
  expires_at: number | string;
  consumed_at: number | string | null;
  client_id: string;
  subject: string;
  scope: string;
  family_created_at: number | string;
  family_expires_at: number | string;
  family_last_used_at: number | string;
  family_revoked_at: number | string | null;
  family_revoked_reason: string | null;
  family_dpop_jkt: string | null;
}

const instant = (value: number | string | null): number | null => (value === null ? null : Number(value));

function toStored(row: StoredRow): StoredRefreshToken {
  const token = Object.assign(new RefreshTokenEntity(), {
    id: row.id,
    tokenHash: row.token_hash,
    familyId: row.family_id,
    parentId: row.parent_id,
    generation: Number(row.generation),
    issuedAt: Number(row.issued_at),
    expiresAt: Number(row.expires_at),
    consumedAt: instant(row.consumed_at),
  });
  const family = Object.assign(new TokenFamilyEntity(), {
    id: row.family_id,
    clientId: row.client_id,
    subject: row.subject,
    scope: row.scope,
    createdAt: Number(row.family_created_at),
    expiresAt: Number(row.family_expires_at),
    lastUsedAt: Number(row.family_last_used_at),
    revokedAt: instant(row.family_revoked_at),
    revokedReason: row.family_revoked_reason,
    dpopJkt: row.family_dpop_jkt,
  });
  return { token, family };
}

export type { FamilySelector, StoredRefreshToken };

/** The TypeORM/SQL adapter of RefreshTokenStore: hand-written SQL on the hot paths (prepared once, group committed on SQLite). */
@Injectable()
export class RefreshTokensRepository extends RefreshTokenStore {
  constructor(private readonly database: DatabaseService) {
    super();
  }

  async createFamily(family: TokenFamilyEntity, first: RefreshTokenEntity): Promise<void> {
    await this.database.transaction(async (manager) => {
      await manager.insert(TokenFamilyEntity, family);
      await manager.insert(RefreshTokenEntity, first);
    });
  }

  /**
   * The token and its family in one statement (the hot path of every refresh), on the read path:
   * it does not wait for commit groups. What it reads is committed; a rotation that committed
   * meanwhile is caught by the conditional consume, as between instances on PostgreSQL.
   */
  async findByHash(tokenHash: string): Promise<StoredRefreshToken | null> {
    const rows = await this.database.sqlRead<StoredRow>(FIND_BY_HASH, [tokenHash]);
    return rows.length === 0 ? null : toStored(rows[0]);
  }

  /** The token that replaced `parentId` when it was rotated, if any (there is at most one). */
  findSuccessor(parentId: string): Promise<RefreshTokenEntity | null> {
    return this.database.run((manager) => manager.findOneBy(RefreshTokenEntity, { parentId }));
  }

  /**
   * Retires `current` and stores its successor in one transaction. The conditional UPDATE is
   * the whole concurrency control: of any number of requests racing with one token, across
   * processes sharing the database, exactly one sees an affected row; the others get false and
   * nothing of theirs is written (RFC 9700 §4.14.2). Hand-written SQL (prepared once on SQLite):
   * three statements and no query building per rotation; the family check is a primary-key probe, not a scan of the
   * live families (which made each rotation O(families)). `bindDpopJkt` binds a family that is
   * not yet DPoP-bound to that key (RFC 9449 §5), in the same transaction.
   */
  consume(current: RefreshTokenEntity, successor: RefreshTokenEntity, now: number, bindDpopJkt: string | null = null): Promise<boolean> {
    return this.database.sqlTransaction(async (sql) => {
      if ((await sql.run(CONSUME, [now, current.id])) !== 1) return false;
      await sql.run(INSERT_TOKEN, [
        successor.id,
        successor.tokenHash,
        successor.familyId,
        successor.parentId,
        successor.generation,
        successor.issuedAt,
        successor.expiresAt,
      ]);
      await sql.run(TOUCH_FAMILY, [now, current.familyId, bindDpopJkt]);
      return true;
    });
  }

  /**
   * Counts one more replay of `successorId` (a retry answered with it again), when it is still
   * unused, its family unrevoked and fewer than `limit` replays were counted. One conditional
   * UPDATE, like `consume`: of racing retries across instances at most `limit` see an affected row
   * (PostgreSQL re-checks the condition on the row a concurrent UPDATE committed).
   */
  async recordReplay(successorId: string, limit: number): Promise<boolean> {
    return (await this.database.sqlRun((sql) => sql.run(RECORD_REPLAY, [successorId, limit]))) === 1;
  }

  /** Families not revoked and not past their absolute lifetime, newest use first. */
  liveFamilies(where: FamilySelector, now: number): Promise<TokenFamilyEntity[]> {
    return this.database.run((manager) =>
      manager.find(TokenFamilyEntity, { where: { ...where, revokedAt: IsNull(), expiresAt: MoreThan(now) }, order: { lastUsedAt: 'DESC' } }),
    );
  }

  /** Revokes every unrevoked family matching `where`, in one transaction; returns those families. */
  revokeFamilies(where: FamilySelector, now: number, reason: string): Promise<Pick<TokenFamilyEntity, 'id' | 'clientId'>[]> {
    return this.database.transaction(async (manager) => {
      const families = await manager.find(TokenFamilyEntity, { select: { id: true, clientId: true }, where: { ...where, revokedAt: IsNull() } });
      // Still conditional on revoked_at: a family revoked meanwhile (reuse) keeps its first reason.
      for (const chunk of chunks(families, 500)) {
        await manager.update(TokenFamilyEntity, { id: In(chunk.map((family) => family.id)), revokedAt: IsNull() }, { revokedAt: now, revokedReason: reason });
      }
      return families;
    });
  }

  /**
   * Revokes up to `limit` unrevoked families of a client in one statement (no ids loaded), in its
   * own bounded unit of work; returns how many. Callers loop until fewer than `limit` come back,
   * so that a client with any number of families is revoked in steps that each fit the deadline,
   * and a retry after a 503 continues where the last committed step ended (review M5).
   */
  revokeClientFamiliesBatch(clientId: string, now: number, reason: string, limit: number): Promise<number> {
    return this.database.sqlRun((sql) =>
      sql.run(
        `UPDATE token_families SET revoked_at = $1, revoked_reason = $2
         WHERE id IN (SELECT id FROM token_families WHERE client_id = $3 AND revoked_at IS NULL LIMIT ${limit}) AND revoked_at IS NULL`,
        [now, reason, clientId],
      ),
    );
  }

  /** Deletes up to `limit` families of a client (their tokens go by ON DELETE CASCADE); returns how many. */
  deleteClientFamiliesBatch(clientId: string, limit: number): Promise<number> {
    return this.database.sqlRun((sql) =>
      sql.run(`DELETE FROM token_families WHERE id IN (SELECT id FROM token_families WHERE client_id = $1 LIMIT ${limit})`, [clientId]),
    );
  }

  /** Ends every token of the family at once: their checks all read the family's `revoked_at`. */
  async revokeFamily(familyId: string, now: number, reason: string): Promise<boolean> {
    const result = await this.database.transaction((manager) =>
      manager.update(TokenFamilyEntity, { id: familyId, revokedAt: IsNull() }, { revokedAt: now, revokedReason: reason }),
    );
    return (result.affected ?? 0) > 0;
  }
}

function chunks<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, index) => items.slice(index * size, (index + 1) * size));
}
