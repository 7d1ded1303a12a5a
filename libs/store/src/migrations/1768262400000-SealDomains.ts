import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The sealed secrets' associated data gets a domain prefix names cannot produce (secret-box.ts:
 * `\0consumer\0<name>`, `\0signing_key\0<kid>`; before, a consumer named `signing_key:<kid>` had a
 * key's AAD). A migration has no master key, so this only records the format (1 = old AAD); the
 * store re-seals every row under the new AAD right after migrating (open.ts) and sets it to 2.
 */
export class SealDomains1768262400000 implements MigrationInterface {
  name = 'SealDomains1768262400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "revision" ADD COLUMN "seal_version" integer NOT NULL DEFAULT 1`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "revision" DROP COLUMN "seal_version"`);
  }
}
