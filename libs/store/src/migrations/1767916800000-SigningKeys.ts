import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dialectOf } from '../dialect';

/**
 * Gateway signing keys (opt-in; docs/signing-keys.md): the `signing_alg` setting (HS256, the Higress behaviour,
 * for every existing database) and the key table. A key's private half is sealed under the master
 * key (AES-256-GCM, AAD `signing_key:<kid>`) and dropped once the key stops signing.
 */
export class SigningKeys1767916800000 implements MigrationInterface {
  name = 'SigningKeys1767916800000';

  async up(q: QueryRunner): Promise<void> {
    if (dialectOf(q.connection) === 'postgres') return this.upPostgres(q);
    await q.query(`ALTER TABLE "settings" ADD COLUMN "signing_alg" text NOT NULL DEFAULT 'HS256'`);
    await q.query(`CREATE TABLE "signing_key" (
      "kid" text PRIMARY KEY NOT NULL,
      "alg" text NOT NULL CHECK ("alg" IN ('RS256', 'ES256', 'EdDSA')),
      "status" text NOT NULL CHECK ("status" IN ('active', 'inactive', 'retired')),
      "public_jwk" text NOT NULL,
      "private_enc" blob NULL,
      "created_at" text NOT NULL,
      "rotated_at" text NULL,
      "retired_at" text NULL,
      CHECK (("status" = 'active') = ("private_enc" IS NOT NULL)))`);
    // At most one key signs at a time.
    await q.query(`CREATE UNIQUE INDEX "idx_signing_key_one_active" ON "signing_key" ("status") WHERE "status" = 'active'`);
  }

  private async upPostgres(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "settings" ADD COLUMN "signing_alg" text COLLATE "C" NOT NULL DEFAULT 'HS256'`);
    await q.query(`CREATE TABLE "signing_key" (
      "kid" text COLLATE "C" PRIMARY KEY,
      "alg" text COLLATE "C" NOT NULL CHECK ("alg" IN ('RS256', 'ES256', 'EdDSA')),
      "status" text COLLATE "C" NOT NULL CHECK ("status" IN ('active', 'inactive', 'retired')),
      "public_jwk" text COLLATE "C" NOT NULL,
      "private_enc" bytea NULL,
      "created_at" text COLLATE "C" NOT NULL,
      "rotated_at" text COLLATE "C" NULL,
      "retired_at" text COLLATE "C" NULL,
      CHECK (("status" = 'active') = ("private_enc" IS NOT NULL)))`);
    await q.query(`CREATE UNIQUE INDEX "idx_signing_key_one_active" ON "signing_key" ("status") WHERE "status" = 'active'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "signing_key"`);
    await q.query(`ALTER TABLE "settings" DROP COLUMN "signing_alg"`);
  }
}
