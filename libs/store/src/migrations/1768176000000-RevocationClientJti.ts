import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dialectOf } from '../dialect';

/**
 * A jti revocation may name the client it is for (`jti_client_id`; docs/revocation.md): the RFC 7009
 * endpoint always does, so one client can no longer revoke another client's token by reusing its
 * `jti`. A jti is then unique per client (NULL = every client: the meaning every existing row keeps).
 * SQLite cannot drop the column's UNIQUE, so the table is rebuilt there.
 */
export class RevocationClientJti1768176000000 implements MigrationInterface {
  name = 'RevocationClientJti1768176000000';

  async up(q: QueryRunner): Promise<void> {
    if (dialectOf(q.connection) === 'postgres') return this.upPostgres(q);
    await q.query(`CREATE TABLE "revocation_new" (
      "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
      "jti" text NULL,
      "jti_client_id" text NULL,
      "exp" integer NULL,
      "client_id" text NULL UNIQUE,
      "revoked_before" integer NULL,
      "created_at" text NOT NULL,
      CHECK (("jti" IS NULL) <> ("client_id" IS NULL)),
      CHECK (("jti" IS NULL) = ("exp" IS NULL)),
      CHECK (("client_id" IS NULL) = ("revoked_before" IS NULL)),
      CHECK ("jti_client_id" IS NULL OR "jti" IS NOT NULL))`);
    await q.query(`INSERT INTO "revocation_new" ("id", "jti", "jti_client_id", "exp", "client_id", "revoked_before", "created_at")
      SELECT "id", "jti", NULL, "exp", "client_id", "revoked_before", "created_at" FROM "revocation"`);
    await q.query(`DROP TABLE "revocation"`);
    await q.query(`ALTER TABLE "revocation_new" RENAME TO "revocation"`);
    await q.query(`CREATE INDEX "idx_revocation_exp" ON "revocation" ("exp")`);
    await q.query(`CREATE UNIQUE INDEX "idx_revocation_jti" ON "revocation" ("jti", (COALESCE("jti_client_id", ''))) WHERE "jti" IS NOT NULL`);
  }

  private async upPostgres(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "revocation" ADD COLUMN "jti_client_id" text COLLATE "C" NULL`);
    await q.query(`ALTER TABLE "revocation" DROP CONSTRAINT IF EXISTS "revocation_jti_key"`);
    await q.query(`ALTER TABLE "revocation" ADD CONSTRAINT "revocation_jti_client_check" CHECK ("jti_client_id" IS NULL OR "jti" IS NOT NULL)`);
    await q.query(`CREATE UNIQUE INDEX "idx_revocation_jti" ON "revocation" ("jti", (COALESCE("jti_client_id", ''))) WHERE "jti" IS NOT NULL`);
  }

  async down(): Promise<void> {
    throw new Error('RevocationClientJti: no down migration (per-client jti revocations would become global)');
  }
}
