import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/**
 * RFC 9126 pushed authorization requests:
 * - `pushed_authorization_requests`: a validated authorization request waiting for the browser,
 *   found by the SHA-256 of its request_uri (never the reference itself), bound to its client
 *   (RFC 9126 §2.2), deleted when used (one-time) and reclaimed after expiry;
 * - `oauth_clients.require_pushed_authorization_requests` (RFC 9126 §6), off for existing clients.
 *
 * Plain `ALTER TABLE ... ADD COLUMN` (both databases): TypeORM's SQLite addColumn rebuilds the table.
 */
export class PushedAuthorizationRequests1764288010000 implements MigrationInterface {
  name = 'PushedAuthorizationRequests1764288010000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'pushed_authorization_requests',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'request_uri_hash', type: 'varchar', length: '64' },
          { name: 'client_id', type: 'varchar', length: '64' },
          { name: 'parameters', type: 'text' },
          { name: 'created_at', type: 'bigint' },
          { name: 'expires_at', type: 'bigint' },
        ],
        foreignKeys: [{ columnNames: ['client_id'], referencedTableName: 'oauth_clients', referencedColumnNames: ['client_id'], onDelete: 'CASCADE' }],
        indices: [
          new TableIndex({ name: 'UQ_pushed_authorization_requests_request_uri_hash', columnNames: ['request_uri_hash'], isUnique: true }),
          new TableIndex({ name: 'IDX_pushed_authorization_requests_expires_at', columnNames: ['expires_at'] }),
        ],
      }),
    );
    await queryRunner.query('ALTER TABLE oauth_clients ADD COLUMN require_pushed_authorization_requests boolean NOT NULL DEFAULT false');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('oauth_clients', 'require_pushed_authorization_requests');
    await queryRunner.dropTable('pushed_authorization_requests');
  }
}
