import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dialectOf } from '../dialect';

/**
 * What each revision changed (snapshot-load.ts, incremental reload): one `change_log` row per
 * changed row of a config table, `(revision, tbl, key)`, written by triggers in the transaction of
 * the write itself, so history and data can never disagree and no write path can forget it. A
 * gateway at revision r reads the keys changed in (r, now] and re-reads just those rows.
 * `revision.history_from`: the log is complete for every revision after it (raised by pruning).
 */
export const LOGGED_TABLES: ReadonlyArray<readonly [table: string, key: string]> = [
  ['consumer', 'name'],
  ['route', 'name'],
  ['rule', 'id'],
  ['settings', 'id'],
  ['revocation', 'id'],
  ['signing_key', 'kid'],
];

export class ChangeLog1768694400000 implements MigrationInterface {
  name = 'ChangeLog1768694400000';

  async up(q: QueryRunner): Promise<void> {
    const pg = dialectOf(q.connection) === 'postgres';
    const text = pg ? 'text COLLATE "C"' : 'text';
    await q.query(`CREATE TABLE "change_log" ("revision" integer NOT NULL, "tbl" ${text} NOT NULL, "key" ${text} NOT NULL)`);
    await q.query(`CREATE INDEX "idx_change_log_revision" ON "change_log" ("revision")`);
    await q.query(`ALTER TABLE "revision" ADD COLUMN "history_from" integer NOT NULL DEFAULT 0`);
    // History starts now: a gateway at an older revision loads in full once.
    await q.query(`UPDATE "revision" SET "history_from" = "value"`);
    for (const [table, key] of LOGGED_TABLES) {
      const log = (row: 'NEW' | 'OLD') => `INSERT INTO "change_log" ("revision", "tbl", "key") SELECT "value", '${table}', CAST(${row}."${key}" AS text) FROM "revision" WHERE "id" = 1;`;
      if (pg) {
        await q.query(`CREATE FUNCTION "oauth2_log_${table}"() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            IF TG_OP <> 'INSERT' THEN ${log('OLD')} END IF;
            IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR OLD."${key}" IS DISTINCT FROM NEW."${key}") THEN ${log('NEW')} END IF;
            RETURN NULL;
          END $$`);
        await q.query(`CREATE TRIGGER "log_${table}" AFTER INSERT OR UPDATE OR DELETE ON "${table}" FOR EACH ROW EXECUTE FUNCTION "oauth2_log_${table}"()`);
      } else {
        await q.query(`CREATE TRIGGER "log_${table}_ins" AFTER INSERT ON "${table}" BEGIN ${log('NEW')} END`);
        await q.query(`CREATE TRIGGER "log_${table}_upd" AFTER UPDATE ON "${table}" BEGIN ${log('OLD')} ${log('NEW')} END`);
        await q.query(`CREATE TRIGGER "log_${table}_del" AFTER DELETE ON "${table}" BEGIN ${log('OLD')} END`);
      }
    }
  }

  async down(q: QueryRunner): Promise<void> {
    const pg = dialectOf(q.connection) === 'postgres';
    for (const [table] of LOGGED_TABLES) {
      if (pg) {
        await q.query(`DROP TRIGGER "log_${table}" ON "${table}"`);
        await q.query(`DROP FUNCTION "oauth2_log_${table}"()`);
      } else {
        for (const op of ['ins', 'upd', 'del']) await q.query(`DROP TRIGGER "log_${table}_${op}"`);
      }
    }
    await q.query(`ALTER TABLE "revision" DROP COLUMN "history_from"`);
    await q.query(`DROP TABLE "change_log"`);
  }
}
