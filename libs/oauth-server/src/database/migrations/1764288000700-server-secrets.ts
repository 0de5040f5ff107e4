import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/**
 * Server-side secrets shared by every instance (first: the refresh-token derivation key), and an
 * index to find the successor of a rotated refresh token when a retry of that rotation arrives.
 */
export class ServerSecrets1764288000700 implements MigrationInterface {
  name = 'ServerSecrets1764288000700';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'server_secrets',
        columns: [
          { name: 'name', type: 'varchar', length: '64', isPrimary: true },
          { name: 'secret', type: 'varchar', length: '128' },
          { name: 'created_at', type: 'bigint' },
        ],
      }),
    );
    await queryRunner.createIndex('refresh_tokens', new TableIndex({ name: 'IDX_refresh_tokens_parent', columnNames: ['parent_id'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('refresh_tokens', 'IDX_refresh_tokens_parent');
    await queryRunner.dropTable('server_secrets');
  }
}
