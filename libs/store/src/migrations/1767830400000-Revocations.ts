import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Token revocations (opt-in; REVOCATION.md). One row per revoked `jti` (kept until the token's
 * `exp`, then purged) or per revoked client (`revoked_before`: tokens with an older `iat` are refused).
 */
export class Revocations1767830400000 implements MigrationInterface {
  name = 'Revocations1767830400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "revocation" (
      "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
      "jti" text NULL UNIQUE,
      "exp" integer NULL,
      "client_id" text NULL UNIQUE,
      "revoked_before" integer NULL,
      "created_at" text NOT NULL,
      CHECK (("jti" IS NULL) <> ("client_id" IS NULL)),
      CHECK (("jti" IS NULL) = ("exp" IS NULL)),
      CHECK (("client_id" IS NULL) = ("revoked_before" IS NULL)))`);
    await q.query(`CREATE INDEX "idx_revocation_exp" ON "revocation" ("exp")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "revocation"`);
  }
}
