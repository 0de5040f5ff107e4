import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '../database/epoch-ms.transformer';

/**
 * An authorization request pushed to `POST /oauth/par` (RFC 9126 §2), waiting for the browser to
 * bring its request_uri to the authorization endpoint. The request_uri is a bearer reference: only
 * its SHA-256 is stored. `parameters` holds the recognised authorization parameters as pushed
 * (a query string), validated again when used (RFC 9126 §4).
 */
@Entity('pushed_authorization_requests')
export class PushedAuthorizationRequestEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Index('UQ_pushed_authorization_requests_request_uri_hash', { unique: true })
  @Column({ name: 'request_uri_hash', type: 'varchar', length: 64 })
  requestUriHash: string;

  /** RFC 9126 §2.2: the request_uri is bound to the client that pushed the request. */
  @Column({ name: 'client_id', type: 'varchar', length: 64 })
  clientId: string;

  @Column({ type: 'text' })
  parameters: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt: number;

  @Column({ name: 'expires_at', type: 'bigint', transformer: epochMs })
  expiresAt: number;
}
