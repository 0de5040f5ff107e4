import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

const id = (name: string, length = 36) => ({ name, type: 'varchar', length: String(length), isPrimary: true });
const instant = (name: string, isNullable = false) => ({ name, type: 'bigint', isNullable });

/** Written with TypeORM's schema builder so the one migration runs on SQLite and PostgreSQL. */
export class InitialSchema1764288000000 implements MigrationInterface {
  name = 'InitialSchema1764288000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'oauth_clients',
        columns: [
          id('client_id', 64),
          { name: 'name', type: 'varchar', length: '200' },
          { name: 'secret_hash', type: 'varchar', length: '64', isNullable: true },
          { name: 'token_endpoint_auth_method', type: 'varchar', length: '32' },
          { name: 'grant_types', type: 'text' },
          { name: 'scope', type: 'text', default: "''" },
          { name: 'redirect_uris', type: 'text' },
          instant('created_at'),
          instant('disabled_at', true),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'token_families',
        columns: [
          id('id'),
          { name: 'client_id', type: 'varchar', length: '64' },
          { name: 'subject', type: 'varchar', length: '255' },
          { name: 'scope', type: 'text' },
          instant('created_at'),
          instant('expires_at'),
          instant('last_used_at'),
          instant('revoked_at', true),
          { name: 'revoked_reason', type: 'varchar', length: '32', isNullable: true },
        ],
        foreignKeys: [
          { columnNames: ['client_id'], referencedTableName: 'oauth_clients', referencedColumnNames: ['client_id'], onDelete: 'CASCADE' },
        ],
        indices: [
          new TableIndex({ name: 'IDX_token_families_subject', columnNames: ['subject'] }),
          new TableIndex({ name: 'IDX_token_families_client', columnNames: ['client_id'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'refresh_tokens',
        columns: [
          id('id'),
          { name: 'token_hash', type: 'varchar', length: '64' },
          { name: 'family_id', type: 'varchar', length: '36' },
          { name: 'parent_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'generation', type: 'integer' },
          instant('issued_at'),
          instant('expires_at'),
          instant('consumed_at', true),
        ],
        foreignKeys: [
          { columnNames: ['family_id'], referencedTableName: 'token_families', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
        ],
        indices: [
          new TableIndex({ name: 'UQ_refresh_tokens_token_hash', columnNames: ['token_hash'], isUnique: true }),
          new TableIndex({ name: 'IDX_refresh_tokens_family', columnNames: ['family_id'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'signing_keys',
        columns: [
          id('kid', 64),
          { name: 'alg', type: 'varchar', length: '16' },
          { name: 'private_key', type: 'text' },
          { name: 'public_jwk', type: 'text' },
          instant('created_at'),
          instant('retired_at', true),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['signing_keys', 'refresh_tokens', 'token_families', 'oauth_clients']) {
      await queryRunner.dropTable(table);
    }
  }
}
