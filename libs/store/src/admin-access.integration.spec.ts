import { createTestDatabase, describePostgres, storePerTest, thrownBy, type TestDatabase } from '@oauth2/testing';
import { hashAdminToken, openStore, StoreError, withAudit, type AuditIntent, type ConfigStore } from './index';

// Admin tokens and the audit log in the store, on SQLite and (when OAUTH2_TEST_POSTGRES_URL is set) PostgreSQL.

const intent = (name: string, action: string, request_id = `req-${name}`): AuditIntent => ({
  actor: { name, role: 'operator', source_ip: '127.0.0.1', request_id },
  action,
  describe: (r) => ({ target: (r as { name?: string }).name ?? null, summary: { fields: ['name'] } }),
});

function suite(open: (dir: string) => Promise<ConfigStore>): void {
  const ctx = storePerTest('oauth2-admin-access-', open);
  const audit = () => ctx.store.listAudit({ limit: 1000, offset: 0 });

  it('a write inside withAudit adds one row in its transaction, with the revision it produced', async () => {
    await withAudit(intent('ops', 'consumer.create'), () => ctx.store.createConsumer({ name: 'c1' }));
    const page = await audit();
    expect(page.total).toBe(1);
    expect(page.items[0]).toMatchObject({
      actor: 'ops',
      role: 'operator',
      action: 'consumer.create',
      target: 'c1',
      revision: await ctx.store.revision(),
      request_id: 'req-ops',
      source_ip: '127.0.0.1',
      summary: { fields: ['name'] },
    });
  });

  it('a failed write, a dry run and a write outside any intent add no row', async () => {
    await ctx.store.createConsumer({ name: 'c1' });
    await expect(withAudit(intent('ops', 'consumer.create'), () => ctx.store.createConsumer({ name: 'c1' }))).rejects.toThrow(StoreError);
    await withAudit(intent('ops', 'apply'), () => ctx.store.apply('consumers: []\n', { dryRun: true }));
    expect((await audit()).total).toBe(0);
  });

  it('a describe that throws rolls the write back (fail closed)', async () => {
    const bad: AuditIntent = {
      ...intent('ops', 'consumer.create'),
      describe: () => {
        throw new Error('boom');
      },
    };
    const rev = await ctx.store.revision();
    await expect(withAudit(bad, () => ctx.store.createConsumer({ name: 'c2' }))).rejects.toThrow('boom');
    expect(await ctx.store.revision()).toBe(rev);
    expect((await ctx.store.listConsumers(10, 0)).total).toBe(0);
  });

  it('admin tokens: stored as a hash, audited, no revision bump; root is refused; delete ends the lookup', async () => {
    const rev = await ctx.store.revision();
    const t = await withAudit(intent('root', 'admin_token.create'), () => ctx.store.createAdminToken({ name: 'ci', role: 'viewer', expires_in: 60 }));
    expect(t.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await ctx.store.revision()).toBe(rev);
    expect((await ctx.store.findAdminToken(hashAdminToken(t.token)))?.name).toBe('ci');
    expect(await ctx.store.findAdminToken(hashAdminToken(t.token + 'x'))).toBeNull();
    expect(JSON.stringify(await ctx.store.listAdminTokens())).not.toContain(t.token);
    expect((await thrownBy(StoreError, () => ctx.store.deleteAdminToken('root'))).kind).toBe('conflict');
    expect((await thrownBy(StoreError, () => ctx.store.createAdminToken({ name: 'ci', role: 'viewer' }))).kind).toBe('conflict');
    await ctx.store.touchAdminToken('ci', '2026-01-01T00:00:00.000Z');
    expect((await ctx.store.listAdminTokens())[0].last_used_at).toBe('2026-01-01T00:00:00.000Z');
    await ctx.store.deleteAdminToken('ci');
    expect(await ctx.store.findAdminToken(hashAdminToken(t.token))).toBeNull();
    expect((await audit()).items.map((r) => [r.action, r.revision])).toEqual([['admin_token.create', rev]]);
  });

  it('filters and prunes', async () => {
    for (const [who, name] of [
      ['a', 'c1'],
      ['b', 'c2'],
      ['a', 'c3'],
    ])
      await withAudit(intent(who, 'consumer.create'), () => ctx.store.createConsumer({ name }));
    expect((await ctx.store.listAudit({ limit: 10, offset: 0, actor: 'a' })).items.map((r) => r.target)).toEqual(['c3', 'c1']);
    expect((await ctx.store.listAudit({ limit: 10, offset: 0, action: 'consumer.*' })).total).toBe(3);
    expect((await ctx.store.listAudit({ limit: 10, offset: 0, action: 'consumer%' })).total).toBe(0);
    expect((await ctx.store.listAudit({ limit: 0, offset: 0 })).total).toBe(3);
    expect(await ctx.store.pruneAudit('2000-01-01T00:00:00.000Z')).toBe(0);
    expect(await ctx.store.pruneAudit(new Date(Date.now() + 1000).toISOString())).toBe(3);
    expect((await audit()).total).toBe(0);
  });
}

describe('admin access store (SQLite)', () => {
  suite((dataDir) => openStore({ dataDir }));
});

describePostgres('admin access store (PostgreSQL)', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase();
  });
  suite((dataDir) => openStore({ dataDir, database: db.url, masterKey: 'a'.repeat(64) }));
  afterEach(() => db.drop()); // after the suite's afterEach has closed the store
});
