import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMs } from '../../database/epoch-ms.transformer';

/**
 * A named server-side secret shared by every instance through the database, like the signing keys.
 * Access to the database is access to these secrets: protect it accordingly.
 */
@Entity('server_secrets')
export class ServerSecretEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  name: string;

  /** base64url of the raw key bytes. */
  @Column({ type: 'varchar', length: 128 })
  secret: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt: number;
}
