import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '../database/epoch-ms.transformer';

/**
 * A validated authorization request waiting for the login application to say who the user is.
 * The `login_challenge` handed to the login app is a bearer secret: only its SHA-256 is stored.
 */
@Entity('login_requests')
export class LoginRequestEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Index('UQ_login_requests_challenge_hash', { unique: true })
  @Column({ name: 'challenge_hash', type: 'varchar', length: 64 })
  challengeHash: string;

  @Column({ name: 'client_id', type: 'varchar', length: 64 })
  clientId: string;

  @Column({ name: 'redirect_uri', type: 'text' })
  redirectUri: string;

  /** The scope the client asked for (or its registered scope when it asked for none). */
  @Column({ type: 'text' })
  scope: string;

  @Column({ type: 'text', nullable: true })
  state: string | null;

  /** RFC 7636 S256 code challenge. */
  @Column({ name: 'code_challenge', type: 'varchar', length: 64 })
  codeChallenge: string;

  /** RFC 9449 §10: the `dpop_jkt` of the authorization request; the code exchange must prove this key. */
  @Column({ name: 'dpop_jkt', type: 'varchar', length: 43, nullable: true })
  dpopJkt: string | null;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt: number;

  @Column({ name: 'expires_at', type: 'bigint', transformer: epochMs })
  expiresAt: number;

  /** Set once, by accept or reject: a challenge is single-use. */
  @Column({ name: 'handled_at', type: 'bigint', nullable: true, transformer: epochMs })
  handledAt: number | null;
}
