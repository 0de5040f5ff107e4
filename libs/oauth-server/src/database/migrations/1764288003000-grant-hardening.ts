import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/**
 * - `refresh_tokens.replays`: how many times a retry of the rotation that issued this token was
 *   answered with it again, so the retry window hands out a bounded number of access tokens
 *   (REFRESH_TOKEN_RETRY_LIMIT), counted by one conditional UPDATE.
 * - `authorization_codes.access_token_jti` / `access_token_expires_at`: the access token issued for
 *   a code that started no family, so presenting the code again can still revoke it (RFC 6749 §4.1.2).
 * - an index on `login_requests.expires_at`: every new login request reclaims a few expired ones.
 *
 * Plain `ALTER TABLE ... ADD COLUMN` (both databases): TypeORM's SQLite addColumn rebuilds the table.
 */
export class GrantHardening1764288003000 implements MigrationInterface {
  name = 'GrantHardening1764288003000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE refresh_tokens ADD COLUMN replays integer NOT NULL DEFAULT 0');
    await queryRunner.query('ALTER TABLE authorization_codes ADD COLUMN access_token_jti varchar(36) NULL');
    await queryRunner.query('ALTER TABLE authorization_codes ADD COLUMN access_token_expires_at bigint NULL');
    await queryRunner.createIndex('login_requests', new TableIndex({ name: 'IDX_login_requests_expires_at', columnNames: ['expires_at'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('login_requests', 'IDX_login_requests_expires_at');
    await queryRunner.dropColumn('authorization_codes', 'access_token_expires_at');
    await queryRunner.dropColumn('authorization_codes', 'access_token_jti');
    await queryRunner.dropColumn('refresh_tokens', 'replays');
  }
}
