import Database from 'better-sqlite3';
import * as path from 'node:path';
import { onDamagedSecret, SealedConsumer, SealedPreviousSecret, stateFromSource, unsealAll, type ConsumerRecord } from '@oauth2/core';
import { verifyAccessToken } from '@oauth2/token';
import { AT_HEADER, craftHs256, createTestDatabase, describePostgres, standardClaims, storePerTest, type TestDatabase } from '@oauth2/testing';
import { openStore } from './index';

// Rotation with a grace period (SPEC §8.4) in the store: the previous secret stays sealed in the
// snapshot and opens on first use (never for an ended grace); a damaged one fails closed for that
// consumer's previous secret only; the incremental reload carries the columns; apply keeps a
// running grace when it keeps the secret and ends it when it changes the secret (SPEC §8.5: the
// rotation state is not part of the document).
const OLD = 'old-secret-old-secret-old-secret-old-secret';
const NEW = 'new-secret-new-secret-new-secret-new-secret';
const pause = () => new Promise<void>((r) => setImmediate(r));
const nowS = () => Math.floor(Date.now() / 1000);
const tokenOf = (key: string) => craftHs256(AT_HEADER, standardClaims({ name: 'c1', clientId: 'id-1', now: nowS() - 5 }), key);
const verifyOpts = () => ({ issuer: 'Higress-Gateway', clockSkewSeconds: 60, nowSeconds: nowS() });

describe('rotation with a grace period: store and sealed load', () => {
  const ctx = storePerTest('oauth2-grace-', (dataDir) => openStore({ dataDir }));
  const reported: string[] = [];
  let unlisten: () => void;
  beforeEach(() => {
    reported.length = 0;
    unlisten = onDamagedSecret((name, reason) => reported.push(`${name}: ${reason}`));
  });
  afterEach(() => unlisten());

  function sql(statement: string): void {
    const raw = new Database(path.join(ctx.dir, 'oauth2.db'));
    try {
      raw.prepare(statement).run();
    } finally {
      raw.close();
    }
  }

  async function sealedC1(): Promise<SealedConsumer> {
    const src = await ctx.store.loadSnapshotSource({ sealed: true });
    return src.consumers.find((c) => c.name === 'c1') as SealedConsumer;
  }

  it('the previous secret is kept sealed and opens on first use only; the background pass leaves it; reads show the grace end', async () => {
    await ctx.store.createConsumer({ name: 'c1', client_id: 'id-1', client_secret: OLD });
    const r = await ctx.store.rotateSecret('c1', NEW, 600);
    const end = Date.parse(r.previous_secret_expires_at!) / 1000;
    expect(end - nowS()).toBeGreaterThanOrEqual(599);
    expect(end - nowS()).toBeLessThanOrEqual(600);
    expect((await ctx.store.getConsumer('c1')).previous_secret_expires_at).toBe(r.previous_secret_expires_at);

    const src = await ctx.store.loadSnapshotSource({ sealed: true });
    const c1 = src.consumers[0] as SealedConsumer;
    const state = await stateFromSource(src, pause);
    await unsealAll(state.consumers.values(), pause, () => false);
    expect(c1.previous).toBeInstanceOf(SealedPreviousSecret);
    const p = c1.previous as SealedPreviousSecret;
    expect(p.openedSecret).toBeUndefined();
    expect([p.rotated_at, p.expires_at]).toEqual([end - 600, end]);
    // A token of the current secret does not open it either.
    expect(verifyAccessToken(tokenOf(NEW), state.snapshot.consumersByClientId, verifyOpts()).ok).toBe(true);
    expect(p.openedSecret).toBeUndefined();
    // A token of the previous one does: it verifies, until the grace end.
    const v = verifyAccessToken(tokenOf(OLD), state.snapshot.consumersByClientId, verifyOpts());
    expect(v).toMatchObject({ ok: true, previousSecretUntil: end });
    expect(p.openedSecret).toBe(OLD);
    expect(reported).toEqual([]);

    // An opened previous secret carries over to the next full load while its sealed bytes are unchanged.
    await ctx.store.createConsumer({ name: 'c2', client_secret: NEW });
    expect(((await sealedC1()).previous as SealedPreviousSecret).openedSecret).toBe(OLD);
  });

  it('without `sealed` the record carries the rotation fields of model.ts (the previous secret opened while the grace lasts)', async () => {
    await ctx.store.createConsumer({ name: 'c1', client_id: 'id-1', client_secret: OLD });
    const r = await ctx.store.rotateSecret('c1', NEW, 60);
    const end = Date.parse(r.previous_secret_expires_at!) / 1000;
    const [c1] = (await ctx.store.loadSnapshotSource()).consumers;
    expect(c1).not.toBeInstanceOf(SealedConsumer);
    expect(c1).toEqual<ConsumerRecord>({ name: 'c1', client_id: 'id-1', client_secret: NEW, scopes: null, groups: [], previous_secret: OLD, rotated_at: end - 60, previous_expires_at: end });
  });

  it('the incremental reload carries the rotation columns, sealed and not', async () => {
    await ctx.store.createConsumer({ name: 'c1', client_id: 'id-1', client_secret: OLD });
    const since = await ctx.store.revision();
    const r = await ctx.store.rotateSecret('c1', NEW, 60);
    const end = Date.parse(r.previous_secret_expires_at!) / 1000;
    const sealed = (await ctx.store.loadSnapshotDelta(since, { sealed: true }))!.consumers.upserts[0] as SealedConsumer;
    expect(sealed.previous).toMatchObject({ rotated_at: end - 60, expires_at: end });
    expect((sealed.previous as SealedPreviousSecret).openedSecret).toBeUndefined();
    expect(sealed.previous!.secret).toBe(OLD);
    const plain = (await ctx.store.loadSnapshotDelta(since))!.consumers.upserts[0];
    expect(plain).toMatchObject({ client_secret: NEW, previous_secret: OLD, rotated_at: end - 60, previous_expires_at: end });
    // Rotating again without grace: the delta drops the previous secret.
    const again = await ctx.store.revision();
    await ctx.store.rotateSecret('c1', OLD, 0);
    expect(((await ctx.store.loadSnapshotDelta(again, { sealed: true }))!.consumers.upserts[0] as SealedConsumer).previous).toBeNull();
  });

  it('a damaged previous secret fails closed for that consumer only: its current secret works, the previous one verifies nothing, reported once', async () => {
    await ctx.store.createConsumer({ name: 'c1', client_id: 'id-1', client_secret: OLD });
    await ctx.store.createConsumer({ name: 'c2', client_id: 'id-2', client_secret: OLD });
    await ctx.store.rotateSecret('c1', NEW, 600);
    sql(`UPDATE "consumer" SET "previous_secret_enc" = x'00112233' WHERE "name" = 'c1'`);
    const src = await ctx.store.loadSnapshotSource({ sealed: true });
    const state = await stateFromSource(src, pause);
    const keys = state.snapshot.consumersByClientId;
    expect(verifyAccessToken(tokenOf(NEW), keys, verifyOpts()).ok).toBe(true);
    expect(keys.get('id-2')!.client_secret).toBe(OLD);
    expect(reported).toEqual([]);
    expect(verifyAccessToken(tokenOf(OLD), keys, verifyOpts())).toEqual({ ok: false, code: 'bad_signature' });
    expect(reported).toEqual([expect.stringMatching(/^c1: previous secret: cannot decrypt/)]);
    expect(keys.get('id-1')!.previous!.secret).toMatch(/^[0-9a-f]{64}$/);
    expect(verifyAccessToken(tokenOf(OLD), keys, verifyOpts()).ok).toBe(false);
    expect(reported).toHaveLength(1);
  });

  it('an ended grace is never opened: even a damaged previous secret is not reported, and its tokens are refused', async () => {
    await ctx.store.createConsumer({ name: 'c1', client_id: 'id-1', client_secret: OLD });
    await ctx.store.rotateSecret('c1', NEW, 600);
    sql(`UPDATE "consumer" SET "previous_secret_enc" = x'00112233', "previous_secret_expires_at" = ${nowS() - 1} WHERE "name" = 'c1'`);
    expect((await ctx.store.getConsumer('c1')).previous_secret_expires_at).toBeNull();
    const [plain] = (await ctx.store.loadSnapshotSource()).consumers;
    expect(plain.previous_secret).toBeNull();
    const state = await stateFromSource(await ctx.store.loadSnapshotSource({ sealed: true }), pause);
    await unsealAll(state.consumers.values(), pause, () => false);
    expect(verifyAccessToken(tokenOf(OLD), state.snapshot.consumersByClientId, verifyOpts())).toEqual({ ok: false, code: 'bad_signature' });
    expect(reported).toEqual([]);
  });

  it.each<[string, unknown]>([
    ['negative', -1],
    ['over 30 days', 2_592_001],
    ['not an integer', 1.5],
    ['a string', '10'],
  ])('grace_seconds %s is refused naming grace_seconds, and nothing changes', async (_n, grace) => {
    await ctx.store.createConsumer({ name: 'c1', client_id: 'id-1', client_secret: OLD });
    const rev = await ctx.store.revision();
    await expect(ctx.store.rotateSecret('c1', NEW, grace as number)).rejects.toMatchObject({ field: 'grace_seconds' });
    expect(await ctx.store.revision()).toBe(rev);
    expect((await ctx.store.loadSnapshotSource()).consumers[0].client_secret).toBe(OLD);
  });

  describe('apply (SPEC §8.5: rotation state is not in the document)', () => {
    const doc = (secret: string) => JSON.stringify({ global_auth: false, consumers: [{ name: 'c1', client_id: 'id-1', client_secret: secret }] });

    it('an apply that keeps the secret (as given, or redacted) keeps the running grace', async () => {
      await ctx.store.createConsumer({ name: 'c1', client_id: 'id-1', client_secret: OLD });
      const r = await ctx.store.rotateSecret('c1', NEW, 600);
      await ctx.store.apply(doc(NEW), { dryRun: false });
      expect((await ctx.store.getConsumer('c1')).previous_secret_expires_at).toBe(r.previous_secret_expires_at);
      await ctx.store.apply(JSON.stringify(await ctx.store.exportConfig({ redact: true })), { dryRun: false });
      expect((await ctx.store.getConsumer('c1')).previous_secret_expires_at).toBe(r.previous_secret_expires_at);
      expect((await ctx.store.loadSnapshotSource()).consumers[0]).toMatchObject({ client_secret: NEW, previous_secret: OLD });
    });

    it('an apply that changes the secret ends the grace: the previous secret is gone and tokens from before the rotation are cut off', async () => {
      await ctx.store.createConsumer({ name: 'c1', client_id: 'id-1', client_secret: OLD });
      const r = await ctx.store.rotateSecret('c1', NEW, 600);
      const rotatedAt = Date.parse(r.previous_secret_expires_at!) / 1000 - 600;
      await ctx.store.apply(doc('third-secret-third-secret-third-secret-0003'), { dryRun: false });
      expect((await ctx.store.getConsumer('c1')).previous_secret_expires_at).toBeNull();
      const [c1] = (await ctx.store.loadSnapshotSource()).consumers;
      expect(c1).not.toHaveProperty('previous_secret');
      const src = await ctx.store.loadSnapshotSource();
      expect(src.revocations?.clients).toEqual([{ client_id: 'id-1', revoked_before: rotatedAt }]);
    });
  });
});

describePostgres('rotation with a grace period on PostgreSQL (bytea, bigint)', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase();
  });
  const ctx = storePerTest('oauth2-pg-grace-', (dataDir) => openStore({ dataDir, database: db.url, masterKey: Buffer.alloc(32, 7).toString('base64') }));
  afterEach(() => db.drop());

  it('a full load and a delta carry the previous secret sealed, with its times as numbers; apply keeps and ends it', async () => {
    await ctx.store.createConsumer({ name: 'c1', client_id: 'id-1', client_secret: OLD });
    await ctx.store.createConsumer({ name: 'c2', client_id: 'id-2', client_secret: OLD });
    const since = await ctx.store.revision();
    const r = await ctx.store.rotateSecret('c1', NEW, 600);
    const end = Date.parse(r.previous_secret_expires_at!) / 1000;
    const [c1, c2] = (await ctx.store.loadSnapshotSource({ sealed: true })).consumers as SealedConsumer[];
    expect(c1.previous).toMatchObject({ rotated_at: end - 600, expires_at: end });
    expect((c1.previous as SealedPreviousSecret).openedSecret).toBeUndefined();
    expect(c1.previous!.secret).toBe(OLD);
    expect(c2.previous).toBeNull();
    expect((await ctx.store.loadSnapshotDelta(since))!.consumers.upserts.find((c) => c.name === 'c1')).toMatchObject({ previous_secret: OLD, rotated_at: end - 600, previous_expires_at: end });
    expect((await ctx.store.getConsumer('c1')).previous_secret_expires_at).toBe(r.previous_secret_expires_at);
    const doc = (secret: string) => JSON.stringify({ global_auth: false, consumers: [{ name: 'c1', client_id: 'id-1', client_secret: secret }] });
    await ctx.store.apply(doc(NEW), { dryRun: false });
    expect((await ctx.store.getConsumer('c1')).previous_secret_expires_at).toBe(r.previous_secret_expires_at);
    await ctx.store.apply(doc(OLD), { dryRun: false });
    expect((await ctx.store.getConsumer('c1')).previous_secret_expires_at).toBeNull();
  });
});
