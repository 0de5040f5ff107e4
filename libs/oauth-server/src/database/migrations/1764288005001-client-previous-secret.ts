import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * `clients:rotate-secret --keep-old-for SECONDS`: the replaced secret's hash (never the secret) and
 * the instant it stops working, so both secrets are accepted during a deployment's overlap.
 */
export class ClientPreviousSecret1764288005001 implements MigrationInterface {
  name = 'ClientPreviousSecret1764288005001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('oauth_clients', [
      new TableColumn({ name: 'previous_secret_hash', type: 'varchar', length: '64', isNullable: true }),
      new TableColumn({ name: 'previous_secret_expires_at', type: 'bigint', isNullable: true }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('oauth_clients', 'previous_secret_expires_at');
    await queryRunner.dropColumn('oauth_clients', 'previous_secret_hash');
  }
}
