import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/**
 * One row that readiness updates in a transaction: a cheap write probe, so that /health/ready says
 * whether a rotation could commit (a full disk, a read-only file or standby, a held write lock),
 * not merely whether SELECT 1 answers.
 */
export class HealthHeartbeat1764288006000 implements MigrationInterface {
  name = 'HealthHeartbeat1764288006000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'health_heartbeat',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true },
          { name: 'beat_at', type: 'bigint' },
        ],
      }),
    );
    await queryRunner.query('INSERT INTO health_heartbeat (id, beat_at) VALUES (1, 0)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('health_heartbeat');
  }
}
