import { createTestDatabase, describePostgres, storePerTest, thrownBy, type StorePerTest, type TestDatabase } from '@oauth2/testing';
import { openStore, StoreError, type ConfigStore } from './index';

// SPEC §8.1, §8.3, §8.5 in the store: consumers' scopes and groups, rules' allow_groups and scopes,
// the migration's columns on both dialects, the snapshot (full and delta), apply/export, bad input.
const UPSTREAM = 'http://127.0.0.1:9000';
const storeError = (fn: () => Promise<unknown>) => thrownBy(StoreError, fn);

function suite(ctx: StorePerTest<ConfigStore>): void {
  it('stores scopes and groups on consumers (null = unrestricted) and PATCH replaces them', async () => {
    const a = await ctx.store.createConsumer({ name: 'a', scopes: ['orders:read', 'orders:write', 'orders:read'], groups: ['billing'] });
    expect(a).toMatchObject({ scopes: ['orders:read', 'orders:write'], groups: ['billing'] });
    expect(await ctx.store.createConsumer({ name: 'b' })).toMatchObject({ scopes: null, groups: [] });
    expect(await ctx.store.updateConsumer('a', { scopes: ['orders:read'] })).toMatchObject({ name: 'a', scopes: ['orders:read'], groups: ['billing'] });
    expect(await ctx.store.updateConsumer('a', { scopes: null, groups: [] })).toMatchObject({ scopes: null, groups: [] });
    expect(await ctx.store.updateConsumer('b', { scopes: [] })).toMatchObject({ scopes: [] });
    expect(await ctx.store.getConsumer('b')).toMatchObject({ scopes: [], groups: [] });
    expect((await storeError(() => ctx.store.updateConsumer('ghost', { groups: [] }))).kind).toBe('not_found');
  });

  it('lists a group exactly (case and substrings do not match); an unknown group is an empty list', async () => {
    await ctx.store.createConsumer({ name: 'a', groups: ['billing', 'ops'] });
    await ctx.store.createConsumer({ name: 'b', groups: ['Billing'] });
    await ctx.store.createConsumer({ name: 'c', groups: ['billing-eu'] });
    await ctx.store.createConsumer({ name: 'billing' });
    expect((await ctx.store.listConsumers(100, 0, undefined, 'billing')).items.map((c) => c.name)).toEqual(['a']);
    expect((await ctx.store.listConsumers(100, 0, 'b', 'Billing')).items.map((c) => c.name)).toEqual(['b']);
    expect(await ctx.store.listConsumers(100, 0, undefined, 'nobody')).toEqual({ items: [], total: 0 });
    expect((await storeError(() => ctx.store.listConsumers(100, 0, undefined, 'a b'))).field).toBe('group');
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['scopes as a string', { scopes: 'a b' }, 'scopes'],
    ['a scope with a space', { scopes: ['a b'] }, 'scopes[0]'],
    ['a scope with a quote', { scopes: ['a"b'] }, 'scopes[0]'],
    ['an empty scope', { scopes: [''] }, 'scopes[0]'],
    ['a scope over 128 characters', { scopes: ['s'.repeat(129)] }, 'scopes[0]'],
    ['over 256 scopes', { scopes: Array.from({ length: 257 }, (_, i) => `s${i}`) }, 'scopes'],
    ['a bad group name', { groups: ['a b'] }, 'groups[0]'],
    ['over 64 groups', { groups: Array.from({ length: 65 }, (_, i) => `g${i}`) }, 'groups'],
    ['groups null', { groups: null }, 'groups'],
  ])('refuses %s (400 naming the field; nothing changes)', async (_n, patch, field) => {
    await ctx.store.createConsumer({ name: 'a' });
    const rev = await ctx.store.revision();
    const e = await storeError(() => ctx.store.updateConsumer('a', patch as never));
    expect([e.kind, e.field]).toEqual(['validation', field]);
    const e2 = await storeError(() => ctx.store.createConsumer({ name: 'b', ...patch } as never));
    expect([e2.kind, e2.field]).toEqual(['validation', field]);
    expect(await ctx.store.revision()).toBe(rev);
    expect(await ctx.store.getConsumer('a')).toMatchObject({ scopes: null, groups: [] });
  });

  it('rules take allow_groups and scopes; at least one of the three lists; a group need not have members', async () => {
    await ctx.store.createConsumer({ name: 'a', scopes: ['orders:write'], groups: ['billing'] });
    await ctx.store.createRoute({ name: 'r1', upstream: UPSTREAM });
    const byGroup = await ctx.store.createRule({ routes: ['r1'], allow_groups: ['not-yet'] });
    expect(byGroup).toMatchObject({ allow: [], allow_groups: ['not-yet'], scopes: [] });
    const byScope = await ctx.store.createRule({ domains: ['x.test'], scopes: ['orders:write'] });
    expect(byScope).toMatchObject({ allow: [], allow_groups: [], scopes: ['orders:write'] });
    expect((await storeError(() => ctx.store.createRule({ routes: ['r1'] }))).field).toBe('allow');
    expect((await storeError(() => ctx.store.createRule({ routes: ['r1'], allow: [], allow_groups: [], scopes: [] }))).field).toBe('allow');
    expect((await storeError(() => ctx.store.createRule({ routes: ['r1'], scopes: ['a b'] }))).field).toBe('scopes[0]');
    const src = await ctx.store.loadSnapshotSource();
    expect(src.consumers).toEqual([expect.objectContaining({ name: 'a', scopes: ['orders:write'], groups: ['billing'] })]);
    expect(src.rules.map((r) => [r.allow_groups, r.scopes])).toEqual([
      [['not-yet'], []],
      [[], ['orders:write']],
    ]);
  });

  it('the incremental reload carries the new columns', async () => {
    await ctx.store.createConsumer({ name: 'a' });
    const rev = await ctx.store.revision();
    await ctx.store.updateConsumer('a', { scopes: ['x'], groups: ['g'] });
    const d = await ctx.store.loadSnapshotDelta(rev);
    expect(d?.consumers.upserts).toEqual([expect.objectContaining({ name: 'a', scopes: ['x'], groups: ['g'] })]);
  });

  it('force-deleting the last named consumer of a rule that requires scopes leaves it deny-all, never open to every scope holder', async () => {
    await ctx.store.createConsumer({ name: 'a' });
    await ctx.store.createConsumer({ name: 'b' });
    await ctx.store.createRoute({ name: 'r1', upstream: UPSTREAM });
    const named = await ctx.store.createRule({ routes: ['r1'], allow: ['a'], scopes: ['orders:write'] });
    const grouped = await ctx.store.createRule({ domains: ['g.test'], allow: ['a'], allow_groups: ['billing'], scopes: ['orders:write'] });
    expect(await ctx.store.deleteConsumer('a', true)).toEqual({ deleted: 'a', rules_updated: [grouped.id], rules_deleted: [], rules_emptied: [named.id] });
    expect(await ctx.store.getRule(named.id)).toMatchObject({ allow: [], allow_groups: [], scopes: [] });
    expect(await ctx.store.getRule(grouped.id)).toMatchObject({ allow: [], allow_groups: ['billing'], scopes: ['orders:write'] });
  });

  it('apply and export carry scopes, groups, allow_groups and rule scopes; the round trip holds; changes name them', async () => {
    const doc = [
      'spec:',
      '  defaultConfig:',
      '    consumers:',
      '    - {name: a, client_id: id-a, client_secret: secret-a-0123456789abcdef0123456789, scopes: [orders:read, orders:write], groups: [billing]}',
      '    - {name: b, client_id: id-b, client_secret: secret-b-0123456789abcdef0123456789}',
      '  matchRules:',
      '  - ingress: [r1]',
      '    config: {allow: [b], allow_groups: [billing], scopes: [orders:write]}',
      '  - domain: [x.test]',
      '    config: {scopes: [orders:read]}',
    ].join('\n');
    const res = await ctx.store.apply(doc, { dryRun: false });
    expect(res.warnings.filter((w) => !w.includes('does not exist yet'))).toEqual([]);
    const exported = await ctx.store.exportConfig({ redact: false });
    const spec = exported.spec as { defaultConfig: { consumers: unknown[] }; matchRules: unknown[] };
    expect(spec.defaultConfig.consumers).toEqual([
      { name: 'a', client_id: 'id-a', client_secret: 'secret-a-0123456789abcdef0123456789', scopes: ['orders:read', 'orders:write'], groups: ['billing'] },
      { name: 'b', client_id: 'id-b', client_secret: 'secret-b-0123456789abcdef0123456789' },
    ]);
    expect(spec.matchRules).toEqual([
      { ingress: ['r1'], config: { allow: ['b'], allow_groups: ['billing'], scopes: ['orders:write'] } },
      { domain: ['x.test'], config: { allow: [], scopes: ['orders:read'] } },
    ]);
    // Back in: nothing changes.
    const again = await ctx.store.apply(JSON.stringify(exported), { dryRun: true });
    expect(again.changes).toEqual({ consumers: { added: [], removed: [], changed: [] }, rules: { added: [], removed: [], changed: [] }, settings: [] });
    // The C++ shape, with the changes named.
    const cpp = [
      'consumers:',
      '- {name: a, client_id: id-a, client_secret: secret-a-0123456789abcdef0123456789, scopes: null, groups: [ops]}',
      '- {name: b, client_id: id-b, client_secret: secret-b-0123456789abcdef0123456789}',
      '_rules_:',
      '- {_match_route_: [r1], allow: [b], allow_groups: [ops], scopes: [orders:write]}',
      '- {_match_domain_: [x.test], scopes: [orders:read, orders:write]}',
    ].join('\n');
    const changed = await ctx.store.apply(cpp, { dryRun: true });
    expect(changed.changes.consumers.changed).toEqual([{ name: 'a', fields: ['scopes', 'groups'] }]);
    expect(changed.changes.rules.changed.map((r) => r.fields)).toEqual([['allow_groups'], ['scopes']]);
  });

  it.each<[string, string, RegExp]>([
    ['scopes as a string', '- {name: a, client_id: id-a, client_secret: secret-a-0123456789abcdef0123456789, scopes: "a b"}', /^consumers\[0\]\.scopes: must be a list/],
    ['a scope outside the charset', '- {name: a, client_id: id-a, client_secret: secret-a-0123456789abcdef0123456789, scopes: ["a\\\\b"]}', /^consumers\[0\]\.scopes\[0\]: /],
    [
      'too many groups',
      `- {name: a, client_id: id-a, client_secret: secret-a-0123456789abcdef0123456789, groups: [${Array.from({ length: 65 }, (_, i) => `g${i}`).join(', ')}]}`,
      /^consumers\[0\]\.groups: at most 64/,
    ],
  ])('apply refuses %s, naming the field, and changes nothing', async (_n, consumer, msg) => {
    const rev = await ctx.store.revision();
    const e = await storeError(() => ctx.store.apply(`consumers:\n${consumer}\n`, { dryRun: false }));
    expect(e.message).toMatch(msg);
    expect(await ctx.store.revision()).toBe(rev);
  });

  it('apply: a rule scope outside the charset is a 400 naming it', async () => {
    const e = await storeError(() => ctx.store.apply('_rules_:\n- {_match_route_: [r1], scopes: ["a b"]}\n', { dryRun: true }));
    expect(e.message).toMatch(/^_rules_\[0\]\.scopes\[0\]: /);
  });
}

describe('scopes and groups (SQLite)', () => {
  suite(storePerTest('oauth2-scopes-', (dataDir) => openStore({ dataDir })));
});

describePostgres('scopes and groups (PostgreSQL)', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase();
  });
  suite(storePerTest('oauth2-pg-scopes-', (dataDir) => openStore({ dataDir, database: db.url, masterKey: 'a'.repeat(64) })));
  afterEach(() => db.drop());
});
