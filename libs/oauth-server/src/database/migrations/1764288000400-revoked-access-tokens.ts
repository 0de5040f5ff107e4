import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/**
 * RFC 7009 §2: a revoked access token (a self-contained JWT) stays signed and unexpired, so its
 * `jti` is remembered until `expires_at`; afterwards the JWT's own `exp` rejects it and the row goes.
 */
export class RevokedAccessTokens1764288000400 implements MigrationInterface {
  name = 'RevokedAccessTokens1764288000400';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'revoked_access_tokens',
        columns: [
          { name: 'jti', type: 'varchar', length: '64', isPrimary: true },
          { name: 'client_id', type: 'varchar', length: '64' },
          { name: 'expires_at', type: 'bigint' },
          { name: 'revoked_at', type: 'bigint' },
        ],
        indices: [new TableIndex({ name: 'IDX_revoked_access_tokens_expires', columnNames: ['expires_at'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('revoked_access_tokens');
  }
}
