import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * RFC 7591-style `allowed_cors_origins`: the browser origins a client may call the token and
 * revocation endpoints from. A JSON array (simple-json, as `redirect_uris`); existing clients get
 * none, so a cross-origin request for them keeps being refused.
 */
export class ClientCorsOrigins1764288004000 implements MigrationInterface {
  name = 'ClientCorsOrigins1764288004000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'oauth_clients',
      new TableColumn({ name: 'allowed_cors_origins', type: 'text', isNullable: false, default: "'[]'" }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('oauth_clients', 'allowed_cors_origins');
  }
}
