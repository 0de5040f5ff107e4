import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/**
 * The issuer each server booted with, and when: lets the CLI (and a second instance) see that it
 * would sign under a different issuer than the servers on this database (tokens inactive there).
 */
export class ServiceIssuers1764288005000 implements MigrationInterface {
  name = 'ServiceIssuers1764288005000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'service_issuers',
        columns: [
          { name: 'issuer', type: 'varchar', length: '2048', isPrimary: true },
          { name: 'last_booted_at', type: 'bigint', isNullable: false },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('service_issuers');
  }
}
