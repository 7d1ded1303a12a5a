import Database from 'better-sqlite3';
import * as path from 'node:path';
import { storePerTest } from '@oauth2/testing';
import { openStore } from './index';

const SECRET = (i: number) => `secret-${i}-${'s'.repeat(32)}`;
const doc = (consumers: { name: string; client_id: string; client_secret: string }[], allow = [consumers[0].name]) =>
  JSON.stringify({ spec: { defaultConfig: { global_auth: false, consumers }, matchRules: [{ domain: ['a.example.com'], config: { allow } }] } });

/** The SQLite file read directly: what the change log holds for `revision`, and the sealed bytes by name. */
function inFile(dir: string, revision: number) {
  const db = new Database(path.join(dir, 'oauth2.db'), { readonly: true });
  try {
    const logged = db.prepare('SELECT DISTINCT "tbl", "key" FROM "change_log" WHERE "revision" = ? ORDER BY "tbl", "key"').all(revision) as { tbl: string; key: string }[];
    const sealed = new Map((db.prepare('SELECT "name", hex("secret_enc") AS h FROM "consumer"').all() as { name: string; h: string }[]).map((r) => [r.name, r.h]));
    return { consumersLogged: logged.filter((l) => l.tbl === 'consumer').map((l) => l.key), sealed };
  } finally {
    db.close();
  }
}

describe('apply: document-level writes (only the rows that differ, in multi-row statements)', () => {
  const ctx = storePerTest('oauth2-apply-bulk-', (dataDir) => openStore({ dataDir }));

  it('re-applying the same document writes no consumer row; a changed one is rewritten, a client_id may move', async () => {
    const three = [0, 1, 2].map((i) => ({ name: `c${i}`, client_id: `id-${i}`, client_secret: SECRET(i) }));
    const r1 = (await ctx.store.apply(doc(three), { dryRun: false })).revision;
    const first = inFile(ctx.dir, r1);
    expect(first.consumersLogged).toEqual(['c0', 'c1', 'c2']);

    const r2 = (await ctx.store.apply(doc(three), { dryRun: false })).revision;
    const again = inFile(ctx.dir, r2);
    expect(again.consumersLogged).toEqual([]);
    expect(again.sealed).toEqual(first.sealed);

    // c1's secret changes; c0 and c2 swap client ids; c3 is new; nothing is removed.
    const next = [
      { name: 'c0', client_id: 'id-2', client_secret: SECRET(0) },
      { name: 'c1', client_id: 'id-1', client_secret: SECRET(9) },
      { name: 'c2', client_id: 'id-0', client_secret: SECRET(2) },
      { name: 'c3', client_id: 'id-3', client_secret: SECRET(3) },
    ];
    const res = await ctx.store.apply(doc(next), { dryRun: false });
    expect(inFile(ctx.dir, res.revision).consumersLogged).toEqual(['c0', 'c1', 'c2', 'c3']);
    expect(res.changes.consumers).toEqual({
      added: ['c3'],
      removed: [],
      changed: [
        { name: 'c0', fields: ['client_id'] },
        { name: 'c1', fields: ['client_secret'] },
        { name: 'c2', fields: ['client_id'] },
      ],
    });
    const src = await ctx.store.loadSnapshotSource();
    expect(src.consumers.map((c) => [c.name, c.client_id, c.client_secret])).toEqual(next.map((c) => [c.name, c.client_id, c.client_secret]));

    // Only c1 removed: one row deleted, none rewritten.
    const r4 = (await ctx.store.apply(doc(next.filter((c) => c.name !== 'c1')), { dryRun: false })).revision;
    expect(inFile(ctx.dir, r4).consumersLogged).toEqual(['c1']);
    expect((await ctx.store.loadSnapshotSource()).consumers.map((c) => c.name)).toEqual(['c0', 'c2', 'c3']);
  });

  it('writes thousands of consumers and rules across many statements, each secret sealed under its own IV', async () => {
    const many = Array.from({ length: 2_600 }, (_, i) => ({ name: `m${String(i).padStart(4, '0')}`, client_id: `mid-${i}`, client_secret: SECRET(i) }));
    const rules = Array.from({ length: 1_300 }, (_, i) => ({ domain: [`*.d${i}.example.org`], config: { allow: [many[i].name, many[i * 2 + 1].name] } }));
    const text = JSON.stringify({ spec: { defaultConfig: { consumers: many }, matchRules: rules } });
    const res = await ctx.store.apply(text, { dryRun: false });
    expect(res.applied).toEqual({ consumers: 2_600, rules: 1_300 });
    const src = await ctx.store.loadSnapshotSource();
    expect(src.consumers.map((c) => [c.name, c.client_id, c.client_secret])).toEqual(many.map((c) => [c.name, c.client_id, c.client_secret]));
    expect(src.rules.map((r) => [r.position, r.domains, r.allow])).toEqual(rules.map((r, i) => [i + 1, r.domain, r.config.allow]));
    const ivs = new Set([...inFile(ctx.dir, res.revision).sealed.values()].map((h) => h.slice(0, 24)));
    expect(ivs.size).toBe(2_600);
  });
});
