import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { BUSY_TIMEOUT_MS } from './data-source';
import { isBusy } from './errors';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * All access to the one better-sqlite3 connection goes through here.
 *
 * - In-process: a FIFO queue, because the connection is shared and async code could otherwise
 *   interleave statements of two transactions.
 * - Across processes (admin API + gateway on one file): writes start with BEGIN IMMEDIATE, so the
 *   write lock is taken before anything is read and two writers can never interleave. The lock is
 *   polled asynchronously (busy_timeout 0 for that one statement) because better-sqlite3 waits
 *   synchronously: a blocking wait would freeze the event loop of the process that waits.
 *
 * typeorm's own transaction bookkeeping is not used (we issue BEGIN/COMMIT ourselves); the
 * EntityManager operations used inside (find/insert/update/delete) start no transactions of their own.
 */
export class Db {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly qr: QueryRunner;

  constructor(readonly ds: DataSource) {
    this.qr = ds.createQueryRunner();
  }

  get em(): EntityManager {
    return this.ds.manager;
  }

  query<T = any>(sql: string, params: unknown[] = []): Promise<T> {
    return this.qr.query(sql, params);
  }

  /** Runs `fn` alone on the connection (FIFO). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Takes the database write lock, waiting asynchronously up to `timeoutMs`. */
  async beginImmediate(timeoutMs = BUSY_TIMEOUT_MS * 2): Promise<void> {
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

  /** A write transaction; rolled back when `fn` throws or when `commit` is false (dry runs). */
  write<T>(fn: () => Promise<T>, commit = true): Promise<T> {
    return this.exclusive(async () => {
      await this.beginImmediate();
      try {
        const out = await fn();
        await this.query(commit ? 'COMMIT' : 'ROLLBACK');
        return out;
      } catch (err) {
        await this.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    });
  }

  /** A read transaction: every statement in `fn` sees the same snapshot (WAL). */
  read<T>(fn: () => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      await this.query('BEGIN');
      try {
        return await fn();
      } finally {
        await this.query('COMMIT').catch(() => undefined);
      }
    });
  }
}
