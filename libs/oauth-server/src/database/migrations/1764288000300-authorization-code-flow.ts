import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

const instant = (name: string, isNullable = false) => ({ name, type: 'bigint', isNullable });
const toClient = { columnNames: ['client_id'], referencedTableName: 'oauth_clients', referencedColumnNames: ['client_id'], onDelete: 'CASCADE' };

/** Login requests and authorization codes of the code flow; only hashes of their secrets are stored. */
export class AuthorizationCodeFlow1764288000300 implements MigrationInterface {
  name = 'AuthorizationCodeFlow1764288000300';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'login_requests',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'challenge_hash', type: 'varchar', length: '64' },
          { name: 'client_id', type: 'varchar', length: '64' },
          { name: 'redirect_uri', type: 'text' },
          { name: 'scope', type: 'text' },
          { name: 'state', type: 'text', isNullable: true },
          { name: 'code_challenge', type: 'varchar', length: '64' },
          instant('created_at'),
          instant('expires_at'),
          instant('handled_at', true),
        ],
        foreignKeys: [toClient],
        indices: [new TableIndex({ name: 'UQ_login_requests_challenge_hash', columnNames: ['challenge_hash'], isUnique: true })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'authorization_codes',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'code_hash', type: 'varchar', length: '64' },
          { name: 'client_id', type: 'varchar', length: '64' },
          { name: 'subject', type: 'varchar', length: '255' },
          { name: 'scope', type: 'text' },
          { name: 'redirect_uri', type: 'text' },
          { name: 'code_challenge', type: 'varchar', length: '64' },
          instant('created_at'),
          instant('expires_at'),
          instant('consumed_at', true),
          { name: 'family_id', type: 'varchar', length: '36', isNullable: true },
        ],
        foreignKeys: [toClient],
        indices: [new TableIndex({ name: 'UQ_authorization_codes_code_hash', columnNames: ['code_hash'], isUnique: true })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('authorization_codes');
    await queryRunner.dropTable('login_requests');
  }
}
