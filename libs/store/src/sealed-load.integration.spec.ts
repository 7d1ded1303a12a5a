import Database from 'better-sqlite3';
import * as path from 'node:path';
import { onDamagedSecret, SealedConsumer, stateFromSource, unsealAll } from '@oauth2/core';
import { storePerTest } from '@oauth2/testing';
import { openStore } from './index';

const SECRET_A = 'first-secret-first-secret-first-secret-0001';
const SECRET_B = 'second-secret-second-secret-second-secret-02';
const pause = () => new Promise<void>((r) => setImmediate(r));

describe('loadSnapshotSource({ sealed: true }): secrets opened on first use', () => {
  const ctx = storePerTest('oauth2-sealed-', (dataDir) => openStore({ dataDir }));
  const reported: string[] = [];
  let unlisten: () => void;
  beforeEach(() => {
    reported.length = 0;
    unlisten = onDamagedSecret((name) => reported.push(name));
  });
  afterEach(() => unlisten());

  it('a damaged row loads; only its consumer fails closed, reported once; the others open as stored', async () => {
    await ctx.store.createConsumer({ name: 'c1', client_id: 'id-1', client_secret: SECRET_A });
    await ctx.store.createConsumer({ name: 'c2', client_id: 'id-2', client_secret: SECRET_B });
    const raw = new Database(path.join(ctx.dir, 'oauth2.db'));
    try {
      raw.prepare(`UPDATE "consumer" SET "secret_enc" = x'00112233' WHERE "name" = 'c2'`).run();
    } finally {
      raw.close();
    }
    // Without `sealed` (the explainer, the CLI's paths) the load still refuses the damaged row.
    await expect(ctx.store.loadSnapshotSource()).rejects.toThrow('cannot decrypt the secret of consumer "c2"');

    const src = await ctx.store.loadSnapshotSource({ sealed: true });
    const [c1, c2] = src.consumers as SealedConsumer[];
    expect(c1).toBeInstanceOf(SealedConsumer);
    expect([c1.isSealed, c2.isSealed]).toEqual([true, true]);
    const state = await stateFromSource(src, pause);
    expect(state.snapshot.consumersByClientId.get('id-1')!.key.toString()).toBe(SECRET_A);
    expect(reported).toEqual([]);
    // The background pass opens the rest and reports the damaged one, by name, once.
    expect(await unsealAll(state.consumers.values(), pause, () => false)).toEqual({ opened: 0, damaged: 1, stopped: false });
    expect(reported).toEqual(['c2']);
    const bad = state.snapshot.consumersByClientId.get('id-2')!;
    expect(bad.client_secret).toMatch(/^[0-9a-f]{64}$/);
    expect(bad.client_secret).not.toBe(SECRET_B);
    expect(c2.damaged).toBe(true);
    expect(c2.key.toString()).toBe(bad.client_secret);
    expect(reported).toEqual(['c2']);
  });

  it('an opened secret carries over to the next full load while its sealed bytes are unchanged; a rotated one is sealed again', async () => {
    await ctx.store.createConsumer({ name: 'c1', client_secret: SECRET_A });
    await ctx.store.createConsumer({ name: 'c2', client_secret: SECRET_A });
    const first = (await ctx.store.loadSnapshotSource({ sealed: true })).consumers as SealedConsumer[];
    first.forEach((c) => c.unseal());
    await ctx.store.rotateSecret('c2', SECRET_B);
    await ctx.store.createConsumer({ name: 'c0', client_secret: SECRET_B });
    const next = (await ctx.store.loadSnapshotSource({ sealed: true })).consumers as SealedConsumer[];
    expect(next.map((c) => [c.name, c.isSealed])).toEqual([
      ['c0', true],
      ['c1', false],
      ['c2', true],
    ]);
    expect(next.map((c) => c.client_secret)).toEqual([SECRET_B, SECRET_A, SECRET_B]);
    // A delta's rows come sealed too.
    const r = await ctx.store.revision();
    await ctx.store.rotateSecret('c1', SECRET_B);
    const d = (await ctx.store.loadSnapshotDelta(r, { sealed: true }))!;
    const c1 = d.consumers.upserts.find((c) => c.name === 'c1') as SealedConsumer;
    expect([c1.isSealed, c1.client_secret]).toEqual([true, SECRET_B]);
  });
});
