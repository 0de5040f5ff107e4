import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `client_registry_version`: one row whose version every write to `oauth_clients` bumps, by
 * triggers, so that whoever writes (an instance, the CLI, hand-written SQL) the client caches of
 * all instances see it by one primary-key read (ClientCache, issue 17).
 */
export class ClientRegistryVersion1764700400000 implements MigrationInterface {
  name = 'ClientRegistryVersion1764700400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE TABLE client_registry_version (id integer PRIMARY KEY, version bigint NOT NULL)');
    await queryRunner.query('INSERT INTO client_registry_version (id, version) VALUES (1, 0)');
    if (queryRunner.connection.options.type === 'postgres') {
      // search_path pinned: the trigger runs in the writer's session, whatever its path.
      await queryRunner.query(`CREATE FUNCTION bump_client_registry_version() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
        BEGIN
          UPDATE client_registry_version SET version = version + 1 WHERE id = 1;
          RETURN NULL;
        END $$`);
      await queryRunner.query(
        'CREATE TRIGGER oauth_clients_bump_version AFTER INSERT OR UPDATE OR DELETE ON oauth_clients FOR EACH STATEMENT EXECUTE FUNCTION bump_client_registry_version()',
      );
      return;
    }
    for (const event of ['INSERT', 'UPDATE', 'DELETE']) {
      await queryRunner.query(
        `CREATE TRIGGER oauth_clients_bump_version_${event.toLowerCase()} AFTER ${event} ON oauth_clients
         BEGIN UPDATE client_registry_version SET version = version + 1 WHERE id = 1; END`,
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type === 'postgres') {
      await queryRunner.query('DROP TRIGGER IF EXISTS oauth_clients_bump_version ON oauth_clients');
      await queryRunner.query('DROP FUNCTION IF EXISTS bump_client_registry_version()');
    } else {
      for (const event of ['insert', 'update', 'delete']) await queryRunner.query(`DROP TRIGGER IF EXISTS oauth_clients_bump_version_${event}`);
    }
    await queryRunner.query('DROP TABLE client_registry_version');
  }
}
