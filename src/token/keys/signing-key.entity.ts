import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '../../database/epoch-ms.transformer';

/**
 * An access-token signing key, shared by every instance through the database so that restarts
 * and several instances sign with, and publish, the same keys.
 */
@Entity('signing_keys')
@Index('UQ_signing_keys_alg_generation', ['alg', 'generation'], { unique: true })
export class SigningKeyEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  kid: string;

  @Column({ type: 'varchar', length: 16 })
  alg: string;

  /** PKCS#8 PEM. Access to the database is access to this key: protect it like the key itself. */
  @Column({ name: 'private_key', type: 'text' })
  privateKey: string;

  @Column({ name: 'public_jwk', type: 'simple-json' })
  publicJwk: Record<string, string>;

  /** 1, 2, ... per algorithm; unique with `alg`, so concurrent creators of one generation agree. */
  @Column({ type: 'integer', default: 0 })
  generation: number;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt: number;

  @Column({ name: 'retired_at', type: 'bigint', nullable: true, transformer: epochMs })
  retiredAt: number | null;
}
