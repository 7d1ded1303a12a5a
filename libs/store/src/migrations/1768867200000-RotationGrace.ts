import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dialectOf } from '../dialect';

/**
 * Rotation with a grace period (SPEC §8.4, libs/store/src/consumers.ts rotateSecret): the previous
 * sealed secret (its own AAD, secret-box.ts previousSecretAad), the rotation time and the grace end,
 * in unix seconds. All null without a rotation with grace_seconds > 0. The consumer table's
 * change_log triggers (ChangeLog1768694400000) log these columns' changes like any other.
 */
export class RotationGrace1768867200000 implements MigrationInterface {
  name = 'RotationGrace1768867200000';

  async up(q: QueryRunner): Promise<void> {
    const pg = dialectOf(q.connection) === 'postgres';
    await q.query(`ALTER TABLE "consumer" ADD COLUMN "previous_secret_enc" ${pg ? 'bytea' : 'blob'} NULL`);
    await q.query(`ALTER TABLE "consumer" ADD COLUMN "rotated_at" ${pg ? 'bigint' : 'integer'} NULL`);
    await q.query(`ALTER TABLE "consumer" ADD COLUMN "previous_secret_expires_at" ${pg ? 'bigint' : 'integer'} NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const c of ['previous_secret_expires_at', 'rotated_at', 'previous_secret_enc']) await q.query(`ALTER TABLE "consumer" DROP COLUMN "${c}"`);
  }
}
