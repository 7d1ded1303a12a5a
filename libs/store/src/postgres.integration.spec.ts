import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import { DEFAULT_SETTINGS } from '@oauth2/core';
import { createTestDatabase, describePostgres, expectConcurrentRevisions, startSeveringProxy, storePerTest, thrownBy, type TestDatabase } from '@oauth2/testing';
import { createDataSource, PG_IDLE_IN_TRANSACTION_MS } from './data-source';
import { isBusy, openStore, StoreError, type RevisionWatchStatus } from './index';
import { Db, WRITE_LOCK_WAIT_MS } from './tx';

// The store's behaviour on PostgreSQL (OAUTH2_DATABASE=postgres://...): each test on a fresh database.

const SECRET = 'a-very-long-client-secret-of-at-least-32-chars';
const UPSTREAM = 'http://127.0.0.1:9000';
const KEY_A = 'a'.repeat(64);
const KEY_B = 'b'.repeat(64);

const storeError = (fn: () => Promise<unknown>) => thrownBy(StoreError, fn);

/** `next()` resolves at the following `tick()` (a callback turned into something to await). */
function signal(): { tick: () => void; next: () => Promise<void> } {
  let waiters: Array<() => void> = [];
  return {
    tick: () => {
      const w = waiters;
      waiters = [];
      w.forEach((f) => f());
    },
    next: () => new Promise<void>((r) => waiters.push(r)),
  };
}

describePostgres('store on PostgreSQL', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase();
  });
  const ctx = storePerTest('oauth2-pg-store-', (dataDir) => openStore({ dataDir, database: db.url, masterKey: KEY_A }));
  afterEach(() => db.drop()); // after ctx's afterEach has closed the store
  const open = (masterKey = KEY_A) => openStore({ dataDir: ctx.dir, database: db.url, masterKey });

  it('migrates a fresh database: default settings, empty config, no SQLite file', async () => {
    expect(await ctx.store.getSettings()).toEqual(DEFAULT_SETTINGS);
    expect(await ctx.store.loadSnapshotSource()).toMatchObject({ consumers: [], routes: [], rules: [], revocations: { jtis: [], clients: [] }, keys: [] });
    expect(fs.existsSync(path.join(ctx.dir, 'oauth2.db'))).toBe(false);
  });

  it('two stores opened at once on a fresh database both succeed and migrate once (advisory lock)', async () => {
    const fresh = await createTestDatabase();
    try {
      const [a, b] = await Promise.all([0, 1].map(() => openStore({ dataDir: ctx.dir, database: fresh.url, masterKey: KEY_A })));
      await a.createConsumer({ name: 'from-a' });
      expect((await b.listConsumers(10, 0)).items.map((c) => c.name)).toEqual(['from-a']);
      await Promise.all([a.close(), b.close()]);
      const c = await openStore({ dataDir: ctx.dir, database: fresh.url, masterKey: KEY_A });
      expect(await c.revision()).toBe(2); // 1 at creation (once), +1 for the one write
      await c.close();
    } finally {
      await fresh.drop();
    }
  });

  it('CRUD: consumers, routes, rules (evaluation order), settings, forced deletes', async () => {
    const c = await ctx.store.createConsumer({ name: 'B-consumer', client_secret: SECRET });
    await ctx.store.createConsumer({ name: 'a-consumer' });
    await ctx.store.createConsumer({ name: '_under' });
    // Search: case-insensitive substring on PostgreSQL too, '_' escaped (not "any character").
    expect((await ctx.store.listConsumers(10, 0, 'B-CON')).items.map((x) => x.name)).toEqual(['B-consumer']);
    expect((await ctx.store.listConsumers(10, 0, '_')).items.map((x) => x.name)).toEqual(['_under']);
    // Byte-wise order, as SQLite sorts (the "C" collation): '_' (0x5f) after 'B' (0x42), before 'a' (0x61).
    expect((await ctx.store.listConsumers(10, 0)).items.map((x) => x.name)).toEqual(['B-consumer', '_under', 'a-consumer']);
    expect(await ctx.store.getConsumer('B-consumer')).toEqual({
      name: 'B-consumer',
      client_id: c.client_id,
      created_at: c.created_at,
      scopes: null,
      groups: [],
      previous_secret_expires_at: null,
      auth_method: 'client_secret',
      tls_subject: null,
      tls_thumbprint: null,
    });
    const r = await ctx.store.createRoute({ name: 'ns/ing', upstream: UPSTREAM, hosts: ['API.example.com'], strip_prefix: true });
    expect(r).toMatchObject({ hosts: ['api.example.com'], path_prefix: '/', strip_prefix: true });
    const a = await ctx.store.createRule({ routes: ['ns/ing'], allow: ['B-consumer'] });
    const first = await ctx.store.createRule({ domains: ['*.Example.com'], allow: ['a-consumer'], position: 0 });
    expect(a.position).toBe(1);
    expect((await ctx.store.listRules(10, 0)).items.map((x) => x.id)).toEqual([first.id, a.id]);
    expect(await ctx.store.patchSettings({ global_auth: true, token_ttl: 60 })).toMatchObject({ global_auth: true, token_ttl: 60 });
    expect(await ctx.store.patchSettings({ global_auth: null })).toMatchObject({ global_auth: null });

    const src = await ctx.store.loadSnapshotSource();
    expect(src.consumers.find((x) => x.name === 'B-consumer')?.client_secret).toBe(SECRET);
    expect(src.routes).toEqual([{ name: 'ns/ing', hosts: ['api.example.com'], path_prefix: '/', upstream: UPSTREAM, strip_prefix: true }]);
    expect(src.rules).toEqual([
      { id: first.id, position: 0, routes: null, domains: ['*.example.com'], allow: ['a-consumer'], allow_groups: [], scopes: [] },
      { id: a.id, position: 1, routes: ['ns/ing'], domains: null, allow: ['B-consumer'], allow_groups: [], scopes: [] },
    ]);
    expect(src.settings.token_ttl).toBe(60);

    expect((await storeError(() => ctx.store.createConsumer({ name: 'a-consumer' }))).kind).toBe('conflict');
    expect((await storeError(() => ctx.store.createConsumer({ name: 'x', client_id: c.client_id }))).field).toBe('client_id');
    expect((await storeError(() => ctx.store.deleteConsumer('B-consumer', false))).kind).toBe('conflict');
    expect(await ctx.store.deleteConsumer('B-consumer', true)).toEqual({ deleted: 'B-consumer', rules_updated: [], rules_deleted: [], rules_emptied: [a.id] });
    expect(await ctx.store.getRule(a.id)).toMatchObject({ allow: [] });
    const rotated = await ctx.store.rotateSecret('a-consumer');
    expect((await ctx.store.loadSnapshotSource()).consumers.find((x) => x.name === 'a-consumer')?.client_secret).toBe(rotated.client_secret);
  });

  it('gives 50 concurrent writes from two store instances 50 distinct, strictly increasing revisions', async () => {
    const other = await open();
    try {
      await expectConcurrentRevisions(ctx.store, other, 50);
    } finally {
      await other.close();
    }
  });

  it('keeps secrets encrypted at rest (bytea rows never hold the plaintext)', async () => {
    await ctx.store.createConsumer({ name: 'c1', client_secret: SECRET });
    const gen = await ctx.store.createConsumer({ name: 'c2' });
    // Read the rows as any client of the database would.
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    try {
      const rows = (await pg.query<{ t: string; enc: Buffer }>('SELECT row_to_json(c)::text AS t, secret_enc AS enc FROM consumer c')).rows;
      expect(rows).toHaveLength(2);
      for (const r of rows) {
        expect(Buffer.isBuffer(r.enc)).toBe(true);
        for (const s of [SECRET, gen.client_secret]) {
          expect(r.t.includes(s)).toBe(false);
          expect(r.enc.includes(s)).toBe(false);
        }
      }
    } finally {
      await pg.end();
    }
  });

  it('refuses a different master key (fingerprint stored at first open)', async () => {
    const err = await storeError(() => open(KEY_B));
    expect(err.message).toContain('OAUTH2_MASTER_KEY');
  });

  it('apply / export round trip; a dry run writes nothing', async () => {
    await ctx.store.createRoute({ name: 'r1', upstream: UPSTREAM });
    const doc = {
      apiVersion: 'extensions.higress.io/v1alpha1',
      kind: 'WasmPlugin',
      spec: {
        defaultConfig: {
          issuer: 'pg-issuer',
          token_ttl: 300,
          consumers: [
            { name: 'c1', client_id: 'id-1', client_secret: SECRET },
            { name: 'c2', client_id: 'id-2', client_secret: SECRET + '2' },
          ],
        },
        matchRules: [
          { ingress: ['r1'], config: { allow: ['c1'] } },
          { domain: ['*.example.com'], config: { allow: ['c2', 'c1'] } },
        ],
      },
    };
    const before = await ctx.store.revision();
    const dry = await ctx.store.apply(JSON.stringify(doc), { dryRun: true });
    expect(dry.applied).toEqual({ consumers: 2, rules: 2 });
    expect(await ctx.store.revision()).toBe(before);
    expect((await ctx.store.listConsumers(10, 0)).total).toBe(0);
    const res = await ctx.store.apply(JSON.stringify(doc), { dryRun: false });
    expect(res.revision).toBe(before + 1);
    const exported = await ctx.store.exportConfig({ redact: false });
    const again = await ctx.store.apply(JSON.stringify(exported), { dryRun: false });
    expect(again.applied).toEqual({ consumers: 2, rules: 2 });
    expect(await ctx.store.exportConfig({ redact: false })).toEqual(exported);
    expect(exported).toMatchObject({ spec: { defaultConfig: { issuer: 'pg-issuer', token_ttl: 300 } } });
  });

  it('stores revocations with year-9999 exp (bigint) and signing keys (bytea), read back as numbers and keys', async () => {
    const c = await ctx.store.createConsumer({ name: 'c1' });
    await ctx.store.revoke({ jti: 'j1', exp: 253_402_300_799 });
    const byClient = await ctx.store.revoke({ client_id: c.client_id });
    expect(typeof byClient.revoked_before).toBe('number');
    const src = await ctx.store.loadSnapshotSource();
    expect(src.revocations?.jtis).toEqual([{ jti: 'j1', exp: 253_402_300_799, client_id: null }]);
    expect(src.revocations?.clients).toEqual([{ client_id: c.client_id, revoked_before: byClient.revoked_before }]);
    await ctx.store.patchSettings({ signing_alg: 'ES256' });
    const k2 = await ctx.store.rotateKey();
    const keys = (await ctx.store.loadSnapshotSource()).keys ?? [];
    expect(keys.map((k) => [k.kid, k.active, typeof k.private_pem])).toEqual(expect.arrayContaining([[k2.kid, true, 'string']]));
    expect(keys).toHaveLength(2);
  });

  it('watchRevisions: a NOTIFY per committed write from another process; reconnects after the connection is killed', async () => {
    const other = await open();
    const changes = signal();
    const statuses: RevisionWatchStatus[] = [];
    const listening = signal();
    const stop = ctx.store.watchRevisions!(changes.tick, (s) => {
      statuses.push(s);
      if (s.listening) listening.tick();
    });
    try {
      await listening.next();
      let next = changes.next();
      await other.createConsumer({ name: 'n1' });
      await next;
      // Killing the LISTEN connection: it reports the loss, reconnects, and signals again on the next write.
      const relisten = listening.next();
      const killed = await db.adminQuery<{ ok: boolean }>(`SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = $1 AND application_name = 'oauth2-gateway-listen'`, [db.name]);
      expect(killed).toEqual([{ ok: true }]);
      await relisten;
      expect(statuses.some((s) => !s.listening && typeof s.retry_ms === 'number')).toBe(true);
      next = changes.next();
      await other.createConsumer({ name: 'n2' });
      await next;
    } finally {
      stop();
      await other.close();
    }
  });

  it('keeps working after the server kills its pooled connections', async () => {
    await ctx.store.createConsumer({ name: 'c1' });
    await db.adminQuery(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND usename = current_user AND pid <> pg_backend_pid()`, [db.name]);
    await ctx.store.createConsumer({ name: 'c2' });
    expect(await ctx.store.revision()).toBeGreaterThan(0);
    expect((await ctx.store.listConsumers(10, 0)).total).toBe(2);
  });

  it('a pooled connection found dead only when used: reads and not-yet-begun writes start over on a live one', async () => {
    const proxy = await startSeveringProxy(db.url);
    const store = await openStore({ dataDir: ctx.dir, database: proxy.url, masterKey: KEY_A });
    try {
      await store.createConsumer({ name: 'c1' });
      for (let i = 2; i <= 4; i++) {
        expect(proxy.severIdle()).toBeGreaterThan(0);
        expect(await store.revision()).toBeGreaterThan(0); // a bare read
        expect(proxy.severIdle()).toBeGreaterThan(0);
        expect((await store.listConsumers(10, 0)).total).toBe(i - 1); // a read transaction
        expect(proxy.severIdle()).toBeGreaterThan(0);
        await store.createConsumer({ name: `c${i}` }); // a write whose BEGIN meets the dead connection
      }
      expect(proxy.severed()).toBeGreaterThanOrEqual(9);
      expect((await ctx.store.listConsumers(10, 0)).items.map((c) => c.name)).toEqual(['c1', 'c2', 'c3', 'c4']);
    } finally {
      await store.close();
      await proxy.close();
    }
  });

  it("a write whose connection dies after BEGIN is not started over (the outcome is the caller's to learn)", async () => {
    await ctx.store.revision(); // migrated
    const proxy = await startSeveringProxy(db.url);
    const ds = createDataSource(proxy.url);
    await ds.initialize();
    const tx = new Db(ds);
    let runs = 0;
    try {
      const err = await tx
        .write(async () => {
          runs++;
          proxy.severIdle(); // the write lock is held; the next statement meets a dead connection
          await tx.query('UPDATE "revision" SET "value" = "value" + 1 WHERE "id" = 1');
        })
        .then(
          () => null,
          (e: Error) => e,
        );
      expect(err?.message).toMatch(/Connection terminated/);
      expect(runs).toBe(1);
      // The server rolled the transaction back with the session: nothing was written.
      expect(await ctx.store.revision()).toBe(1);
      // Reads on the same Db go on, on a live connection.
      expect(await tx.exclusive(() => tx.query<{ value: number }[]>('SELECT "value" FROM "revision" WHERE "id" = 1'))).toEqual([{ value: 1 }]);
    } finally {
      await ds.destroy();
      await proxy.close();
    }
  });

  describe('a process stopped in the middle of a transaction (SIGSTOP, a paused VM) holding its locks', () => {
    /** A session that took the store write lock and then stopped: BEGIN, the revision row FOR UPDATE, nothing more. */
    async function stoppedWriter(): Promise<Client> {
      await ctx.store.revision(); // migrated
      const c = new Client({ connectionString: db.url });
      await c.connect();
      await c.query('BEGIN');
      await c.query('SELECT "value" FROM "revision" WHERE "id" = 1 FOR UPDATE');
      return c;
    }
    const beat = { name: 'gw-a', version: '0.1.0', revision: 1, workers: 1, heartbeat_ms: 10_000, started_at: new Date().toISOString(), counters: {} };

    it('a heartbeat neither waits for the store write lock nor needs it: the node row is written', async () => {
      const c = await stoppedWriter();
      try {
        const t0 = Date.now();
        await ctx.store.heartbeat(beat);
        // Pruning the history gave up after HEARTBEAT_LOCK_WAIT_MS (1 s) instead of queueing.
        expect(Date.now() - t0).toBeLessThan(WRITE_LOCK_WAIT_MS);
        expect((await ctx.store.listNodes()).items.map((n) => n.name)).toEqual(['gw-a']);
      } finally {
        await c.end();
      }
    });

    it('a config write gives up after WRITE_LOCK_WAIT_MS with the busy error (the admin API answers 503 retry), not never', async () => {
      const c = await stoppedWriter();
      try {
        const err = await ctx.store.createConsumer({ name: 'c1' }).then(
          () => null,
          (e: unknown) => e,
        );
        expect(isBusy(err)).toBe(true);
      } finally {
        await c.end();
      }
      await ctx.store.createConsumer({ name: 'c1' });
      expect((await ctx.store.listConsumers(10, 0)).total).toBe(1);
    }, 30_000);

    it('our sessions are ended by the server after PG_IDLE_IN_TRANSACTION_MS idle in a transaction (their locks go with them)', async () => {
      const ds = createDataSource(db.url);
      await ds.initialize();
      const tx = new Db(ds);
      try {
        const [row] = await tx.read(() => tx.query<{ idle_in_transaction_session_timeout: string }[]>('SHOW idle_in_transaction_session_timeout'));
        expect(row.idle_in_transaction_session_timeout).toBe(`${PG_IDLE_IN_TRANSACTION_MS / 1000}s`);
      } finally {
        await ds.destroy();
      }
    });
  });

  it('never shows the URL password in an error', async () => {
    const u = new URL(db.url);
    u.password = 'wrong-password-xyz';
    const err = await openStore({ dataDir: ctx.dir, database: u.toString(), masterKey: KEY_A }).then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/^cannot open database postgres:\/\/[^:]+:\*\*\*@/);
    expect(err?.message).not.toContain('wrong-password-xyz');
  });
});
