import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '../database/epoch-ms.transformer';

/** The `jti` of a revoked access token, kept until the token would have expired anyway. */
@Entity('revoked_access_tokens')
export class RevokedAccessTokenEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  jti: string;

  @Column({ name: 'client_id', type: 'varchar', length: 64 })
  clientId: string;

  @Index('IDX_revoked_access_tokens_expires')
  @Column({ name: 'expires_at', type: 'bigint', transformer: epochMs })
  expiresAt: number;

  @Column({ name: 'revoked_at', type: 'bigint', transformer: epochMs })
  revokedAt: number;
}
