import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The `require_https` setting (not a Higress key, docs/tls.md): false (default, as before) or true. */
export class RequireHttps1768435200000 implements MigrationInterface {
  name = 'RequireHttps1768435200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "settings" ADD COLUMN "require_https" boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "settings" DROP COLUMN "require_https"`);
  }
}
