import * as path from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { applySnapshotDelta, stateFromSource, type Snapshot, type SnapshotState } from '@oauth2/core';
import { createTestDatabase, describePostgres, makeTempDir, rng, storePerTest, type TestDatabase } from '@oauth2/testing';
import { openStore, type ConfigStore } from './index';

/**
 * Incremental reload, checked against the full load: after each of hundreds of random writes
 * (fixed seed, so a failure replays), the snapshot a delta makes from the previous one equals the
 * snapshot compiled from a full load at the same revision.
 */

const pause = () => yieldToLoop();

/** Everything the hot path and the explainer read, as comparable data (Maps compare by entries). */
function view(s: Snapshot) {
  const consumers = (m: ReadonlyMap<string, { name: string; client_id: string; client_secret: string; key: Buffer }>) =>
    [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, c]) => [k, c.name, c.client_id, c.client_secret, c.key.toString('hex')]);
  return {
    revision: s.revision,
    settings: { ...s.settings },
    authHeader: s.authHeader,
    byClientId: consumers(s.consumersByClientId),
    byName: consumers(s.consumersByName),
    routes: s.routes,
    rules: s.rules,
    signingKeys: [...s.signingKeys.keys()].sort(),
    activeKid: s.activeSigningKey?.kid ?? null,
    revokedJtis: s.revokedJtis,
    revokedClientJtis: s.revokedClientJtis,
    revokedBefore: s.revokedBefore,
  };
}

const SECRET = (i: number) => `secret-${i}-0123456789abcdef0123456789abcdef`;

type Write = (s: ConfigStore) => Promise<unknown>;

/** One random write that the store accepts (or refuses: a refused write changes nothing, also fine). */
function randomWrite(r: ReturnType<typeof rng>, n: number): Write {
  const c = `c${r.int(12)}`;
  const route = `r${r.int(6)}`;
  const pick = r.int(15);
  switch (pick) {
    case 0:
    case 1:
      return (s) => s.createConsumer({ name: c, client_id: r.bool() ? `id-${c}` : `id-${c}-${n}`, client_secret: SECRET(n) });
    case 2:
      return (s) => s.deleteConsumer(c, true);
    case 3:
      return (s) => s.rotateSecret(c, SECRET(n));
    case 4:
      return (s) => s.createRoute({ name: route, upstream: `http://127.0.0.1:${9000 + r.int(5)}`, path_prefix: `/${route}`, hosts: r.bool() ? [] : [`${route}.example.com`] });
    case 5:
      return (s) => s.replaceRoute(route, { upstream: `http://127.0.0.1:${9100 + r.int(5)}`, strip_prefix: r.bool() });
    case 6:
      return (s) => s.deleteRoute(route, true);
    case 7:
    case 8:
      return async (s) => {
        const names = (await s.listConsumers(100, 0)).items.map((x) => x.name);
        const allow = names.filter(() => r.bool());
        if (r.bool()) {
          const routes = (await s.listRoutes(100, 0)).items.map((x) => x.name).filter(() => r.bool());
          if (routes.length > 0) return s.createRule({ routes, allow, ...(r.bool() ? { position: r.int(4) } : {}) });
        }
        return s.createRule({ domains: [`*.d${r.int(3)}.example.com`], allow, ...(r.bool() ? { position: r.int(4) } : {}) });
      };
    case 9:
      return async (s) => {
        const rules = (await s.listRules(100, 0)).items;
        if (rules.length === 0) return;
        const victim = r.pick(rules);
        return r.bool() ? s.deleteRule(victim.id) : s.replaceRule(victim.id, { domains: [`x${r.int(3)}.example.com`], allow: victim.allow, position: r.int(5) });
      };
    case 10:
      return (s) => s.patchSettings(r.bool() ? { token_ttl: 60 + r.int(1000) } : { global_auth: r.pick([true, false, null]) });
    case 11:
      return (s) => s.revoke(r.bool() ? { jti: `jti-${r.int(5)}`, exp: Math.floor(Date.now() / 1000) + 3600 + r.int(100) } : { client_id: `id-${c}` });
    case 12:
      return async (s) => {
        const revs = (await s.listRevocations(100, 0)).items;
        if (revs.length > 0) return s.deleteRevocation(r.pick(revs).id);
      };
    case 13:
      return (s) => s.rotateKey(r.pick(['ES256', 'RS256', 'EdDSA']));
    default:
      // A declarative replace of settings, consumers and rules in one revision.
      return (s) =>
        s.apply(
          JSON.stringify({
            consumers: Array.from({ length: 1 + r.int(5) }, (_, i) => ({ name: `c${r.int(12)}-${i}`, client_id: `apply-${n}-${i}`, client_secret: SECRET(n + i) })).filter(
              (x, i, all) => all.findIndex((y) => y.name === x.name) === i,
            ),
            token_ttl: 300 + r.int(100),
          }),
          { dryRun: false },
        );
  }
}

const full = async (store: ConfigStore): Promise<SnapshotState> => stateFromSource(await store.loadSnapshotSource(), pause);

async function randomWritesMatchFullLoads(store: ConfigStore, writes: number): Promise<void> {
  const r = rng(17);
  let state = await full(store);
  let deltas = 0;
  for (let n = 0; n < writes; n++) {
    await randomWrite(
      r,
      n,
    )(store).catch((e: Error) => {
      if ((e as { kind?: string }).kind === undefined) throw e; // only the store's refusals are expected
    });
    if (r.int(3) === 0) continue; // let revisions pile up: the next delta spans several
    const d = await store.loadSnapshotDelta(state.snapshot.revision);
    expect(d).not.toBeNull();
    state = applySnapshotDelta(state, d!);
    deltas++;
    const expected = await full(store);
    expect(state.snapshot.revision).toBe(expected.snapshot.revision);
    expect(view(state.snapshot)).toEqual(view(expected.snapshot));
  }
  expect(deltas).toBeGreaterThan(writes / 2);
  // The writes did reach every table.
  expect(state.consumers.size + state.routes.size + state.rules.size).toBeGreaterThan(5);
}

describe('incremental reload: delta equals full load', () => {
  const ctx = storePerTest('oauth2-delta-', (dataDir) => openStore({ dataDir }));

  it('after each of 400 random writes (seed 17), sometimes several revisions at once', () => randomWritesMatchFullLoads(ctx.store, 400));

  it('a delta from the newest revision changes nothing; a consumer write shares routes, rules and untouched consumers', async () => {
    await ctx.store.createRoute({ name: 'r', upstream: 'http://127.0.0.1:9000' });
    await ctx.store.createConsumer({ name: 'z', client_secret: SECRET(0) });
    await ctx.store.createConsumer({ name: 'a', client_secret: SECRET(1) });
    const s0 = await full(ctx.store);
    const same = applySnapshotDelta(s0, (await ctx.store.loadSnapshotDelta(s0.snapshot.revision))!);
    expect(view(same.snapshot)).toEqual(view(s0.snapshot));
    await ctx.store.createConsumer({ name: 'b', client_secret: SECRET(2) });
    const s1 = applySnapshotDelta(s0, (await ctx.store.loadSnapshotDelta(s0.snapshot.revision))!);
    expect(s1.snapshot.routes).toBe(s0.snapshot.routes);
    expect(s1.snapshot.rules).toBe(s0.snapshot.rules);
    const z = s0.snapshot.consumersByName.get('z')!;
    expect(s1.snapshot.consumersByClientId.get(z.client_id)).toBe(z);
    expect(s1.snapshot.consumersByClientId.size).toBe(3);
  });

  it('a row changed by hand (outside change(), no revision bump) is picked up by the next delta', async () => {
    await ctx.store.createConsumer({ name: 'gone', client_secret: SECRET(3) });
    const s0 = await full(ctx.store);
    const db = new Database(path.join(ctx.dir, 'oauth2.db'));
    try {
      db.prepare('DELETE FROM "consumer" WHERE "name" = ?').run('gone');
    } finally {
      db.close();
    }
    await ctx.store.createRoute({ name: 'later', upstream: 'http://127.0.0.1:9000' });
    const s1 = applySnapshotDelta(s0, (await ctx.store.loadSnapshotDelta(s0.snapshot.revision))!);
    expect(view(s1.snapshot)).toEqual(view((await full(ctx.store)).snapshot));
    expect(s1.consumers.has('gone')).toBe(false);
  });

  it('is null (full load) past a gap in the history, ahead of the store, or for too many rows', async () => {
    const r0 = await ctx.store.revision();
    await ctx.store.createConsumer({ name: 'a' });
    expect(await ctx.store.loadSnapshotDelta(r0)).not.toBeNull();
    expect(await ctx.store.loadSnapshotDelta(r0 + 5)).toBeNull();
    // A live node at the newest revision lets the heartbeat prune the log behind it.
    await ctx.store.heartbeat({ name: 'n', version: '0', revision: r0 + 1, workers: 1, heartbeat_ms: 10_000, started_at: new Date().toISOString(), counters: {} });
    expect(await ctx.store.loadSnapshotDelta(r0)).toBeNull();
    expect(await ctx.store.loadSnapshotDelta(r0 + 1)).not.toBeNull();
    const doc = JSON.stringify({ consumers: Array.from({ length: 30 }, (_, i) => ({ name: `m${i}`, client_id: `m${i}`, client_secret: SECRET(i) })) });
    await ctx.store.apply(doc, { dryRun: false });
    const loader = (ctx.store as unknown as { loader: { loadChanges(since: number, max: number): Promise<unknown> } }).loader;
    expect(await loader.loadChanges(r0 + 1, 10)).toBeNull();
    expect(await loader.loadChanges(r0 + 1, 100)).not.toBeNull();
  });

  it('refuses a delta that does not start at the snapshot revision', async () => {
    const s0 = await full(ctx.store);
    await ctx.store.createConsumer({ name: 'a' });
    await ctx.store.createConsumer({ name: 'b' });
    const d = (await ctx.store.loadSnapshotDelta(s0.snapshot.revision + 1))!;
    expect(() => applySnapshotDelta(s0, d)).toThrow(/cannot apply/);
  });
});

describePostgres('incremental reload on PostgreSQL: delta equals full load', () => {
  let db: TestDatabase;
  let store: ConfigStore;
  const dir = makeTempDir('oauth2-delta-pg-');
  beforeAll(async () => {
    db = await createTestDatabase();
    store = await openStore({ dataDir: dir.path, database: db.url });
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
    dir.cleanup();
  });

  it('after each of 300 random writes (seed 17)', () => randomWritesMatchFullLoads(store, 300));
});
