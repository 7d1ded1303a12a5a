import * as path from 'node:path';
import Database from 'better-sqlite3';
import { createTestDatabase, describePostgres, storePerTest, thrownBy, type StorePerTest, type TestDatabase } from '@oauth2/testing';
import { openStore, StoreError, type ConfigStore } from './index';

// SPEC §13 (RFC 8705 §2) in the store: a consumer's auth_method with tls_subject / tls_thumbprint,
// the validation (one line naming the field), PATCH, the snapshot (full and delta), apply/export,
// and the migration's columns on both dialects (existing rows read as client_secret).
const storeError = (fn: () => Promise<unknown>) => thrownBy(StoreError, fn);
const X5T = 'L1lyWsP7Obu3qL8ZAycmFoTCN0khRLt1xSl6ywGLGks';
const SECRET = 'secret-a-0123456789abcdef0123456789';

function suite(ctx: StorePerTest<ConfigStore>): void {
  it('stores the method with its one field; reads show all three (client_secret by default)', async () => {
    expect(await ctx.store.createConsumer({ name: 'plain' })).toMatchObject({ auth_method: 'client_secret', tls_subject: null, tls_thumbprint: null });
    expect(await ctx.store.createConsumer({ name: 'm2m', auth_method: 'tls_client_auth', tls_subject: 'CN=m2m' })).toMatchObject({
      auth_method: 'tls_client_auth',
      tls_subject: 'CN=m2m',
      tls_thumbprint: null,
    });
    await ctx.store.createConsumer({ name: 'self', auth_method: 'self_signed_tls_client_auth', tls_thumbprint: X5T });
    expect(await ctx.store.getConsumer('self')).toMatchObject({ auth_method: 'self_signed_tls_client_auth', tls_subject: null, tls_thumbprint: X5T });
    expect((await ctx.store.listConsumers(10, 0)).items.map((c) => [c.name, c.auth_method])).toEqual([
      ['m2m', 'tls_client_auth'],
      ['plain', 'client_secret'],
      ['self', 'self_signed_tls_client_auth'],
    ]);
  });

  it.each<[string, Record<string, unknown>, string, RegExp]>([
    ['an unknown method', { auth_method: 'private_key_jwt' }, 'auth_method', /must be one of client_secret, tls_client_auth, self_signed_tls_client_auth/],
    ['tls_client_auth without tls_subject', { auth_method: 'tls_client_auth' }, 'tls_subject', /is required for auth_method tls_client_auth/],
    ['tls_client_auth with a thumbprint', { auth_method: 'tls_client_auth', tls_subject: 'CN=a', tls_thumbprint: X5T }, 'tls_thumbprint', /applies only to auth_method self_signed/],
    ['self_signed without tls_thumbprint', { auth_method: 'self_signed_tls_client_auth' }, 'tls_thumbprint', /is required for auth_method self_signed_tls_client_auth/],
    ['self_signed with a subject', { auth_method: 'self_signed_tls_client_auth', tls_thumbprint: X5T, tls_subject: 'CN=a' }, 'tls_subject', /applies only to auth_method tls_client_auth/],
    ['client_secret with a subject', { tls_subject: 'CN=a' }, 'tls_subject', /applies only/],
    ['a thumbprint in hex', { auth_method: 'self_signed_tls_client_auth', tls_thumbprint: 'ab'.repeat(32) }, 'tls_thumbprint', /base64url SHA-256/],
    ['a padded thumbprint', { auth_method: 'self_signed_tls_client_auth', tls_thumbprint: `${X5T}=` }, 'tls_thumbprint', /43 characters/],
    ['a subject that is no DN', { auth_method: 'tls_client_auth', tls_subject: 'm2m' }, 'tls_subject', /is not a subject DN/],
    ['an unknown SAN kind', { auth_method: 'tls_client_auth', tls_subject: 'san:rid:1.2.3' }, 'tls_subject', /is not san:dns/],
  ])('refuses %s (400 naming the field; nothing changes)', async (_n, fields, field, msg) => {
    await ctx.store.createConsumer({ name: 'a' });
    const rev = await ctx.store.revision();
    const e = await storeError(() => ctx.store.createConsumer({ name: 'b', ...fields } as never));
    expect([e.kind, e.field]).toEqual(['validation', field]);
    expect(e.message).toMatch(msg);
    const e2 = await storeError(() => ctx.store.updateConsumer('a', fields as never));
    expect([e2.kind, e2.field]).toEqual(['validation', field]);
    expect(await ctx.store.revision()).toBe(rev);
  });

  it('PATCH switches the method; a changed method drops the old field unless given; the same method keeps it', async () => {
    await ctx.store.createConsumer({ name: 'a' });
    expect(await ctx.store.updateConsumer('a', { auth_method: 'tls_client_auth', tls_subject: 'san:dns:a.example' })).toMatchObject({
      auth_method: 'tls_client_auth',
      tls_subject: 'san:dns:a.example',
    });
    expect(await ctx.store.updateConsumer('a', { groups: ['g'] })).toMatchObject({ auth_method: 'tls_client_auth', tls_subject: 'san:dns:a.example' });
    expect(await ctx.store.updateConsumer('a', { tls_subject: 'CN=a,O=Example' })).toMatchObject({ tls_subject: 'CN=a,O=Example' });
    expect((await storeError(() => ctx.store.updateConsumer('a', { auth_method: 'self_signed_tls_client_auth' }))).field).toBe('tls_thumbprint');
    expect(await ctx.store.updateConsumer('a', { auth_method: 'self_signed_tls_client_auth', tls_thumbprint: X5T })).toMatchObject({ tls_subject: null, tls_thumbprint: X5T });
    expect(await ctx.store.updateConsumer('a', { auth_method: 'client_secret' })).toMatchObject({ auth_method: 'client_secret', tls_subject: null, tls_thumbprint: null });
  });

  it('the snapshot carries it (full load and delta); a client_secret consumer has none', async () => {
    await ctx.store.createConsumer({ name: 'a', auth_method: 'tls_client_auth', tls_subject: 'CN=a' });
    await ctx.store.createConsumer({ name: 'b' });
    const src = await ctx.store.loadSnapshotSource();
    expect(src.consumers.find((c) => c.name === 'a')).toMatchObject({ auth_method: 'tls_client_auth', tls_subject: 'CN=a' });
    expect(src.consumers.find((c) => c.name === 'b')?.auth_method).toBeUndefined();
    const sealed = await ctx.store.loadSnapshotSource({ sealed: true });
    expect((sealed.consumers.find((c) => c.name === 'a') as unknown as { tls: unknown }).tls).toEqual({ method: 'tls_client_auth', subject: 'CN=a' });
    const rev = await ctx.store.revision();
    await ctx.store.updateConsumer('b', { auth_method: 'self_signed_tls_client_auth', tls_thumbprint: X5T });
    const d = await ctx.store.loadSnapshotDelta(rev);
    expect(d?.consumers.upserts).toEqual([expect.objectContaining({ name: 'b', auth_method: 'self_signed_tls_client_auth', tls_thumbprint: X5T })]);
  });

  it('apply and export carry it (only the fields that apply); the round trip changes nothing; changes name the fields', async () => {
    const doc = [
      'consumers:',
      `- {name: a, client_id: id-a, client_secret: ${SECRET}, auth_method: tls_client_auth, tls_subject: "CN=a"}`,
      `- {name: b, client_id: id-b, client_secret: ${SECRET}, auth_method: self_signed_tls_client_auth, tls_thumbprint: ${X5T}}`,
      `- {name: c, client_id: id-c, client_secret: ${SECRET}}`,
    ].join('\n');
    await ctx.store.apply(doc, { dryRun: false });
    const exported = await ctx.store.exportConfig({ redact: true });
    expect((exported.spec as { defaultConfig: { consumers: unknown[] } }).defaultConfig.consumers).toEqual([
      { name: 'a', client_id: 'id-a', client_secret: '***', auth_method: 'tls_client_auth', tls_subject: 'CN=a' },
      { name: 'b', client_id: 'id-b', client_secret: '***', auth_method: 'self_signed_tls_client_auth', tls_thumbprint: X5T },
      { name: 'c', client_id: 'id-c', client_secret: '***' },
    ]);
    const rev = await ctx.store.revision();
    const again = await ctx.store.apply(JSON.stringify(exported), { dryRun: false });
    expect(again.changes.consumers).toEqual({ added: [], removed: [], changed: [] });
    expect(await ctx.store.revision()).toBe(rev + 1);
    // No consumer row was rewritten: the delta since then names none.
    expect((await ctx.store.loadSnapshotDelta(rev + 1))?.consumers.upserts).toEqual([]);
    const changed = await ctx.store.apply(doc.replace('tls_subject: "CN=a"', 'tls_subject: "CN=b"').replace(/, auth_method: self_signed_tls_client_auth, tls_thumbprint: \S+}/, '}'), { dryRun: true });
    expect(changed.changes.consumers.changed).toEqual([
      { name: 'a', fields: ['tls_subject'] },
      { name: 'b', fields: ['auth_method', 'tls_thumbprint'] },
    ]);
    const bad = await storeError(() => ctx.store.apply(`consumers:\n- {name: a, client_id: id-a, client_secret: ${SECRET}, auth_method: tls_client_auth}\n`, { dryRun: true }));
    expect(bad.message).toMatch(/^consumers\[0\]\.tls_subject: is required for auth_method tls_client_auth/);
  });
}

describe('consumer client authentication (SQLite)', () => {
  const ctx = storePerTest('oauth2-tls-auth-', (dataDir) => openStore({ dataDir }));
  suite(ctx);

  it('the migration: a store from before it reads its consumers as client_secret, and takes the new fields', async () => {
    await ctx.store.createConsumer({ name: 'old' });
    await ctx.store.close();
    // Back to the schema before ConsumerTlsAuth, as an older release left it.
    const db = new Database(path.join(ctx.dir, 'oauth2.db'));
    for (const c of ['tls_thumbprint', 'tls_subject', 'auth_method']) db.exec(`ALTER TABLE "consumer" DROP COLUMN "${c}"`);
    db.prepare(`DELETE FROM "migrations" WHERE "name" = 'ConsumerTlsAuth1768953600000'`).run();
    db.close();
    ctx.store = await openStore({ dataDir: ctx.dir });
    expect(await ctx.store.getConsumer('old')).toMatchObject({ auth_method: 'client_secret', tls_subject: null, tls_thumbprint: null });
    expect(await ctx.store.updateConsumer('old', { auth_method: 'tls_client_auth', tls_subject: 'CN=old' })).toMatchObject({ auth_method: 'tls_client_auth' });
  });
});

describePostgres('consumer client authentication (PostgreSQL)', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase();
  });
  suite(storePerTest('oauth2-pg-tls-auth-', (dataDir) => openStore({ dataDir, database: db.url, masterKey: 'a'.repeat(64) })));
  afterEach(() => db.drop());
});
