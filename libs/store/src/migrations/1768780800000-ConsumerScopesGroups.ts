import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dialectOf } from '../dialect';

/**
 * SPEC §8: a consumer's `scopes` (JSON array, NULL = unrestricted, the Higress behaviour) and
 * `groups` (JSON array); a rule's `allow_groups` and required `scopes` (JSON arrays). Existing rows
 * keep their meaning: consumers unrestricted and in no group, rules with no groups and no scopes.
 * The change_log triggers log whole rows, so the new columns need nothing there.
 */
export class ConsumerScopesGroups1768780800000 implements MigrationInterface {
  name = 'ConsumerScopesGroups1768780800000';

  async up(q: QueryRunner): Promise<void> {
    const text = dialectOf(q.connection) === 'postgres' ? 'text COLLATE "C"' : 'text';
    await q.query(`ALTER TABLE "consumer" ADD COLUMN "scopes" ${text} NULL`);
    await q.query(`ALTER TABLE "consumer" ADD COLUMN "groups" ${text} NOT NULL DEFAULT '[]'`);
    await q.query(`ALTER TABLE "rule" ADD COLUMN "allow_groups" ${text} NOT NULL DEFAULT '[]'`);
    await q.query(`ALTER TABLE "rule" ADD COLUMN "scopes" ${text} NOT NULL DEFAULT '[]'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "rule" DROP COLUMN "scopes"`);
    await q.query(`ALTER TABLE "rule" DROP COLUMN "allow_groups"`);
    await q.query(`ALTER TABLE "consumer" DROP COLUMN "groups"`);
    await q.query(`ALTER TABLE "consumer" DROP COLUMN "scopes"`);
  }
}
