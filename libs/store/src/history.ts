import type { StoreContext } from './context';

/**
 * Pruning of the change history (`change_log`, incremental reload: snapshot-load.ts). Two bounds:
 *
 * - what the nodes need: at each heartbeat (nodes.ts), rows up to the lowest revision a live node
 *   enforces are dropped (a stale or new node, or one further behind, loads in full: its delta
 *   finds the history gap and falls back);
 * - a cap that holds with no gateway registered at all: after config writes (change(), context.ts)
 *   the log keeps at most `maxRevisions` revisions and about `maxRows` rows. A write that logs more
 *   rows than a delta would ever read (a big apply) is dropped at once: a node behind it loads in
 *   full anyway (MAX_DELTA_KEYS), so its million rows would only be dead weight.
 *
 * `revision.history_from` records where the log now starts; a delta from before it is refused.
 * Mutable for tests only (lowered to exercise the caps with a few rows).
 */
export const HISTORY_LIMITS = {
  /** Revisions kept at most, whatever the slowest node needs. */
  maxRevisions: 10_000,
  /** Rows kept at most (5× MAX_DELTA_KEYS: deltas past that many rows load in full anyway). */
  maxRows: 100_000,
  /** The row cap is checked after a write that logged more than this many rows, and every `checkEvery` revisions. */
  bigWriteRows: 1_000,
  checkEvery: 64,
};

async function head(ctx: StoreContext): Promise<{ revision: number; historyFrom: number }> {
  const [h] = await ctx.db.query<{ value: number; history_from: number }[]>('SELECT "value", "history_from" FROM "revision" WHERE "id" = 1');
  return { revision: Number(h.value), historyFrom: Number(h.history_from) };
}

/** Drops the log up to and including revision `floor` (when that moves its start). */
async function pruneTo(ctx: StoreContext, floor: number, historyFrom: number): Promise<void> {
  if (floor <= historyFrom) return;
  await ctx.db.query('DELETE FROM "change_log" WHERE "revision" <= ?', [floor]);
  await ctx.db.query('UPDATE "revision" SET "history_from" = ? WHERE "id" = 1', [floor]);
}

/** The highest revision whose rows must go for at most maxRows rows to stay (-1: under the cap). */
async function rowCapFloor(ctx: StoreContext): Promise<number> {
  const rows = await ctx.db.query<{ revision: number }[]>('SELECT "revision" FROM "change_log" ORDER BY "revision" DESC LIMIT 1 OFFSET ?', [HISTORY_LIMITS.maxRows]);
  return rows.length ? Number(rows[0].revision) : -1;
}

/**
 * At a heartbeat, inside its write transaction: up to what every live node already enforces
 * (`liveRevisions`), and never more than the caps keep.
 */
export async function pruneHistory(ctx: StoreContext, liveRevisions: number[]): Promise<void> {
  const h = await head(ctx);
  const floor = Math.max(Math.min(h.revision, ...liveRevisions), h.revision - HISTORY_LIMITS.maxRevisions, await rowCapFloor(ctx));
  await pruneTo(ctx, floor, h.historyFrom);
}

/**
 * After a config write, inside its transaction: the caps only (no node information here). Cheap
 * for an ordinary write: one indexed count of this revision's rows; the row cap's scan runs after
 * a big write and every `checkEvery` revisions.
 */
export async function capHistory(ctx: StoreContext): Promise<void> {
  const h = await head(ctx);
  let floor = h.revision - HISTORY_LIMITS.maxRevisions;
  const [{ n }] = await ctx.db.query<{ n: number }[]>('SELECT count(*) AS "n" FROM "change_log" WHERE "revision" = ?', [h.revision]);
  if (Number(n) > HISTORY_LIMITS.bigWriteRows || h.revision % HISTORY_LIMITS.checkEvery === 0) floor = Math.max(floor, await rowCapFloor(ctx));
  await pruneTo(ctx, floor, h.historyFrom);
}
