import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/**
 * ReplayCache (src/replay): one row per single-use id (a DPoP proof's or a client assertion's
 * `jti`) until it expires, so a replay is refused on every instance. The primary key is what makes
 * `INSERT … ON CONFLICT` atomic; `expires_at` is indexed for the retention purge.
 */
export class UsedJtis1764288009000 implements MigrationInterface {
  name = 'UsedJtis1764288009000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'used_jtis',
        columns: [
          { name: 'namespace', type: 'varchar', length: '32', isPrimary: true },
          // SHA-256 (hex) of the caller's id: fixed size whatever the presented jti's length.
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'expires_at', type: 'bigint', isNullable: false },
        ],
        indices: [new TableIndex({ name: 'IDX_used_jtis_expires', columnNames: ['expires_at'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('used_jtis');
  }
}
