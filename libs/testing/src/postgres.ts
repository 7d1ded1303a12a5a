/**
 * Owner: scale-out (PostgreSQL). A fresh PostgreSQL database per test file, made through the URL in
 * OAUTH2_TEST_POSTGRES_URL (a role with CREATEDB; `scripts/ci-postgres.sh` starts one and exports it).
 * Without that variable the Postgres tests skip themselves, saying so, so `npm test` passes on a
 * machine without PostgreSQL; CI always sets it.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** The admin URL, or undefined when the Postgres tests must skip. */
export const TEST_POSTGRES_URL: string | undefined = process.env.OAUTH2_TEST_POSTGRES_URL?.trim() || undefined;

/**
 * `describe` when a test PostgreSQL is configured, else `describe.skip` (jest counts them as
 * skipped; `npm test` prints the one note saying why, scripts/test-notes.js).
 */
export function describePostgres(title: string, fn: () => void): void {
  if (TEST_POSTGRES_URL === undefined) describe.skip(title, fn);
  else describe(title, fn);
}

export interface TestDatabase {
  /** postgres:// URL of the new, empty database (same role and password as the admin URL). */
  url: string;
  name: string;
  /** Runs one statement as the admin role on the admin database (e.g. pg_terminate_backend). */
  adminQuery<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Ends every other connection to it, then drops it. */
  drop(): Promise<void>;
}

async function withAdmin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: TEST_POSTGRES_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** CREATE DATABASE with a random name; `drop()` it at the end (afterAll). */
export async function createTestDatabase(): Promise<TestDatabase> {
  if (TEST_POSTGRES_URL === undefined) throw new Error('OAUTH2_TEST_POSTGRES_URL is not set');
  const name = `oauth2_test_${randomBytes(6).toString('hex')}`;
  await withAdmin((c) => c.query(`CREATE DATABASE "${name}"`));
  const u = new URL(TEST_POSTGRES_URL);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    name,
    adminQuery: (sql, params) => withAdmin(async (c) => (await c.query(sql, params)).rows),
    drop: () =>
      withAdmin(async (c) => {
        await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND usename = current_user AND pid <> pg_backend_pid()', [name]);
        await c.query(`DROP DATABASE IF EXISTS "${name}"`);
      }),
  };
}
