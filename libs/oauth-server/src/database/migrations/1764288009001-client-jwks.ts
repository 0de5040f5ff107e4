import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * RFC 7523 / OpenID Connect Core §9 `private_key_jwt`: the client's public keys, registered inline
 * (`jwks`, a JWK Set as JSON text) or by reference (`jwks_uri`, fetched SSRF-safe). Never private keys.
 */
export class ClientJwks1764288009001 implements MigrationInterface {
  name = 'ClientJwks1764288009001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('oauth_clients', [
      new TableColumn({ name: 'jwks', type: 'text', isNullable: true }),
      new TableColumn({ name: 'jwks_uri', type: 'varchar', length: '2048', isNullable: true }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('oauth_clients', 'jwks_uri');
    await queryRunner.dropColumn('oauth_clients', 'jwks');
  }
}
