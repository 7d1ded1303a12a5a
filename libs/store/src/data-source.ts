import 'reflect-metadata';
import { DataSource } from 'typeorm';
import type * as Pg from 'pg';
import { isPostgresUrl } from './dialect';
import { ENTITIES } from './entities';
import { Init1767225600000 } from './migrations/1767225600000-Init';
import { Revocations1767830400000 } from './migrations/1767830400000-Revocations';
import { SigningKeys1767916800000 } from './migrations/1767916800000-SigningKeys';
import { PublicBaseUrl1768003200000 } from './migrations/1768003200000-PublicBaseUrl';
import { CorsPreflight1768089600000 } from './migrations/1768089600000-CorsPreflight';
import { RevocationClientJti1768176000000 } from './migrations/1768176000000-RevocationClientJti';
import { SealDomains1768262400000 } from './migrations/1768262400000-SealDomains';
import { RequireHttps1768435200000 } from './migrations/1768435200000-RequireHttps';
import { AdminTokensAudit1768521600000 } from './migrations/1768521600000-AdminTokensAudit';
import { Nodes1768608000000 } from './migrations/1768608000000-Nodes';
import { ChangeLog1768694400000 } from './migrations/1768694400000-ChangeLog';
import { ConsumerScopesGroups1768780800000 } from './migrations/1768780800000-ConsumerScopesGroups';
import { RotationGrace1768867200000 } from './migrations/1768867200000-RotationGrace';
import { ConsumerTlsAuth1768953600000 } from './migrations/1768953600000-ConsumerTlsAuth';

/** Every migration, in order. Listed explicitly so the same code runs from ts (tests) and dist (apps). */
export const MIGRATIONS = [
  Init1767225600000,
  Revocations1767830400000,
  SigningKeys1767916800000,
  PublicBaseUrl1768003200000,
  CorsPreflight1768089600000,
  RevocationClientJti1768176000000,
  SealDomains1768262400000,
  RequireHttps1768435200000,
  AdminTokensAudit1768521600000,
  Nodes1768608000000,
  ChangeLog1768694400000,
  ConsumerScopesGroups1768780800000,
  RotationGrace1768867200000,
  ConsumerTlsAuth1768953600000,
];

/** Lock wait for SQLite statements (busy_timeout, ms). */
export const BUSY_TIMEOUT_MS = 5000;

/**
 * bigint (int8) columns hold unix seconds (< 2^53): read them as numbers, as SQLite's integers are.
 * Per pool (not pg's global parsers), and pg is loaded only when PostgreSQL is used.
 */
function pgTypeOverrides(): { getTypeParser: typeof Pg.types.getTypeParser } {
  const { types } = require('pg') as typeof Pg;
  const getTypeParser = (oid: number, format?: 'text' | 'binary') => (oid === 20 && format !== 'binary' ? (v: string) => Number(v) : types.getTypeParser(oid, format as 'text'));
  return { getTypeParser: getTypeParser as typeof types.getTypeParser };
}

/** Connections per process: in-process work is serialized (tx.ts), so one is busy at a time; the rest absorb reconnects. */
export const PG_POOL_MAX = 3;

/**
 * PostgreSQL ends a session of ours that sits inside a transaction doing nothing for this long,
 * which releases its locks. None of our transactions pauses that long between statements (the
 * longest gap is a gateway turning a million rows into records, seconds); a process that stopped
 * in the middle of one (SIGSTOP, a paused VM, a network partition) would otherwise hold its locks,
 * and so every config write, for as long as it stays stopped.
 */
export const PG_IDLE_IN_TRANSACTION_MS = 30_000;

function createPostgresDataSource(url: string): DataSource {
  const ds = new DataSource({
    type: 'postgres',
    url: url.trim(),
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: false,
    migrationsTransactionMode: 'all',
    synchronize: false,
    logging: false,
    applicationName: 'oauth2-gateway',
    // The pool drops a client that died while idle (e.g. pg_terminate_backend); nothing to report.
    poolErrorHandler: () => undefined,
    extra: { max: PG_POOL_MAX, connectionTimeoutMillis: 10_000, idle_in_transaction_session_timeout: PG_IDLE_IN_TRANSACTION_MS, types: pgTypeOverrides() },
  });
  // The entities say `blob` (SQLite's name); PostgreSQL's column is `bytea` (see the migrations). typeorm
  // only uses the declared name to validate it and for schema sync, which never runs here; values pass
  // through as Buffers either way.
  (ds.driver as unknown as { supportedDataTypes: string[] }).supportedDataTypes.push('blob');
  return ds;
}

/**
 * The one DataSource definition, used by the store and by the typeorm CLI. Never `synchronize`:
 * the schema only changes through migrations, which the store runs at open under a lock.
 */
export function createDataSource(database: string): DataSource {
  if (isPostgresUrl(database)) return createPostgresDataSource(database);
  return new DataSource({
    type: 'better-sqlite3',
    database,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: false,
    migrationsTransactionMode: 'none',
    synchronize: false,
    enableWAL: true,
    timeout: BUSY_TIMEOUT_MS,
    logging: false,
  });
}

/** For the typeorm CLI only (`typeorm -d dist/libs/store/src/data-source.js migration:show`). */
export default createDataSource(process.env.OAUTH2_DATABASE ?? 'data/oauth2.db');
