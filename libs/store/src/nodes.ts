import { currentRevision, type StoreContext } from './context';
import { invalid, isBusy } from './errors';
import { pruneHistory } from './history';
import type { NodeCounters, NodeHeartbeat, NodeView, Page } from './store-api';

// Gateway heartbeats (SPEC §11). Not configuration: a heartbeat is its own small write transaction
// and never goes through change(), so it never bumps the revision (which makes gateways reload).

/** A node without a heartbeat for this many of its own periods is `stale`. */
export const STALE_PERIODS = 3;
/** A node stale for this long is removed (at the next heartbeat of any node; never listed). */
export const NODE_EXPIRY_MS = 24 * 60 * 60 * 1000;

/**
 * How long a heartbeat waits for a lock (another node's expiry delete, a config write holding the
 * store lock) before it gives up until its next period: a gateway's reloads queue behind its own
 * store work, so a heartbeat must never wait long, and a heartbeat never holds up a config write.
 */
export const HEARTBEAT_LOCK_WAIT_MS = 1000;

const MAX_NAME = 253;
const MAX_COUNTERS_BYTES = 1 << 20;

interface NodeRow {
  name: string;
  version: string;
  revision: number | null;
  workers: number;
  heartbeat_ms: number;
  started_at: string;
  last_seen: string;
  counters: string;
}

function staleSince(r: Pick<NodeRow, 'last_seen' | 'heartbeat_ms'>): number {
  return Date.parse(r.last_seen) + STALE_PERIODS * r.heartbeat_ms;
}

function expired(r: Pick<NodeRow, 'last_seen' | 'heartbeat_ms'>, nowMs: number): boolean {
  const t = staleSince(r);
  return !Number.isFinite(t) || nowMs - t > NODE_EXPIRY_MS;
}

function checkHeartbeat(h: NodeHeartbeat): string {
  if (typeof h.name !== 'string' || h.name.length === 0 || h.name.length > MAX_NAME || /[\x00-\x1f\x7f]/.test(h.name)) invalid('name', `must be 1-${MAX_NAME} characters without control characters`);
  if (h.revision !== null && !Number.isSafeInteger(h.revision)) invalid('revision', 'must be an integer or null');
  if (!Number.isSafeInteger(h.workers) || h.workers < 0) invalid('workers', 'must be an integer >= 0');
  if (!Number.isSafeInteger(h.heartbeat_ms) || h.heartbeat_ms <= 0) invalid('heartbeat_ms', 'must be an integer > 0');
  if (Number.isNaN(Date.parse(h.started_at))) invalid('started_at', 'must be an ISO-8601 time');
  const counters = JSON.stringify(h.counters);
  if (counters.length > MAX_COUNTERS_BYTES) invalid('counters', `must be at most ${MAX_COUNTERS_BYTES} bytes as JSON`);
  return counters;
}

/**
 * Upserts the node's row (one per name: a restart under the same name replaces it) and removes
 * rows stale for NODE_EXPIRY_MS, in one write transaction that leaves the revision alone and takes
 * only row locks (a gateway stopped in the middle of it, SIGSTOP or a paused VM, holds up no config
 * write). Then prunes the change history, under the store write lock but without waiting for it:
 * while a config write holds it, the next heartbeat prunes instead.
 */
export async function writeHeartbeat(ctx: StoreContext, h: NodeHeartbeat): Promise<void> {
  const counters = checkHeartbeat(h);
  const nowMs = Date.now();
  const lastSeen = new Date(nowMs).toISOString();
  const rows = await ctx.db.write(
    async () => {
      await ctx.db.query(
        `INSERT INTO "node" ("name", "version", "revision", "workers", "heartbeat_ms", "started_at", "last_seen", "counters") VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT ("name") DO UPDATE SET "version" = excluded."version", "revision" = excluded."revision", "workers" = excluded."workers",
         "heartbeat_ms" = excluded."heartbeat_ms", "started_at" = excluded."started_at", "last_seen" = excluded."last_seen", "counters" = excluded."counters"`,
        [h.name, h.version, h.revision, h.workers, h.heartbeat_ms, h.started_at, lastSeen, counters],
      );
      const all = await ctx.db.query<Pick<NodeRow, 'name' | 'last_seen' | 'heartbeat_ms' | 'revision'>[]>('SELECT "name", "last_seen", "heartbeat_ms", "revision" FROM "node"');
      for (const r of all) if (expired(r, nowMs)) await ctx.db.query('DELETE FROM "node" WHERE "name" = ?', [r.name]);
      return all;
    },
    { lock: 'rows', lockWaitMs: HEARTBEAT_LOCK_WAIT_MS },
  );
  const live = rows.filter((r) => nowMs <= staleSince(r) && r.revision !== null).map((r) => Number(r.revision));
  try {
    await ctx.db.write(() => pruneHistory(ctx, live), { lockWaitMs: HEARTBEAT_LOCK_WAIT_MS });
  } catch (err) {
    if (!isBusy(err)) throw err;
  }
}

function parseCounters(text: string): NodeCounters {
  try {
    const v = JSON.parse(text) as unknown;
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as NodeCounters) : {};
  } catch {
    return {};
  }
}

/** Every node not yet expired, by name, with `status` and `lag` against the store revision now. */
export async function listNodes(ctx: StoreContext): Promise<Page<NodeView>> {
  const { revision, rows } = await ctx.db.read(async () => ({
    revision: await currentRevision(ctx),
    rows: await ctx.db.query<NodeRow[]>('SELECT * FROM "node" ORDER BY "name"'),
  }));
  const nowMs = Date.now();
  const items = rows
    .filter((r) => !expired(r, nowMs))
    .map((r): NodeView => ({
      name: r.name,
      version: r.version,
      revision: r.revision === null ? null : Number(r.revision),
      lag: r.revision === null ? null : revision - Number(r.revision),
      status: nowMs > staleSince(r) ? 'stale' : 'live',
      workers: Number(r.workers),
      heartbeat_s: Number(r.heartbeat_ms) / 1000,
      started_at: r.started_at,
      last_seen: r.last_seen,
      counters: parseCounters(r.counters),
    }));
  return { items, total: items.length };
}
