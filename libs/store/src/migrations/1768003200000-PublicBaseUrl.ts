import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dialectOf } from '../dialect';

/**
 * The `public_base_url` setting (not a Higress key): the gateway's public origin for the RFC 8414
 * metadata. '' = unset, for every existing database (the metadata then follows the Host header).
 */
export class PublicBaseUrl1768003200000 implements MigrationInterface {
  name = 'PublicBaseUrl1768003200000';

  async up(q: QueryRunner): Promise<void> {
    const collate = dialectOf(q.connection) === 'postgres' ? ' COLLATE "C"' : '';
    await q.query(`ALTER TABLE "settings" ADD COLUMN "public_base_url" text${collate} NOT NULL DEFAULT ''`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "settings" DROP COLUMN "public_base_url"`);
  }
}
