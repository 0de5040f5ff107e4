import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMs } from '../../database/epoch-ms.transformer';

/**
 * A named server-side secret shared by every instance through the database, like the signing keys.
 * Without KEY_ENCRYPTION_KEY, access to the database is access to these secrets.
 */
@Entity('server_secrets')
export class ServerSecretEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  name: string;

  /** base64url of the raw key bytes, sealed by KeyEncryption when KEY_ENCRYPTION_KEY is set. */
  @Column({ type: 'text' })
  secret: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt: number;
}
