import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '../../database/epoch-ms.transformer';

/**
 * One grant: everything a chain of rotated refresh tokens shares. Revoking the family ends every
 * token in it (RFC 9700 §4.14.2), and its absolute lifetime is never extended by rotation.
 */
@Entity('token_families')
@Index('IDX_token_families_subject', ['subject'])
@Index('IDX_token_families_client', ['clientId'])
@Index('IDX_token_families_expires_at', ['expiresAt'])
@Index('IDX_token_families_revoked_at', ['revokedAt'])
export class TokenFamilyEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'client_id', type: 'varchar', length: 64 })
  clientId: string;

  @Column({ type: 'varchar', length: 255 })
  subject: string;

  @Column({ type: 'text' })
  scope: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt: number;

  @Column({ name: 'expires_at', type: 'bigint', transformer: epochMs })
  expiresAt: number;

  @Column({ name: 'last_used_at', type: 'bigint', transformer: epochMs })
  lastUsedAt: number;

  @Column({ name: 'revoked_at', type: 'bigint', nullable: true, transformer: epochMs })
  revokedAt: number | null;

  @Column({ name: 'revoked_reason', type: 'varchar', length: 32, nullable: true })
  revokedReason: string | null;

  /**
   * RFC 9449 §5: the thumbprint of the DPoP key every refresh of this family must prove, for the
   * family's whole life; null for an unbound family (see docs/sender-constraining.md).
   */
  @Column({ name: 'dpop_jkt', type: 'varchar', length: 43, nullable: true })
  dpopJkt: string | null;
}
