import Database from 'better-sqlite3';
import * as path from 'node:path';
import { createTestDatabase, describePostgres, makeTempDir, storePerTest, type TestDatabase } from '@oauth2/testing';
import { HISTORY_LIMITS } from './history';
import { openStore, type ConfigStore } from './index';

const SECRET = (i: number) => `history-secret-${i}-${'h'.repeat(32)}`;
const DEFAULTS = { ...HISTORY_LIMITS };
const beat = (revision: number) => ({ name: 'gw-1', version: '0', revision, workers: 1, heartbeat_ms: 10_000, started_at: new Date().toISOString(), counters: {} });
const bigApply = (n: number, tag: string) => JSON.stringify({ consumers: Array.from({ length: n }, (_, i) => ({ name: `${tag}${i}`, client_id: `${tag}-id-${i}`, client_secret: SECRET(i) })) });

/** What the SQLite file says: rows in the change log, and where the history starts. */
function logOf(dir: string): { rows: number; historyFrom: number } {
  const db = new Database(path.join(dir, 'oauth2.db'), { readonly: true });
  try {
    const { n } = db.prepare('SELECT count(*) AS n FROM "change_log"').get() as { n: number };
    const { h } = db.prepare('SELECT "history_from" AS h FROM "revision" WHERE "id" = 1').get() as { h: number };
    return { rows: n, historyFrom: h };
  } finally {
    db.close();
  }
}

afterEach(() => Object.assign(HISTORY_LIMITS, DEFAULTS));

describe('change history pruning (SQLite file)', () => {
  const ctx = storePerTest('oauth2-history-', (dataDir) => openStore({ dataDir }));

  it('with no gateway registered, keeps at most maxRevisions revisions: an older node finds the gap and loads in full', async () => {
    HISTORY_LIMITS.maxRevisions = 5;
    const r0 = await ctx.store.revision();
    for (let i = 0; i < 8; i++) await ctx.store.createConsumer({ name: `c${i}`, client_secret: SECRET(i) });
    const r = await ctx.store.revision();
    expect(logOf(ctx.dir).historyFrom).toBe(r - 5);
    expect(await ctx.store.loadSnapshotDelta(r0)).toBeNull();
    expect(await ctx.store.loadSnapshotDelta(r - 6)).toBeNull();
    const d = (await ctx.store.loadSnapshotDelta(r - 5))!;
    expect(d.consumers.upserts.map((c) => c.name).sort()).toEqual(['c3', 'c4', 'c5', 'c6', 'c7']);
  });

  it('with no gateway registered, a write logging more rows than maxRows is dropped at once; small writes after it are logged', async () => {
    HISTORY_LIMITS.maxRows = 50;
    HISTORY_LIMITS.bigWriteRows = 10;
    const before = await ctx.store.revision();
    const { revision } = await ctx.store.apply(bigApply(120, 'm'), { dryRun: false });
    expect(logOf(ctx.dir)).toEqual({ rows: 0, historyFrom: revision });
    expect(await ctx.store.loadSnapshotDelta(before)).toBeNull();
    await ctx.store.createConsumer({ name: 'after', client_secret: SECRET(1) });
    const d = (await ctx.store.loadSnapshotDelta(revision))!;
    expect(d.consumers.upserts.map((c) => c.name)).toEqual(['after']);
    expect(logOf(ctx.dir).rows).toBeGreaterThan(0);
    expect(logOf(ctx.dir).rows).toBeLessThanOrEqual(50);
  });

  it('keeps what the slowest live node needs (under the caps), and drops it once that node catches up', async () => {
    const r0 = await ctx.store.revision();
    await ctx.store.createConsumer({ name: 'a', client_secret: SECRET(1) });
    const r1 = await ctx.store.revision();
    await ctx.store.heartbeat(beat(r1));
    for (let i = 0; i < 5; i++) await ctx.store.createConsumer({ name: `b${i}`, client_secret: SECRET(i) });
    await ctx.store.heartbeat(beat(r1)); // still at r1: its history stays
    expect(logOf(ctx.dir).historyFrom).toBe(r1);
    expect(await ctx.store.loadSnapshotDelta(r0)).toBeNull();
    expect((await ctx.store.loadSnapshotDelta(r1))!.consumers.upserts).toHaveLength(5);
    const now = await ctx.store.revision();
    await ctx.store.heartbeat(beat(now));
    expect(logOf(ctx.dir)).toEqual({ rows: 0, historyFrom: now });
    // Past the cap, even a live node's need is not kept.
    HISTORY_LIMITS.maxRevisions = 2;
    for (let i = 0; i < 4; i++) await ctx.store.createConsumer({ name: `x${i}`, client_secret: SECRET(i) });
    await ctx.store.heartbeat(beat(now));
    expect(logOf(ctx.dir).historyFrom).toBe((await ctx.store.revision()) - 2);
    expect(await ctx.store.loadSnapshotDelta(now)).toBeNull();
  });
});

describePostgres('change history pruning (PostgreSQL)', () => {
  let db: TestDatabase;
  let store: ConfigStore;
  const dir = makeTempDir('oauth2-history-pg-');
  beforeAll(async () => {
    db = await createTestDatabase();
    store = await openStore({ dataDir: dir.path, database: db.url });
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  it('caps revisions and drops a too-big write with no gateway registered; a live node keeps its history', async () => {
    HISTORY_LIMITS.maxRevisions = 5;
    const r0 = await store.revision();
    for (let i = 0; i < 8; i++) await store.createConsumer({ name: `c${i}`, client_secret: SECRET(i) });
    const r = await store.revision();
    expect(await store.loadSnapshotDelta(r0)).toBeNull();
    expect(await store.loadSnapshotDelta(r - 5)).not.toBeNull();
    HISTORY_LIMITS.maxRows = 50;
    HISTORY_LIMITS.bigWriteRows = 10;
    const { revision } = await store.apply(bigApply(120, 'm'), { dryRun: false });
    expect(await store.loadSnapshotDelta(revision - 1)).toBeNull();
    await store.createConsumer({ name: 'after', client_secret: SECRET(1) });
    expect((await store.loadSnapshotDelta(revision))!.consumers.upserts.map((c) => c.name)).toEqual(['after']);
    await store.heartbeat(beat(revision));
    expect((await store.loadSnapshotDelta(revision))!.consumers.upserts.map((c) => c.name)).toEqual(['after']);
  });
});
