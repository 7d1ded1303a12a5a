import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { BUSY_TIMEOUT_MS, PG_POOL_MAX } from './data-source';
import { dialectOf, type Dialect } from './dialect';
import { isBusy, isConnectionLost } from './errors';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const noop = (): void => undefined;

/**
 * PostgreSQL: how often a unit that can safely start over does so after its connection turned out
 * to be dead. The pool drops a dead client once its socket reports the close, so after a server
 * restart or pg_terminate_backend every idle connection may fail once: PG_POOL_MAX covers them.
 */
const LOST_CONNECTION_RETRIES = PG_POOL_MAX;

/**
 * How long a write waits for its locks before it fails busy (the admin API's 503 "retry"): the
 * same bound on both dialects (SQLite polls BEGIN IMMEDIATE that long; PostgreSQL's lock_timeout).
 */
export const WRITE_LOCK_WAIT_MS = BUSY_TIMEOUT_MS * 2;

/**
 * What a write transaction locks before its first statement.
 * - `store`: the store-wide write lock (PostgreSQL: the revision row, FOR UPDATE). Every config
 *   write takes it, so revisions stay strictly increasing across processes.
 * - `rows`: PostgreSQL: only the rows its statements touch (a heartbeat upserts its own node row
 *   and must never queue behind, or hold up, config writes). SQLite has one write lock for the
 *   whole file either way.
 */
export type WriteLock = 'store' | 'rows';

export interface WriteOptions {
  /** false: a dry run, rolled back at the end. */
  commit?: boolean;
  lock?: WriteLock;
  /** The lock wait before the write fails busy (isBusy); WRITE_LOCK_WAIT_MS unless told. */
  lockWaitMs?: number;
}

/** `?` placeholders (the SQLite spelling every store query uses) as PostgreSQL's `$1, $2, ...`. */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/**
 * All database access goes through here.
 *
 * - In-process: a FIFO queue, because the connection is shared and async code could otherwise
 *   interleave statements of two transactions.
 * - SQLite, across processes (admin API + gateway on one file): writes start with BEGIN IMMEDIATE, so
 *   the write lock is taken before anything is read and two writers can never interleave. The lock is
 *   polled asynchronously (busy_timeout 0 for that one statement) because better-sqlite3 waits
 *   synchronously: a blocking wait would freeze the event loop of the process that waits.
 * - PostgreSQL, across processes (several admin APIs or gateways on one database): each queued unit
 *   runs on one pooled connection (checked out for it, so a connection killed by the server only
 *   fails the unit that used it), and writes lock the revision row first (SELECT ... FOR UPDATE): the
 *   same one-writer-at-a-time order, so revisions stay strictly increasing across processes.
 *
 * typeorm's own transaction bookkeeping is not used (we issue BEGIN/COMMIT ourselves); the
 * EntityManager operations used inside (find/insert/update/delete) start no transactions of their own.
 */
export class Db {
  private tail: Promise<unknown> = Promise.resolve();
  readonly dialect: Dialect;
  /** SQLite: the one query runner over the one connection. */
  private readonly qr: QueryRunner | null = null;
  /** PostgreSQL: the runner of the unit running now (checked out in exclusive()). */
  private active: QueryRunner | null = null;

  constructor(readonly ds: DataSource) {
    this.dialect = dialectOf(ds);
    if (this.dialect === 'sqlite') this.qr = ds.createQueryRunner();
  }

  private runner(): QueryRunner {
    const r = this.qr ?? this.active;
    if (r === null) throw new Error('store: a PostgreSQL query ran outside Db.exclusive()');
    return r;
  }

  /** The manager bound to the connection in use (SQLite has only one, so the DataSource's). */
  get em(): EntityManager {
    return this.qr !== null ? this.ds.manager : this.runner().manager;
  }

  query<T = any>(sql: string, params: unknown[] = []): Promise<T> {
    if (this.qr !== null) return this.qr.query(sql, params);
    return this.runner().query(numbered(sql), params);
  }

  /**
   * Runs `fn` alone (FIFO); on PostgreSQL on a connection checked out for it. When that connection
   * is found dead and `mayRetry()` says nothing was changed yet, `fn` starts over on another one.
   * Reads may always start over (the default); writes only before their first statement.
   */
  exclusive<T>(fn: () => Promise<T>, mayRetry: () => boolean = () => true): Promise<T> {
    const run = this.tail.then(this.qr !== null ? fn : () => this.onLiveConnection(fn, mayRetry));
    // The queue's tail settles with nothing: `run.catch()` alone would hold the unit's result (a
    // whole snapshot's rows after a load) until the next unit ran.
    this.tail = run.then(noop, noop);
    return run;
  }

  private async onLiveConnection<T>(fn: () => Promise<T>, mayRetry: () => boolean): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.withConnection(fn);
      } catch (err) {
        if (attempt >= LOST_CONNECTION_RETRIES || !isConnectionLost(err) || !mayRetry()) throw err;
      }
    }
  }

  private async withConnection<T>(fn: () => Promise<T>): Promise<T> {
    const r = this.ds.createQueryRunner();
    this.active = r;
    try {
      return await fn();
    } finally {
      this.active = null;
      // A connection that failed is released with its error, so the pool drops it (typeorm does that).
      await r.release().catch(() => undefined);
    }
  }

  /** SQLite: takes the database write lock, waiting asynchronously up to `timeoutMs`. */
  async beginImmediate(timeoutMs = WRITE_LOCK_WAIT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    await this.query(`PRAGMA busy_timeout = 0`);
    try {
      for (let wait = 2; ; wait = Math.min(wait * 2, 50)) {
        try {
          await this.query('BEGIN IMMEDIATE');
          return;
        } catch (err) {
          if (!isBusy(err) || Date.now() > deadline) throw err;
          await sleep(wait);
        }
      }
    } finally {
      await this.query(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    }
  }

  /** Starts a write transaction: with the store-wide write lock, or (PostgreSQL, `rows`) without it. */
  private async beginWrite(lock: WriteLock, lockWaitMs: number): Promise<void> {
    if (this.dialect === 'sqlite') return this.beginImmediate(lockWaitMs);
    await this.query('BEGIN');
    try {
      // A lock held by a process that stopped mid-transaction is waited for this long, not for ever
      // (the server ends such a session after PG_IDLE_IN_TRANSACTION_MS: data-source.ts).
      await this.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.floor(lockWaitMs))}`);
      // Every config writer, in every process, queues here first: the row lock is the write lock.
      if (lock === 'store') await this.query('SELECT "value" FROM "revision" WHERE "id" = 1 FOR UPDATE');
    } catch (err) {
      // A lock wait that ran out aborts the transaction: end it, or the pooled connection would
      // carry the aborted transaction into whatever uses it next.
      await this.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  /** A write transaction; rolled back when `fn` throws or when `commit` is false (dry runs). */
  write<T>(fn: () => Promise<T>, { commit = true, lock = 'store', lockWaitMs = WRITE_LOCK_WAIT_MS }: WriteOptions = {}): Promise<T> {
    // Started over on a dead connection only while the write lock was not yet taken: after that,
    // a lost connection may have lost the COMMIT's answer, not the COMMIT.
    let begun = false;
    return this.exclusive(
      async () => {
        await this.beginWrite(lock, lockWaitMs);
        begun = true;
        try {
          const out = await fn();
          await this.query(commit ? 'COMMIT' : 'ROLLBACK');
          return out;
        } catch (err) {
          await this.query('ROLLBACK').catch(() => undefined);
          throw err;
        }
      },
      () => !begun,
    );
  }

  /** A read transaction: every statement in `fn` sees the same snapshot (SQLite WAL; PostgreSQL repeatable read). */
  read<T>(fn: () => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      await this.query(this.dialect === 'sqlite' ? 'BEGIN' : 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      try {
        return await fn();
      } finally {
        await this.query('COMMIT').catch(() => undefined);
      }
    });
  }
}
