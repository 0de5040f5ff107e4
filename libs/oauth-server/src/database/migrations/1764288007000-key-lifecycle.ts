import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Signing-key lifecycle (pending → active → retired → removed) and keys encrypted at rest:
 * - signing_keys.activates_at / remove_after (existing keys became active when they were created);
 * - server_secrets.secret widened to text, since a sealed envelope is longer than 128 characters
 *   (SQLite does not enforce varchar lengths, so only PostgreSQL needs the change);
 * - scheduler_leases: one row per scheduled job, taken with a conditional UPDATE, so exactly one
 *   instance performs a scheduled step (the same statement on SQLite and PostgreSQL).
 */
export class KeyLifecycle1764288007000 implements MigrationInterface {
  name = 'KeyLifecycle1764288007000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE signing_keys ADD COLUMN activates_at bigint');
    await queryRunner.query('ALTER TABLE signing_keys ADD COLUMN remove_after bigint');
    await queryRunner.query('UPDATE signing_keys SET activates_at = created_at');
    if (queryRunner.connection.options.type === 'postgres') {
      await queryRunner.query('ALTER TABLE signing_keys ALTER COLUMN activates_at SET NOT NULL');
      await queryRunner.query('ALTER TABLE server_secrets ALTER COLUMN secret TYPE text');
    }
    await queryRunner.query(
      'CREATE TABLE scheduler_leases (name varchar(64) PRIMARY KEY NOT NULL, holder varchar(64) NOT NULL, expires_at bigint NOT NULL)',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE scheduler_leases');
    await queryRunner.query('ALTER TABLE signing_keys DROP COLUMN remove_after');
    await queryRunner.query('ALTER TABLE signing_keys DROP COLUMN activates_at');
  }
}
