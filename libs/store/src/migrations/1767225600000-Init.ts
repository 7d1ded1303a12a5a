import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Initial schema. Append-only: never edit a released migration, add a new file instead. */
export class Init1767225600000 implements MigrationInterface {
  name = 'Init1767225600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "settings" (
      "id" integer PRIMARY KEY NOT NULL CHECK ("id" = 1),
      "issuer" text NOT NULL,
      "auth_path" text NOT NULL,
      "global_credentials" boolean NOT NULL,
      "auth_header_name" text NOT NULL,
      "token_ttl" integer NOT NULL,
      "clock_skew_seconds" integer NOT NULL,
      "keep_token" boolean NOT NULL,
      "global_auth" boolean NULL)`);
    await q.query(`INSERT INTO "settings" VALUES (1, 'Higress-Gateway', '/oauth2/token', 1, 'Authorization', 7200, 60, 1, NULL)`);
    await q.query(`CREATE TABLE "revision" (
      "id" integer PRIMARY KEY NOT NULL CHECK ("id" = 1),
      "value" integer NOT NULL,
      "key_check" text NULL)`);
    await q.query(`INSERT INTO "revision" ("id", "value", "key_check") VALUES (1, 1, NULL)`);
    await q.query(`CREATE TABLE "consumer" (
      "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
      "name" text NOT NULL UNIQUE,
      "client_id" text NOT NULL UNIQUE,
      "secret_enc" blob NOT NULL,
      "created_at" text NOT NULL)`);
    await q.query(`CREATE TABLE "route" (
      "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
      "name" text NOT NULL UNIQUE,
      "hosts" text NOT NULL,
      "path_prefix" text NOT NULL,
      "upstream" text NOT NULL,
      "strip_prefix" boolean NOT NULL,
      "created_at" text NOT NULL)`);
    await q.query(`CREATE TABLE "rule" (
      "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
      "position" integer NOT NULL,
      "routes" text NULL,
      "domains" text NULL,
      "allow" text NOT NULL,
      CHECK (("routes" IS NULL) <> ("domains" IS NULL)))`);
    await q.query(`CREATE INDEX "idx_rule_order" ON "rule" ("position", "id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['rule', 'route', 'consumer', 'revision', 'settings']) await q.query(`DROP TABLE "${t}"`);
  }
}
