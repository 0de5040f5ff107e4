import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '../../../database/epoch-ms.transformer';

/**
 * RFC 6749 §4.1.2: a short-lived, single-use code bound to the client, the redirect URI and the
 * PKCE challenge (RFC 7636 §4.4). Only the SHA-256 of the code is stored.
 */
@Entity('authorization_codes')
export class AuthorizationCodeEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Index('UQ_authorization_codes_code_hash', { unique: true })
  @Column({ name: 'code_hash', type: 'varchar', length: 64 })
  codeHash: string;

  @Column({ name: 'client_id', type: 'varchar', length: 64 })
  clientId: string;

  @Column({ type: 'varchar', length: 255 })
  subject: string;

  @Column({ type: 'text' })
  scope: string;

  @Column({ name: 'redirect_uri', type: 'text' })
  redirectUri: string;

  @Column({ name: 'code_challenge', type: 'varchar', length: 64 })
  codeChallenge: string;

  /** RFC 9449 §10: the `dpop_jkt` of the authorization request; the code exchange must prove this key. */
  @Column({ name: 'dpop_jkt', type: 'varchar', length: 43, nullable: true })
  dpopJkt: string | null;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt: number;

  @Column({ name: 'expires_at', type: 'bigint', transformer: epochMs })
  expiresAt: number;

  @Column({ name: 'consumed_at', type: 'bigint', nullable: true, transformer: epochMs })
  consumedAt: number | null;

  /** The token family issued for this code, revoked if the code is presented again (§4.1.2). */
  @Column({ name: 'family_id', type: 'varchar', length: 36, nullable: true })
  familyId: string | null;

  /**
   * The access token issued for this code when it started no family (a client without the
   * refresh_token grant): presenting the code again revokes it by this id (RFC 6749 §4.1.2).
   */
  @Column({ name: 'access_token_jti', type: 'varchar', length: 36, nullable: true })
  accessTokenJti: string | null;

  @Column({ name: 'access_token_expires_at', type: 'bigint', nullable: true, transformer: epochMs })
  accessTokenExpiresAt: number | null;
}
