import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dialectOf } from '../dialect';

/**
 * Gateway heartbeats (SPEC §11, libs/store/src/nodes.ts): one row per node name, upserted every
 * GATEWAY_HEARTBEAT_S by each gateway process (the primary of a cluster). Not configuration: a
 * heartbeat never bumps the revision. Times are ISO-8601 UTC text (they sort as they compare).
 */
export class Nodes1768608000000 implements MigrationInterface {
  name = 'Nodes1768608000000';

  async up(q: QueryRunner): Promise<void> {
    const text = dialectOf(q.connection) === 'postgres' ? 'text COLLATE "C"' : 'text';
    await q.query(`CREATE TABLE "node" (
      "name" ${text} PRIMARY KEY NOT NULL,
      "version" ${text} NOT NULL,
      "revision" integer NULL,
      "workers" integer NOT NULL,
      "heartbeat_ms" integer NOT NULL,
      "started_at" ${text} NOT NULL,
      "last_seen" ${text} NOT NULL,
      "counters" text NOT NULL)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "node"`);
  }
}
