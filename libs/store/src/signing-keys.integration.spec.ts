import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { storePerTest, thrownBy } from '@oauth2/testing';
import { openStore, StoreError } from './index';

const storeError = (fn: () => Promise<unknown>) => thrownBy(StoreError, fn);

describe('signing keys (docs/signing-keys.md)', () => {
  const ctx = storePerTest('oauth2-keys-', (dataDir) => openStore({ dataDir }));

  /** Moves a key's rotated_at back, from another connection (as time passing would). */
  function backdate(kid: string, seconds: number): void {
    const db = new Database(path.join(ctx.dir, 'oauth2.db'));
    try {
      const row = db.prepare('SELECT "rotated_at" FROM "signing_key" WHERE "kid" = ?').get(kid) as { rotated_at: string };
      db.prepare('UPDATE "signing_key" SET "rotated_at" = ? WHERE "kid" = ?').run(new Date(Date.parse(row.rotated_at) - seconds * 1000).toISOString(), kid);
    } finally {
      db.close();
    }
  }

  it('HS256 by default: no keys, none in the snapshot', async () => {
    expect((await ctx.store.getSettings()).signing_alg).toBe('HS256');
    expect(await ctx.store.listKeys()).toEqual([]);
    expect((await ctx.store.loadSnapshotSource()).keys).toEqual([]);
  });

  it('setting an asymmetric signing_alg creates its first key in the same write; setting it again does not', async () => {
    const r0 = await ctx.store.revision();
    await ctx.store.patchSettings({ signing_alg: 'RS256' });
    expect(await ctx.store.revision()).toBe(r0 + 1);
    const [k] = await ctx.store.listKeys();
    expect(k).toMatchObject({ alg: 'RS256', status: 'active', rotated_at: null, retirable_at: null, public_jwk: { kty: 'RSA', kid: k.kid, alg: 'RS256', use: 'sig' } });
    expect(k.public_jwk).not.toHaveProperty('d');
    const src = await ctx.store.loadSnapshotSource();
    expect(src.keys).toEqual([{ kid: k.kid, alg: 'RS256', public_jwk: expect.objectContaining({ kty: 'RSA' }), private_pem: expect.stringMatching(/BEGIN PRIVATE KEY/), active: true }]);
    await ctx.store.patchSettings({ signing_alg: 'RS256', token_ttl: 60 });
    expect(await ctx.store.listKeys()).toHaveLength(1);
  });

  it('switching alg replaces the active key; HS256 demotes it; both old keys stay published', async () => {
    await ctx.store.patchSettings({ signing_alg: 'ES256' });
    await ctx.store.patchSettings({ signing_alg: 'EdDSA' });
    let keys = await ctx.store.listKeys();
    expect(keys.map((k) => [k.alg, k.status])).toEqual([
      ['EdDSA', 'active'],
      ['ES256', 'inactive'],
    ]);
    await ctx.store.patchSettings({ signing_alg: 'HS256' });
    keys = await ctx.store.listKeys();
    expect(keys.map((k) => k.status)).toEqual(['inactive', 'inactive']);
    const src = await ctx.store.loadSnapshotSource();
    expect(src.keys!.map((k) => [k.alg, k.active, k.private_pem])).toEqual([
      ['ES256', false, undefined],
      ['EdDSA', false, undefined],
    ]);
  });

  it('rotate: a new active key, the previous one kept for verification without its private half', async () => {
    await ctx.store.patchSettings({ signing_alg: 'ES256', token_ttl: 100, clock_skew_seconds: 20 });
    const [first] = await ctx.store.listKeys();
    const r0 = await ctx.store.revision();
    const second = await ctx.store.rotateKey();
    expect(await ctx.store.revision()).toBe(r0 + 1);
    expect(second).toMatchObject({ alg: 'ES256', status: 'active' });
    expect(second.kid).not.toBe(first.kid);
    const old = (await ctx.store.listKeys()).find((k) => k.kid === first.kid)!;
    expect(old.status).toBe('inactive');
    expect(Date.parse(old.retirable_at!) - Date.parse(old.rotated_at!)).toBe(120_000);
    const src = await ctx.store.loadSnapshotSource();
    expect(src.keys!.map((k) => [k.kid, k.active, k.private_pem !== undefined])).toEqual([
      [first.kid, false, false],
      [second.kid, true, true],
    ]);
  });

  it('rotate with another alg switches signing_alg; under HS256 without alg, or with alg HS256, it is refused', async () => {
    expect((await storeError(() => ctx.store.rotateKey())).message).toMatch(/^alg: signing_alg is HS256/);
    expect((await storeError(() => ctx.store.rotateKey('HS256'))).kind).toBe('validation');
    expect((await storeError(() => ctx.store.rotateKey('PS256'))).message).toMatch(/^alg: must be one of RS256, ES256, EdDSA/);
    expect(await ctx.store.listKeys()).toEqual([]);
    const k = await ctx.store.rotateKey('EdDSA');
    expect(k.public_jwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519' });
    expect((await ctx.store.getSettings()).signing_alg).toBe('EdDSA');
  });

  describe('retire', () => {
    it('refuses the active key, an unknown kid, and a key whose tokens may still be valid (naming when)', async () => {
      await ctx.store.patchSettings({ signing_alg: 'EdDSA' });
      const [first] = await ctx.store.listKeys();
      expect((await storeError(() => ctx.store.retireKey(first.kid))).kind).toBe('conflict');
      expect((await storeError(() => ctx.store.retireKey('nope'))).kind).toBe('not_found');
      await ctx.store.rotateKey();
      const old = (await ctx.store.listKeys()).find((k) => k.kid === first.kid)!;
      const e = await storeError(() => ctx.store.retireKey(first.kid));
      expect(e.kind).toBe('conflict');
      expect(e.message).toContain(`can be retired from ${old.retirable_at}`);
      backdate(first.kid, 7200 + 60 - 30); // still 30 s short
      expect((await storeError(() => ctx.store.retireKey(first.kid))).kind).toBe('conflict');
    });

    it('retires a key once token_ttl + clock_skew_seconds have passed; it leaves the snapshot', async () => {
      await ctx.store.patchSettings({ signing_alg: 'RS256' });
      const [first] = await ctx.store.listKeys();
      await ctx.store.rotateKey();
      backdate(first.kid, 7200 + 60 + 1);
      const r0 = await ctx.store.revision();
      const done = await ctx.store.retireKey(first.kid);
      expect(done).toMatchObject({ kid: first.kid, status: 'retired', retired_at: expect.any(String) });
      expect(await ctx.store.revision()).toBe(r0 + 1);
      expect((await ctx.store.loadSnapshotSource()).keys!.map((k) => k.kid)).not.toContain(first.kid);
      expect((await ctx.store.listKeys()).find((k) => k.kid === first.kid)?.status).toBe('retired');
      expect((await ctx.store.retireKey(first.kid)).status).toBe('retired'); // idempotent
    });
  });

  it('the private key is encrypted at rest: the database files never hold the PEM', async () => {
    await ctx.store.patchSettings({ signing_alg: 'RS256' });
    const pem = (await ctx.store.loadSnapshotSource()).keys![0].private_pem!;
    const body = pem.split('\n')[1]; // a line of the base64 key material
    await ctx.store.close();
    const bytes = Buffer.concat(
      ['oauth2.db', 'oauth2.db-wal']
        .map((f) => path.join(ctx.dir, f))
        .filter((f) => fs.existsSync(f))
        .map((f) => fs.readFileSync(f)),
    );
    expect(bytes.includes('PRIVATE KEY')).toBe(false);
    expect(bytes.includes(body)).toBe(false);
    expect(bytes.includes(Buffer.from(body, 'base64'))).toBe(false);
    ctx.store = await openStore({ dataDir: ctx.dir });
    expect((await ctx.store.loadSnapshotSource()).keys![0].private_pem).toBe(pem); // reopened with the same master key
  });

  it('apply takes signing_alg; export writes it only when not HS256; an apply without it returns to HS256', async () => {
    const doc = (extra: string) => `consumers: []\n${extra}`;
    await ctx.store.apply(doc('signing_alg: ES256\n'), { dryRun: true });
    expect(await ctx.store.listKeys()).toEqual([]);
    await ctx.store.apply(doc('signing_alg: ES256\n'), { dryRun: false });
    expect((await ctx.store.listKeys()).map((k) => [k.alg, k.status])).toEqual([['ES256', 'active']]);
    const exported = (await ctx.store.exportConfig({ redact: false })) as { spec: { defaultConfig: Record<string, unknown> } };
    expect(exported.spec.defaultConfig.signing_alg).toBe('ES256');
    expect((await storeError(() => ctx.store.apply(doc('signing_alg: none\n'), { dryRun: false }))).message).toMatch(/signing_alg/);
    await ctx.store.apply(doc(''), { dryRun: false });
    expect((await ctx.store.getSettings()).signing_alg).toBe('HS256');
    expect((await ctx.store.listKeys())[0].status).toBe('inactive');
    const plain = (await ctx.store.exportConfig({ redact: false })) as { spec: { defaultConfig: Record<string, unknown> } };
    expect(plain.spec.defaultConfig).not.toHaveProperty('signing_alg');
  });
});
