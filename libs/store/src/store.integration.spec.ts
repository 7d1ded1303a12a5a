import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_SETTINGS } from '@oauth2/core';
import { expectConcurrentRevisions, storePerTest, thrownBy } from '@oauth2/testing';
import { openStore, StoreError, type ConfigStore } from './index';

const SECRET = 'a-very-long-client-secret-of-at-least-32-chars';
const UPSTREAM = 'http://127.0.0.1:9000';

/** Runs `fn` and returns the StoreError it throws (fails the test if it does not throw one). */
const storeError = (fn: () => Promise<unknown>) => thrownBy(StoreError, fn);

describe('store', () => {
  const ctx = storePerTest('oauth2-store-', (dataDir) => openStore({ dataDir }));

  it('starts with default settings, no config and a revision', async () => {
    expect(await ctx.store.getSettings()).toEqual(DEFAULT_SETTINGS);
    const src = await ctx.store.loadSnapshotSource();
    expect(src).toMatchObject({ consumers: [], routes: [], rules: [], settings: DEFAULT_SETTINGS });
    expect(src.revision).toBe(await ctx.store.revision());
  });

  it('creates consumers with generated id and secret, and shows the secret only on create/rotate', async () => {
    const c = await ctx.store.createConsumer({ name: 'c1' });
    expect(c.client_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Buffer.from(c.client_secret, 'base64url')).toHaveLength(32);
    const got = await ctx.store.getConsumer('c1');
    expect(got).toEqual({
      name: 'c1',
      client_id: c.client_id,
      created_at: c.created_at,
      scopes: null,
      groups: [],
      previous_secret_expires_at: null,
      auth_method: 'client_secret',
      tls_subject: null,
      tls_thumbprint: null,
    });
    expect(got).not.toHaveProperty('client_secret');
    const rotated = await ctx.store.rotateSecret('c1', SECRET);
    expect(rotated.client_secret).toBe(SECRET);
    const src = await ctx.store.loadSnapshotSource();
    expect(src.consumers).toEqual([{ name: 'c1', client_id: c.client_id, client_secret: SECRET, scopes: null, groups: [] }]);
    const generated = await ctx.store.rotateSecret('c1');
    expect(generated.client_secret).not.toBe(SECRET);
  });

  it('lists with limit/offset ordered by name', async () => {
    for (const n of ['b', 'c', 'a']) await ctx.store.createConsumer({ name: n });
    expect((await ctx.store.listConsumers(2, 0)).items.map((c) => c.name)).toEqual(['a', 'b']);
    expect(await ctx.store.listConsumers(2, 2)).toMatchObject({ items: [{ name: 'c' }], total: 3 });
    expect(await ctx.store.listConsumers(0, 0)).toEqual({ items: [], total: 3 });
  });

  it('searches consumers by a substring of name or client_id, any case; LIKE wildcards match themselves', async () => {
    await ctx.store.createConsumer({ name: 'Billing-API', client_id: 'cid-1' });
    await ctx.store.createConsumer({ name: 'orders', client_id: 'BILL-9' });
    await ctx.store.createConsumer({ name: 'a_b', client_id: 'x1' });
    await ctx.store.createConsumer({ name: 'axb', client_id: 'y1' });
    expect(await ctx.store.listConsumers(10, 0, 'bill')).toMatchObject({ items: [{ name: 'Billing-API' }, { name: 'orders' }], total: 2 });
    expect((await ctx.store.listConsumers(10, 0, '_')).items.map((c) => c.name)).toEqual(['a_b']);
    expect(await ctx.store.listConsumers(1, 1, 'BILL')).toMatchObject({ items: [{ name: 'orders' }], total: 2 });
    expect(await ctx.store.listConsumers(0, 0, 'bill')).toEqual({ items: [], total: 2 });
    expect(await ctx.store.listConsumers(10, 0, 'zzz')).toEqual({ items: [], total: 0 });
  });

  it('creates, replaces and deletes routes (hosts lower-cased and de-duplicated, prefix defaulted)', async () => {
    const r = await ctx.store.createRoute({ name: 'ns/ing', upstream: UPSTREAM, hosts: ['API.example.com', 'api.example.com', '*.Example.org'] });
    expect(r).toMatchObject({ name: 'ns/ing', hosts: ['api.example.com', '*.example.org'], path_prefix: '/', strip_prefix: false });
    const r2 = await ctx.store.replaceRoute('ns/ing', { upstream: 'https://up.example.com/base', path_prefix: '/v1/', strip_prefix: true });
    expect(r2).toMatchObject({ hosts: [], path_prefix: '/v1', upstream: 'https://up.example.com/base', strip_prefix: true, created_at: r.created_at });
    expect(await ctx.store.getRoute('ns/ing')).toEqual(r2);
    expect(await ctx.store.deleteRoute('ns/ing', false)).toEqual({ deleted: 'ns/ing', rules_updated: [], rules_deleted: [], rules_emptied: [] });
    expect((await storeError(() => ctx.store.getRoute('ns/ing'))).kind).toBe('not_found');
  });

  it('orders rules by (position, id), appends when position is omitted, and replaces', async () => {
    await ctx.store.createConsumer({ name: 'c1' });
    await ctx.store.createRoute({ name: 'r1', upstream: UPSTREAM });
    const a = await ctx.store.createRule({ routes: ['r1'], allow: ['c1'] });
    const b = await ctx.store.createRule({ domains: ['*.Example.com', 'test.com'], allow: ['c1', 'c1'] });
    const first = await ctx.store.createRule({ domains: ['x.com'], allow: ['c1'], position: 0 });
    const tie = await ctx.store.createRule({ domains: ['y.com'], allow: ['c1'], position: a.position });
    expect(b).toEqual({ id: b.id, position: a.position + 1, domains: ['*.example.com', 'test.com'], allow: ['c1'], allow_groups: [], scopes: [] });
    expect((await ctx.store.listRules(100, 0)).items.map((r) => r.id)).toEqual([first.id, a.id, tie.id, b.id]);
    expect((await ctx.store.loadSnapshotSource()).rules.map((r) => r.id)).toEqual([first.id, a.id, tie.id, b.id]);
    const replaced = await ctx.store.replaceRule(a.id, { domains: ['z.com'], allow: ['c1'] });
    expect(replaced).toEqual({ id: a.id, position: a.position, domains: ['z.com'], allow: ['c1'], allow_groups: [], scopes: [] });
    expect(await ctx.store.getRule(a.id)).toEqual(replaced);
    expect(await ctx.store.deleteRule(a.id)).toEqual({ deleted: String(a.id), rules_updated: [], rules_deleted: [], rules_emptied: [] });
    expect((await storeError(() => ctx.store.getRule(a.id))).kind).toBe('not_found');
  });

  it('patches settings (any subset; global_auth null unsets)', async () => {
    expect(await ctx.store.patchSettings({ global_auth: true, token_ttl: 60 })).toMatchObject({ global_auth: true, token_ttl: 60, issuer: 'Higress-Gateway' });
    expect(await ctx.store.patchSettings({ global_auth: null })).toMatchObject({ global_auth: null, token_ttl: 60 });
    expect((await ctx.store.loadSnapshotSource()).settings.token_ttl).toBe(60);
  });

  describe('refusals', () => {
    beforeEach(async () => {
      await ctx.store.createConsumer({ name: 'c1', client_id: 'id-1', client_secret: SECRET });
      await ctx.store.createRoute({ name: 'r1', upstream: UPSTREAM });
    });

    it.each<[string, (s: ConfigStore) => Promise<unknown>, string, string]>([
      ['bad consumer name', (s) => s.createConsumer({ name: 'bad name' }), 'validation', 'name'],
      ['empty consumer name', (s) => s.createConsumer({ name: '' }), 'validation', 'name'],
      ['short secret', (s) => s.createConsumer({ name: 'c2', client_secret: 'x'.repeat(31) }), 'validation', 'client_secret'],
      ['empty client_id', (s) => s.createConsumer({ name: 'c2', client_id: '' }), 'validation', 'client_id'],
      ['client_id with a space', (s) => s.createConsumer({ name: 'c2', client_id: 'a b' }), 'validation', 'client_id'],
      ['client_id too long', (s) => s.createConsumer({ name: 'c2', client_id: 'x'.repeat(257) }), 'validation', 'client_id'],
      ['duplicate name', (s) => s.createConsumer({ name: 'c1' }), 'conflict', 'name'],
      ['duplicate client_id', (s) => s.createConsumer({ name: 'c2', client_id: 'id-1' }), 'conflict', 'client_id'],
      ['short rotated secret', (s) => s.rotateSecret('c1', 'short'), 'validation', 'client_secret'],
      ['rotate unknown', (s) => s.rotateSecret('nope'), 'not_found', 'name'],
      ['get unknown consumer', (s) => s.getConsumer('nope'), 'not_found', 'name'],
      ['delete unknown consumer', (s) => s.deleteConsumer('nope', true), 'not_found', 'name'],
      ['bad route name', (s) => s.createRoute({ name: 'a b', upstream: UPSTREAM }), 'validation', 'name'],
      ['duplicate route', (s) => s.createRoute({ name: 'r1', upstream: UPSTREAM }), 'conflict', 'name'],
      ['bad host', (s) => s.createRoute({ name: 'r2', upstream: UPSTREAM, hosts: ['a..b'] }), 'validation', 'hosts[0]'],
      ['bad path_prefix', (s) => s.createRoute({ name: 'r2', upstream: UPSTREAM, path_prefix: 'api' }), 'validation', 'path_prefix'],
      ['dot segment prefix', (s) => s.createRoute({ name: 'r2', upstream: UPSTREAM, path_prefix: '/a/../b' }), 'validation', 'path_prefix'],
      ['ftp upstream', (s) => s.createRoute({ name: 'r2', upstream: 'ftp://x' }), 'validation', 'upstream'],
      ['upstream with query', (s) => s.createRoute({ name: 'r2', upstream: 'http://x/?a=1' }), 'validation', 'upstream'],
      ['renaming route', (s) => s.replaceRoute('r1', { name: 'r9', upstream: UPSTREAM }), 'validation', 'name'],
      ['replace unknown route', (s) => s.replaceRoute('nope', { upstream: UPSTREAM }), 'not_found', 'name'],
      ['rule with both targets', (s) => s.createRule({ routes: ['r1'], domains: ['a.com'], allow: ['c1'] }), 'validation', 'domains'],
      ['rule with no target', (s) => s.createRule({ allow: ['c1'] }), 'validation', 'routes'],
      ['rule with empty allow', (s) => s.createRule({ routes: ['r1'], allow: [] }), 'validation', 'allow'],
      ['rule with unknown consumer', (s) => s.createRule({ routes: ['r1'], allow: ['c1', 'ghost'] }), 'validation', 'allow[1]'],
      ['rule with unknown route', (s) => s.createRule({ routes: ['ghost'], allow: ['c1'] }), 'validation', 'routes[0]'],
      ['rule with bad domain', (s) => s.createRule({ domains: ['*'], allow: ['c1'] }), 'validation', 'domains[0]'],
      ['rule with negative position', (s) => s.createRule({ routes: ['r1'], allow: ['c1'], position: -1 }), 'validation', 'position'],
      ['replace unknown rule', (s) => s.replaceRule(999, { routes: ['r1'], allow: ['c1'] }), 'not_found', 'id'],
      ['delete unknown rule', (s) => s.deleteRule(999), 'not_found', 'id'],
      ['unknown setting', (s) => s.patchSettings({ nope: 1 } as never), 'validation', 'nope'],
      ['token_ttl 0', (s) => s.patchSettings({ token_ttl: 0 }), 'validation', 'token_ttl'],
      ['negative clock skew', (s) => s.patchSettings({ clock_skew_seconds: -1 }), 'validation', 'clock_skew_seconds'],
      ['auth_path without slash', (s) => s.patchSettings({ auth_path: 'token' }), 'validation', 'auth_path'],
      ['bad header name', (s) => s.patchSettings({ auth_header_name: 'a b' }), 'validation', 'auth_header_name'],
      ['bad limit', (s) => s.listConsumers(-1, 0), 'validation', 'limit'],
    ])('%s', async (_title, op, kind, field) => {
      const before = await ctx.store.revision();
      const err = await storeError(() => op(ctx.store));
      expect(err.kind).toBe(kind);
      expect(err.field).toBe(field);
      // Validation and conflicts name the field; "not found" names the missing value.
      expect(err.message).toContain(kind === 'not_found' ? 'not found' : `${field}:`);
      expect(err.message).not.toMatch(/\n/);
      expect(await ctx.store.revision()).toBe(before);
    });

    it('never echoes a refused secret', async () => {
      const err = await storeError(() => ctx.store.createConsumer({ name: 'c2', client_secret: 'short-but-secret' }));
      expect(err.message).not.toContain('short-but-secret');
    });
  });

  describe('delete of referenced consumers and routes', () => {
    it('is refused without force and detaches with force, deleting emptied rules', async () => {
      for (const n of ['c1', 'c2']) await ctx.store.createConsumer({ name: n });
      for (const n of ['r1', 'r2']) await ctx.store.createRoute({ name: n, upstream: UPSTREAM });
      const onlyC1 = await ctx.store.createRule({ domains: ['a.com'], allow: ['c1'] });
      const both = await ctx.store.createRule({ routes: ['r1', 'r2'], allow: ['c1', 'c2'] });
      const onlyR1 = await ctx.store.createRule({ routes: ['r1'], allow: ['c2'] });

      const refused = await storeError(() => ctx.store.deleteConsumer('c1', false));
      expect(refused.kind).toBe('conflict');
      expect(refused.message).toContain(`${onlyC1.id}, ${both.id}`);
      expect(await ctx.store.getConsumer('c1')).toMatchObject({ name: 'c1' });
      expect((await storeError(() => ctx.store.deleteRoute('r1', false))).kind).toBe('conflict');

      // A delete never widens access: the rule left without consumers stays and allows nobody; the
      // rule left without routes can match nothing and goes.
      expect(await ctx.store.deleteConsumer('c1', true)).toEqual({ deleted: 'c1', rules_updated: [both.id], rules_deleted: [], rules_emptied: [onlyC1.id] });
      expect(await ctx.store.getRule(both.id)).toMatchObject({ allow: ['c2'] });
      expect(await ctx.store.getRule(onlyC1.id)).toMatchObject({ domains: ['a.com'], allow: [] });
      expect(await ctx.store.deleteRoute('r1', true)).toEqual({ deleted: 'r1', rules_updated: [both.id], rules_deleted: [onlyR1.id], rules_emptied: [] });
      expect((await ctx.store.listRules(100, 0)).items.map((r) => [r.id, r.allow])).toEqual([
        [onlyC1.id, []],
        [both.id, ['c2']],
      ]);
    });
  });

  it('gives 50 concurrent writes from two stores on one file 50 distinct revisions, all landed', async () => {
    const other = await openStore({ dataDir: ctx.dir });
    try {
      await expectConcurrentRevisions(ctx.store, other, 50);
    } finally {
      await other.close();
    }
  });

  it('keeps secrets encrypted at rest', async () => {
    await ctx.store.createConsumer({ name: 'c1', client_secret: SECRET });
    const other = await ctx.store.createConsumer({ name: 'c2' });
    await ctx.store.close();
    const bytes = Buffer.concat(['oauth2.db', 'oauth2.db-wal'].filter((f) => fs.existsSync(path.join(ctx.dir, f))).map((f) => fs.readFileSync(path.join(ctx.dir, f))));
    expect(bytes.includes('c1')).toBe(true); // the file is readable: names are there in clear
    expect(bytes.includes(SECRET)).toBe(false);
    expect(bytes.includes(other.client_secret)).toBe(false);
    ctx.store = await openStore({ dataDir: ctx.dir });
    expect((await ctx.store.loadSnapshotSource()).consumers.find((c) => c.name === 'c1')?.client_secret).toBe(SECRET);
  });
});
