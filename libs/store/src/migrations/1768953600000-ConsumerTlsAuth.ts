import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dialectOf } from '../dialect';

/**
 * SPEC §13 (RFC 8705 §2): how a consumer authenticates at the token endpoint. `auth_method`
 * `client_secret` (every existing row: today's behaviour), `tls_client_auth` with `tls_subject`, or
 * `self_signed_tls_client_auth` with `tls_thumbprint`; the other field is NULL. The change_log
 * triggers log whole rows, so the new columns need nothing there.
 */
export class ConsumerTlsAuth1768953600000 implements MigrationInterface {
  name = 'ConsumerTlsAuth1768953600000';

  async up(q: QueryRunner): Promise<void> {
    const text = dialectOf(q.connection) === 'postgres' ? 'text COLLATE "C"' : 'text';
    await q.query(`ALTER TABLE "consumer" ADD COLUMN "auth_method" ${text} NOT NULL DEFAULT 'client_secret'`);
    await q.query(`ALTER TABLE "consumer" ADD COLUMN "tls_subject" ${text} NULL`);
    await q.query(`ALTER TABLE "consumer" ADD COLUMN "tls_thumbprint" ${text} NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const c of ['tls_thumbprint', 'tls_subject', 'auth_method']) await q.query(`ALTER TABLE "consumer" DROP COLUMN "${c}"`);
  }
}
