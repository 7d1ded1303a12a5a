import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { storePerTest } from '@oauth2/testing';
import { openStore } from './index';

const SECRET_A = 'first-secret-first-secret-first-secret-0001';
const SECRET_B = 'second-secret-second-secret-second-secret-02';
const X5T = createHash('sha256').update('a certificate').digest('base64url');

describe('loadSnapshotSource (plain SQL, decrypted secrets reused)', () => {
  const ctx = storePerTest('oauth2-load-', (dataDir) => openStore({ dataDir }));

  it('reads routes and rules with the same types the entities gave (arrays, booleans, nulls)', async () => {
    await ctx.store.createRoute({ name: 'r1', hosts: ['a.test', '*.b.test'], path_prefix: '/api', upstream: 'http://127.0.0.1:9000', strip_prefix: true });
    await ctx.store.createRoute({ name: 'r0', upstream: 'http://127.0.0.1:9001' });
    await ctx.store.createConsumer({ name: 'c1', client_secret: SECRET_A });
    await ctx.store.createRule({ routes: ['r1'], allow: ['c1'] });
    await ctx.store.createRule({ domains: ['*.b.test'], allow: ['c1'] });
    const src = await ctx.store.loadSnapshotSource();
    expect(src.routes).toEqual([
      { name: 'r0', hosts: [], path_prefix: '/', upstream: 'http://127.0.0.1:9001', strip_prefix: false },
      { name: 'r1', hosts: ['a.test', '*.b.test'], path_prefix: '/api', upstream: 'http://127.0.0.1:9000', strip_prefix: true },
    ]);
    expect(src.rules.map(({ routes, domains, allow }) => ({ routes, domains, allow }))).toEqual([
      { routes: ['r1'], domains: null, allow: ['c1'] },
      { routes: null, domains: ['*.b.test'], allow: ['c1'] },
    ]);
    expect((await ctx.store.listRules(10, 0)).items.map((r) => r.id)).toEqual(src.rules.map((r) => r.id));
  });

  it('sees a rotated secret and a removed consumer on the next load', async () => {
    await ctx.store.createConsumer({ name: 'c1', client_secret: SECRET_A });
    await ctx.store.createConsumer({ name: 'c2', client_secret: SECRET_A });
    expect((await ctx.store.loadSnapshotSource()).consumers.map((c) => c.client_secret)).toEqual([SECRET_A, SECRET_A]);
    await ctx.store.rotateSecret('c1', SECRET_B);
    await ctx.store.deleteConsumer('c2', true);
    const src = await ctx.store.loadSnapshotSource();
    expect(src.consumers.map((c) => [c.name, c.client_secret])).toEqual([['c1', SECRET_B]]);
  });

  it('still refuses a ciphertext moved to another consumer even though it was decrypted before', async () => {
    await ctx.store.createConsumer({ name: 'c1', client_secret: SECRET_A });
    await ctx.store.createConsumer({ name: 'c2', client_secret: SECRET_B });
    await ctx.store.loadSnapshotSource(); // both plaintexts are now cached
    const raw = new Database(path.join(ctx.dir, 'oauth2.db'));
    try {
      raw.prepare(`UPDATE "consumer" SET "secret_enc" = (SELECT "secret_enc" FROM "consumer" WHERE "name" = 'c1') WHERE "name" = 'c2'`).run();
      raw.prepare(`UPDATE "revision" SET "value" = "value" + 1`).run();
    } finally {
      raw.close();
    }
    await expect(ctx.store.loadSnapshotSource()).rejects.toThrow('cannot decrypt the secret of consumer "c2"');
  });

  it('refuses a cached consumer whose ciphertext changed by one byte (the whole sealed value is compared)', async () => {
    await ctx.store.createConsumer({ name: 'c1', client_secret: SECRET_A });
    await ctx.store.loadSnapshotSource(); // cached
    const raw = new Database(path.join(ctx.dir, 'oauth2.db'));
    try {
      // The last byte of the ciphertext body: iv and tag unchanged.
      const [row] = raw.prepare(`SELECT "secret_enc" FROM "consumer" WHERE "name" = 'c1'`).raw(true).all() as [Buffer][];
      const enc = Buffer.from(row[0]);
      enc[enc.length - 1] ^= 1;
      raw.prepare(`UPDATE "consumer" SET "secret_enc" = ? WHERE "name" = 'c1'`).run(enc);
      raw.prepare(`UPDATE "revision" SET "value" = "value" + 1`).run();
    } finally {
      raw.close();
    }
    await expect(ctx.store.loadSnapshotSource()).rejects.toThrow('cannot decrypt the secret of consumer "c1"');
  });

  it.each([
    ['a name', `UPDATE "consumer" SET "name" = 'c1' || char(31) || 'x' WHERE "name" = 'c1'`],
    ['a client_id', `UPDATE "consumer" SET "client_id" = 'victim' || char(31) || 'id' WHERE "name" = 'c1'`],
    ['a client_id, on a row with scopes', `UPDATE "consumer" SET "client_id" = '[' || char(31) || '[', "scopes" = '["a"]' WHERE "name" = 'c1'`],
  ])("fails the load, naming the row, when %s written around the store holds the row separator (never another consumer's client_id)", async (_what, sql) => {
    await ctx.store.createConsumer({ name: 'c1', client_id: 'victim', client_secret: SECRET_A });
    const raw = new Database(path.join(ctx.dir, 'oauth2.db'));
    try {
      raw.prepare(sql).run();
      raw.prepare(`UPDATE "revision" SET "value" = "value" + 1`).run();
    } finally {
      raw.close();
    }
    await expect(ctx.store.loadSnapshotSource({ sealed: true })).rejects.toThrow(/^consumer row "c1.*" cannot be read: a name or client_id holds a control character$/);
  });

  it('gives the event loop back while it loads a big config, and other store calls wait their turn meanwhile', async () => {
    const n = 6_000;
    const consumers = Array.from({ length: n }, (_, i) => ({ name: `c${i}`, client_id: `id-${i}`, client_secret: `secret-${i}-0123456789-0123456789-0123456789` }));
    await ctx.store.apply(JSON.stringify({ consumers, global_auth: false }), { dryRun: false });
    let ticks = 0;
    let counting = true;
    const tick = (): void => {
      ticks++;
      if (counting) setImmediate(tick);
    };
    setImmediate(tick);
    const loading = ctx.store.loadSnapshotSource();
    // Issued while the load is under way: queued behind its read, never interleaved with its rows.
    const [src, added] = await Promise.all([loading, ctx.store.createConsumer({ name: 'late' })]);
    counting = false;
    expect(src.consumers).toHaveLength(n);
    expect(src.consumers[n - 1].client_secret).toBe(consumers.find((c) => c.name === src.consumers[n - 1].name)!.client_secret);
    expect(added.name).toBe('late');
    // A cold load of 6,000 secrets pauses at least once per ~1,000 of them (a synchronous load: 0 or 1 ticks).
    expect(ticks).toBeGreaterThanOrEqual(5);
    expect((await ctx.store.loadSnapshotSource()).consumers).toHaveLength(n + 1);
  });

  it('reads consumers in pages: every row once, in name order, with scopes, groups and certificate fields on the rows around each page boundary', async () => {
    // 10,000 = two whole pages of 5,000 (the last page is full, so one more read finds none); then 10,001.
    const pad = (i: number) => String(i).padStart(5, '0');
    const special = new Set([0, 4_999, 5_000, 5_001, 9_999]);
    const consumers = Array.from({ length: 10_000 }, (_, i) => ({
      name: `c${pad(i)}`,
      client_id: `id-${i}`,
      client_secret: `secret-${i}-0123456789-0123456789-0123456789`,
      ...(special.has(i) ? { scopes: [`s:${i}`], groups: [`g${i}`, 'all'] } : {}),
      ...(i === 5_000 ? { auth_method: 'self_signed_tls_client_auth', tls_thumbprint: X5T } : {}),
    }));
    // Applied in reverse, so the table's own order (insertion) is not the name order a page walks.
    await ctx.store.apply(JSON.stringify({ consumers: [...consumers].reverse(), global_auth: false }), { dryRun: false });
    const check = async (want: typeof consumers) => {
      const src = await ctx.store.loadSnapshotSource();
      expect(src.consumers.map((c) => c.name)).toEqual(want.map((c) => c.name));
      expect(src.consumers.map((c) => c.client_secret)).toEqual(want.map((c) => c.client_secret));
      for (const i of special) {
        expect(src.consumers[i]).toMatchObject({ name: `c${pad(i)}`, scopes: [`s:${i}`], groups: [`g${i}`, 'all'] });
      }
      expect(src.consumers[4_998]).toMatchObject({ scopes: null, groups: [] });
      expect(src.consumers[5_000]).toMatchObject({ auth_method: 'self_signed_tls_client_auth', tls_thumbprint: X5T });
      expect(src.consumers[5_001]).not.toHaveProperty('auth_method');
    };
    await check(consumers);
    const more = [...consumers, { name: `c${pad(10_000)}`, client_id: 'id-last', client_secret: 'secret-last-0123456789-0123456789-0123456789' }];
    await ctx.store.apply(JSON.stringify({ consumers: more, global_auth: false }), { dryRun: false });
    await check(more);
  });

  it('maps the database file only while a full load reads it (the mapping counts in RSS)', async () => {
    await ctx.store.createConsumer({ name: 'c1', client_secret: SECRET_A });
    const file = fs.realpathSync(path.join(ctx.dir, 'oauth2.db'));
    const mapped = () =>
      fs
        .readFileSync('/proc/self/maps', 'utf8')
        .split('\n')
        .some((l) => l.endsWith(` ${file}`));
    // Seen mapped from inside the read: a store call queued behind the load cannot see it, so look
    // at every turn of the event loop (the load pauses between its pages, still in the transaction).
    let during = false;
    let looking = true;
    const look = (): void => {
      during ||= mapped();
      if (looking) setImmediate(look);
    };
    const consumers = Array.from({ length: 6_000 }, (_, i) => ({ name: `m${i}`, client_id: `mid-${i}`, client_secret: `secret-${i}-0123456789-0123456789-0123456789` }));
    await ctx.store.apply(JSON.stringify({ consumers, global_auth: false }), { dryRun: false });
    // Pages still in the WAL are read from it, not through the map: checkpoint, as a store at rest is.
    const raw = new Database(file);
    try {
      raw.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      raw.close();
    }
    const loading = ctx.store.loadSnapshotSource({ sealed: true });
    setImmediate(look);
    const src = await loading;
    looking = false;
    expect(src.consumers).toHaveLength(6_000);
    expect(during).toBe(true);
    expect(mapped()).toBe(false);
  });

  it("does not keep a load's result alive once the caller dropped it (the store's unit queue holds no results)", async () => {
    await ctx.store.createConsumer({ name: 'c1', client_secret: SECRET_A });
    const gc = forceGc();
    let ref: WeakRef<object> | undefined;
    await (async () => {
      ref = new WeakRef(await ctx.store.loadSnapshotSource());
    })();
    // No store call after the load: before the fix the queue's tail still resolved to the result.
    for (let i = 0; i < 3 && ref!.deref() !== undefined; i++) {
      await new Promise((r) => setImmediate(r));
      gc();
    }
    expect(ref!.deref()).toBeUndefined();
  });
});

/** A full GC without starting node with --expose-gc. */
function forceGc(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}
