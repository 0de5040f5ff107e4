import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';

/**
 * Several instances on one database:
 * - numbers the signing keys of each algorithm and makes (alg, generation) unique, so that instances
 *   starting at once on an empty database insert-if-absent the same generation and all converge on
 *   the one key that won (see SigningKeysService);
 * - indexes the family columns the retention cleanup selects on, so that its batches do not scan.
 */
export class ScaleOutSchema1764288000500 implements MigrationInterface {
  name = 'ScaleOutSchema1764288000500';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('signing_keys', new TableColumn({ name: 'generation', type: 'integer', default: 0 }));
    const keys: { kid: string; alg: string }[] = await queryRunner.manager
      .createQueryBuilder()
      .select(['kid', 'alg'])
      .from('signing_keys', 'k')
      .orderBy('created_at', 'ASC')
      .addOrderBy('kid', 'ASC')
      .getRawMany();
    const counters = new Map<string, number>();
    for (const key of keys) {
      const generation = (counters.get(key.alg) ?? 0) + 1;
      counters.set(key.alg, generation);
      await queryRunner.manager.createQueryBuilder().update('signing_keys').set({ generation }).where('kid = :kid', { kid: key.kid }).execute();
    }
    await queryRunner.createIndex('signing_keys', new TableIndex({ name: 'UQ_signing_keys_alg_generation', columnNames: ['alg', 'generation'], isUnique: true }));
    await queryRunner.createIndex('token_families', new TableIndex({ name: 'IDX_token_families_expires_at', columnNames: ['expires_at'] }));
    await queryRunner.createIndex('token_families', new TableIndex({ name: 'IDX_token_families_revoked_at', columnNames: ['revoked_at'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('token_families', 'IDX_token_families_revoked_at');
    await queryRunner.dropIndex('token_families', 'IDX_token_families_expires_at');
    await queryRunner.dropIndex('signing_keys', 'UQ_signing_keys_alg_generation');
    await queryRunner.dropColumn('signing_keys', 'generation');
  }
}
