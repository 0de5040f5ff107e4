import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/** RFC 7662 §2.1: the introspection endpoint MUST require authorization; off for existing clients. */
export class ClientIntrospectionPermission1764288000401 implements MigrationInterface {
  name = 'ClientIntrospectionPermission1764288000401';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'oauth_clients',
      new TableColumn({ name: 'allow_introspection', type: 'boolean', isNullable: false, default: false }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('oauth_clients', 'allow_introspection');
  }
}
