import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * RFC 9449 (DPoP): the key thumbprint a token family and an authorization code are bound to
 * (`dpop_jkt`, §5 and §10; the login request carries it from /authorize to the code), and the
 * client registration field `dpop_bound_access_tokens` (§5.2).
 */
export class DpopBinding1764288008000 implements MigrationInterface {
  name = 'DpopBinding1764288008000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['token_families', 'authorization_codes', 'login_requests']) {
      await queryRunner.addColumn(table, new TableColumn({ name: 'dpop_jkt', type: 'varchar', length: '43', isNullable: true }));
    }
    await queryRunner.addColumn('oauth_clients', new TableColumn({ name: 'dpop_bound_access_tokens', type: 'boolean', default: false }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('oauth_clients', 'dpop_bound_access_tokens');
    for (const table of ['login_requests', 'authorization_codes', 'token_families']) await queryRunner.dropColumn(table, 'dpop_jkt');
  }
}
