import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dialectOf } from '../dialect';

/** The `cors_preflight` setting (not a Higress key): 'authenticate' (default, as before) or 'pass'. */
export class CorsPreflight1768089600000 implements MigrationInterface {
  name = 'CorsPreflight1768089600000';

  async up(q: QueryRunner): Promise<void> {
    const collate = dialectOf(q.connection) === 'postgres' ? ' COLLATE "C"' : '';
    await q.query(`ALTER TABLE "settings" ADD COLUMN "cors_preflight" text${collate} NOT NULL DEFAULT 'authenticate'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "settings" DROP COLUMN "cors_preflight"`);
  }
}
