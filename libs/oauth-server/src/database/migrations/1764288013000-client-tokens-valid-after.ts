import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `tokens_valid_after`: set when a client is disabled and kept when it is enabled again, so that
 * tokens minted before the disable (client_credentials access tokens, which belong to no family)
 * stay inactive at introspection after the enable (review M5).
 */
export class ClientTokensValidAfter1764288013000 implements MigrationInterface {
  name = 'ClientTokensValidAfter1764288013000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Plain SQL, as the PAR migration: TypeORM's SQLite addColumn rebuilds the table from a cached
    // schema that misses columns earlier migrations added with plain SQL.
    await queryRunner.query('ALTER TABLE oauth_clients ADD COLUMN tokens_valid_after bigint');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('oauth_clients', 'tokens_valid_after');
  }
}
