import * as path from 'node:path';
import Database from 'better-sqlite3';
import { storePerTest } from '@oauth2/testing';
import { openStore, type NodeHeartbeat } from './index';

const beat = (over: Partial<NodeHeartbeat> = {}): NodeHeartbeat => ({
  name: 'gw-a:8000',
  version: '0.1.0',
  revision: 1,
  workers: 2,
  heartbeat_ms: 10_000,
  started_at: new Date().toISOString(),
  counters: { r1: { allowed: 3, unauthorized: 1 } },
  ...over,
});

/** Moves a node's last heartbeat back by `ms`, straight in the SQLite file (as if it had stopped then). */
function backdate(dir: string, name: string, ms: number): void {
  const db = new Database(path.join(dir, 'oauth2.db'));
  try {
    const row = db.prepare('SELECT "last_seen" FROM "node" WHERE "name" = ?').get(name) as { last_seen: string };
    db.prepare('UPDATE "node" SET "last_seen" = ? WHERE "name" = ?').run(new Date(Date.parse(row.last_seen) - ms).toISOString(), name);
  } finally {
    db.close();
  }
}

describe('store: node heartbeats', () => {
  const ctx = storePerTest('oauth2-nodes-', (dataDir) => openStore({ dataDir }));

  it('upserts one row per name and never bumps the revision', async () => {
    const rev = await ctx.store.revision();
    await ctx.store.heartbeat(beat());
    await ctx.store.heartbeat(beat({ revision: rev, counters: { r1: { allowed: 5 } } }));
    await ctx.store.heartbeat(beat({ name: 'gw-b:8000', revision: null, workers: 1 }));
    expect(await ctx.store.revision()).toBe(rev);
    const list = await ctx.store.listNodes();
    expect(list.total).toBe(2);
    expect(list.items.map((n) => n.name)).toEqual(['gw-a:8000', 'gw-b:8000']);
    expect(list.items[0]).toMatchObject({ version: '0.1.0', revision: rev, lag: 0, status: 'live', workers: 2, heartbeat_s: 10, counters: { r1: { allowed: 5 } } });
    expect(list.items[1]).toMatchObject({ revision: null, lag: null, status: 'live', workers: 1 });
    expect(Date.parse(list.items[0].last_seen)).toBeGreaterThan(0);
  });

  it('reports lag as store revision minus node revision', async () => {
    const rev = await ctx.store.revision();
    await ctx.store.heartbeat(beat({ revision: rev }));
    await ctx.store.createConsumer({ name: 'c1' });
    await ctx.store.createConsumer({ name: 'c2' });
    expect((await ctx.store.listNodes()).items[0].lag).toBe(2);
  });

  it('turns a node stale after 3 periods without a heartbeat and removes it after 24 h stale', async () => {
    await ctx.store.heartbeat(beat({ heartbeat_ms: 1000 }));
    await ctx.store.heartbeat(beat({ name: 'gw-b:8000', heartbeat_ms: 1000 }));
    backdate(ctx.dir, 'gw-a:8000', 2_500);
    expect((await ctx.store.listNodes()).items[0].status).toBe('live');
    backdate(ctx.dir, 'gw-a:8000', 1_000);
    expect((await ctx.store.listNodes()).items[0].status).toBe('stale');
    // Stale for 24 h: not listed, and deleted by the next heartbeat of any node.
    backdate(ctx.dir, 'gw-a:8000', 24 * 3600_000);
    expect((await ctx.store.listNodes()).items.map((n) => n.name)).toEqual(['gw-b:8000']);
    await ctx.store.heartbeat(beat({ name: 'gw-b:8000', heartbeat_ms: 1000 }));
    const db = new Database(path.join(ctx.dir, 'oauth2.db'), { readonly: true });
    try {
      expect(db.prepare('SELECT "name" FROM "node"').all()).toEqual([{ name: 'gw-b:8000' }]);
    } finally {
      db.close();
    }
  });

  it('refuses a malformed heartbeat', async () => {
    await expect(ctx.store.heartbeat(beat({ name: '' }))).rejects.toThrow(/name/);
    await expect(ctx.store.heartbeat(beat({ name: 'a\nb' }))).rejects.toThrow(/name/);
    await expect(ctx.store.heartbeat(beat({ heartbeat_ms: 0 }))).rejects.toThrow(/heartbeat_ms/);
    expect((await ctx.store.listNodes()).total).toBe(0);
  });
});
