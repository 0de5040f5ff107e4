import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '../../database/epoch-ms.transformer';

/**
 * An access-token signing key, shared by every instance through the database so that restarts
 * and several instances sign with, and publish, the same keys. Its state follows from instants
 * (see SigningKeySchedule), so every instance derives the same state from the same row:
 *   pending  activates_at > now                 published, signs nothing yet
 *   active   activates_at <= now, not retired   published; the newest active key signs
 *   retired  retired_at set                     published until remove_after, signs nothing
 *   removed  remove_after <= now                not published, not accepted; the row is deleted
 */
@Entity('signing_keys')
@Index('UQ_signing_keys_alg_generation', ['alg', 'generation'], { unique: true })
export class SigningKeyEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  kid: string;

  @Column({ type: 'varchar', length: 16 })
  alg: string;

  /**
   * PKCS#8 PEM, sealed by KeyEncryption when KEY_ENCRYPTION_KEY is set (otherwise plaintext, and
   * access to the database is access to this key).
   */
  @Column({ name: 'private_key', type: 'text' })
  privateKey: string;

  @Column({ name: 'public_jwk', type: 'simple-json' })
  publicJwk: Record<string, string>;

  /** 1, 2, ... per algorithm; unique with `alg`, so concurrent creators of one generation agree. */
  @Column({ type: 'integer', default: 0 })
  generation: number;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt: number;

  /** When it starts signing; until then it is only published (pending). */
  @Column({ name: 'activates_at', type: 'bigint', transformer: epochMs })
  activatesAt: number;

  /** When it stopped signing (superseded or retired by hand). */
  @Column({ name: 'retired_at', type: 'bigint', nullable: true, transformer: epochMs })
  retiredAt: number | null;

  /** When it leaves the JWKS and verification: every token it signed has expired by then. */
  @Column({ name: 'remove_after', type: 'bigint', nullable: true, transformer: epochMs })
  removeAfter: number | null;
}
