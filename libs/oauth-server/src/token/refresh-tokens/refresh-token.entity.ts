import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '../../database/epoch-ms.transformer';

/** One refresh token of a family. Only its SHA-256 hash is stored, never the token. */
@Entity('refresh_tokens')
@Index('IDX_refresh_tokens_family', ['familyId'])
@Index('IDX_refresh_tokens_parent', ['parentId'])
export class RefreshTokenEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Index('UQ_refresh_tokens_token_hash', { unique: true })
  @Column({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash: string;

  @Column({ name: 'family_id', type: 'varchar', length: 36 })
  familyId: string;

  @Column({ name: 'parent_id', type: 'varchar', length: 36, nullable: true })
  parentId: string | null;

  @Column({ type: 'integer' })
  generation: number;

  @Column({ name: 'issued_at', type: 'bigint', transformer: epochMs })
  issuedAt: number;

  /** Idle expiry: issue time + REFRESH_TOKEN_IDLE_TTL. */
  @Column({ name: 'expires_at', type: 'bigint', transformer: epochMs })
  expiresAt: number;

  @Column({ name: 'consumed_at', type: 'bigint', nullable: true, transformer: epochMs })
  consumedAt: number | null;

  /** Retries of the rotation that issued this token answered with it again (REFRESH_TOKEN_RETRY_LIMIT). */
  @Column({ type: 'integer', default: 0 })
  replays: number;
}
