import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GATEWAY_ENTRY, makeTempDir, metricValue, runConcurrent, runToExit, startGatewayStack, waitFor, type GatewayStack } from '@oauth2/testing';

// A snapshot that fails to load is logged and the last good one stays in force: the store
// is damaged under a running gateway (from a separate SQLite connection, as another process or a
// disk fault would), and the gateway must keep enforcing, stay ready, count the failure, and
// recover on its own once the store is good again.
jest.setTimeout(60_000);

const ID = 'store-fault-client';
const SECRET = 'store-fault-secret-0123456789abcdef-xyz';
let s: GatewayStack;
let token: string;
let dbFile: string;

const metrics = async () => (await fetch(s.gateway.statusUrl + '/metrics')).text();
const reloadFailures = async () => metricValue(await metrics(), 'gateway_reload_failures_total');
const readyz = async () => (await fetch(s.gateway.statusUrl + '/readyz')).status;
const authed = () => s.request('/guarded/x', { headers: { authorization: `Bearer ${token}` } });

/** A connection of our own on the store's file, as a second process would have. */
function withDb<T>(fn: (db: Database.Database) => T): T {
  const db = new Database(dbFile, { timeout: 5000 });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/** The gateway keeps enforcing the snapshot it had: the token opens the route, no token is refused. */
async function expectStillEnforcing(): Promise<void> {
  expect(await readyz()).toBe(200);
  expect((await authed()).status).toBe(200);
  expect((await s.request('/guarded/x')).status).toBe(401);
}

beforeAll(async () => {
  // Faults of the full load, which reads every table (an incremental reload reads only the rows a
  // write changed: test/gateway-delta-reload.e2e-spec.ts covers a damaged row on that path).
  s = await startGatewayStack({ gatewayEnv: { GATEWAY_INCREMENTAL_RELOAD: 'false' } });
  dbFile = path.join(s.admin.dataDir, 'oauth2.db');
  await s.call('POST', '/v1/consumers', { name: 'c1', client_id: ID, client_secret: SECRET });
  await s.call('POST', '/v1/routes', { name: 'guarded', upstream: s.echo.url, path_prefix: '/guarded' });
  await s.call('POST', '/v1/rules', { routes: ['guarded'], allow: ['c1'] });
  await s.sync();
  token = await s.token(ID, SECRET);
});
afterAll(async () => {
  await s?.stop();
});

describe('store faults under a running gateway', () => {
  it('a damaged secret (undecryptable row): the full load goes on, only that consumer is refused, reported and counted; removing it clears it', async () => {
    await s.call('POST', '/v1/consumers', { name: 'damaged' });
    await s.sync();
    const damagedBefore = metricValue(await metrics(), 'gateway_damaged_secrets_total');
    const next = withDb((db) =>
      db.transaction(() => {
        db.prepare(`UPDATE consumer SET secret_enc = x'00112233' WHERE name = 'damaged'`).run();
        db.prepare('UPDATE revision SET value = value + 1 WHERE id = 1').run();
        return (db.prepare('SELECT value FROM revision WHERE id = 1').get() as { value: number }).value;
      })(),
    );
    // Secrets open on first use: the load itself succeeds; the background pass after it finds the row.
    await waitFor('the new revision in force', async () => (await s.gateway.revision()) === next);
    await waitFor('the damaged row to be counted', async () => metricValue(await metrics(), 'gateway_damaged_secrets_total') > damagedBefore);
    await s.gateway.waitForLog(/its secret cannot be decrypted/);
    expect(s.gateway.jsonLogs().some((j) => j.consumer === 'damaged' && j.level === 50)).toBe(true);
    await expectStillEnforcing();

    // The operator removes the damaged consumer through the admin API; the gateway catches up alone.
    await s.call('DELETE', '/v1/consumers/damaged');
    expect(await s.sync()).toBeGreaterThan(next);
    await expectStillEnforcing();
  });

  it('a missing table: last good snapshot stays; recovers when the table is back and a write lands', async () => {
    const good = await s.gateway.revision();
    const failures = await reloadFailures();
    withDb((db) => db.exec('BEGIN IMMEDIATE; ALTER TABLE rule RENAME TO rule_damaged; UPDATE revision SET value = value + 1 WHERE id = 1; COMMIT'));
    try {
      await waitFor('reload failures to be counted', async () => (await reloadFailures()) > failures);
      expect(await s.gateway.revision()).toBe(good);
      await expectStillEnforcing();
      // The rule in force (allow c1 only) is still the one enforced: another consumer is refused.
    } finally {
      withDb((db) => db.exec('ALTER TABLE rule_damaged RENAME TO rule'));
    }
    await s.call('POST', '/v1/consumers', { name: 'after-repair' });
    expect(await s.sync()).toBeGreaterThan(good);
    await expectStillEnforcing();
  });

  it('another process holding the write lock: the gateway keeps serving, an admin write waits and lands', async () => {
    const lock = new Database(dbFile, { timeout: 5000 });
    let released = false;
    try {
      lock.exec('BEGIN IMMEDIATE');
      const write = s.admin.api('POST', '/v1/consumers', { name: 'during-lock' });
      const results = await runConcurrent(50, 10, async () => (await authed()).status);
      expect(results).toEqual(Array(50).fill(200));
      expect(await readyz()).toBe(200);
      lock.exec('COMMIT');
      released = true;
      const r = await write;
      expect(r.status).toBe(201);
    } finally {
      if (!released) lock.exec('ROLLBACK');
      lock.close();
    }
    await s.sync();
    await expectStillEnforcing();
  });

  it('pages of the database file overwritten with garbage (disk corruption): last good snapshot stays; recovers when the bytes are restored', async () => {
    const good = await s.gateway.revision();
    const failures = await reloadFailures();
    // Everything into the main file, so the consumer table's pages are read from it, not the WAL.
    const { pages, pageSize } = withDb((db) => {
      db.pragma('wal_checkpoint(TRUNCATE)');
      return {
        pages: (db.prepare(`SELECT pageno FROM dbstat WHERE name = 'consumer'`).all() as { pageno: number }[]).map((r) => r.pageno),
        pageSize: db.pragma('page_size', { simple: true }) as number,
      };
    });
    expect(pages.length).toBeGreaterThan(0);
    const fd = fs.openSync(dbFile, 'r+');
    const saved = pages.map((p) => {
      const b = Buffer.alloc(pageSize);
      fs.readSync(fd, b, 0, pageSize, (p - 1) * pageSize);
      return b;
    });
    try {
      for (const p of pages) fs.writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (p - 1) * pageSize);
      fs.fsyncSync(fd);
      // A write that touches only the revision: every reader's page cache is dropped, and the
      // gateway's next load reads the damaged pages.
      withDb((db) => db.prepare('UPDATE revision SET value = value + 1 WHERE id = 1').run());
      await waitFor('reload failures to be counted', async () => (await reloadFailures()) > failures);
      expect(() => withDb((db) => db.prepare('SELECT * FROM consumer').all())).toThrow(/malformed|corrupt/i);
      expect(await s.gateway.revision()).toBe(good);
      await expectStillEnforcing();
    } finally {
      pages.forEach((p, i) => fs.writeSync(fd, saved[i], 0, pageSize, (p - 1) * pageSize));
      fs.fsyncSync(fd);
      fs.closeSync(fd);
    }
    // Bytes restored (a repaired disk, a restored backup): the next revision loads again by itself.
    withDb((db) => db.prepare('UPDATE revision SET value = value + 1 WHERE id = 1').run());
    await waitFor('the gateway to load the repaired store', async () => (await s.gateway.revision()) > good);
    await expectStillEnforcing();
  });

  it('the database file renamed away under the running processes: the gateway keeps enforcing', async () => {
    const moved = dbFile + '.moved';
    fs.renameSync(dbFile, moved);
    try {
      const results = await runConcurrent(20, 5, async () => (await authed()).status);
      expect(results).toEqual(Array(20).fill(200));
      expect(await readyz()).toBe(200);
    } finally {
      fs.renameSync(moved, dbFile);
    }
    await s.call('POST', '/v1/consumers', { name: 'after-rename' });
    await s.sync();
    await expectStillEnforcing();
  });
});

describe('gateway start-up with an unusable store: exit non-zero, one clear line on stderr', () => {
  const dirs: Array<{ cleanup(): void }> = [];
  afterAll(() => dirs.forEach((d) => d.cleanup()));
  const tmp = () => {
    const d = makeTempDir('oauth2-badstore-');
    dirs.push(d);
    return d.path;
  };
  const base = { GATEWAY_HOST: '127.0.0.1', GATEWAY_PORT: '0', GATEWAY_STATUS_PORT: '0', OAUTH2_MASTER_KEY: undefined };

  it.each<[string, () => Record<string, string | undefined>]>([
    [
      'the database file is garbage',
      () => {
        const dir = tmp();
        fs.writeFileSync(path.join(dir, 'oauth2.db'), Buffer.alloc(8192, 0x5a), { mode: 0o600 });
        return { OAUTH2_DATA_DIR: dir };
      },
    ],
    [
      'OAUTH2_DATABASE is a directory',
      () => {
        const dir = tmp();
        fs.mkdirSync(path.join(dir, 'db-dir'));
        return { OAUTH2_DATA_DIR: dir, OAUTH2_DATABASE: path.join(dir, 'db-dir') };
      },
    ],
    [
      'the data dir is below a regular file',
      () => {
        const dir = tmp();
        fs.writeFileSync(path.join(dir, 'file'), 'x');
        return { OAUTH2_DATA_DIR: path.join(dir, 'file', 'data') };
      },
    ],
    [
      'the master key is not the one the secrets were sealed with',
      () => {
        const dir = tmp();
        // A consistent copy of the running store (its rows may still be in the WAL, so no plain file copy).
        withDb((db) => db.exec(`VACUUM INTO '${path.join(dir, 'oauth2.db')}'`));
        return { OAUTH2_DATA_DIR: dir, OAUTH2_MASTER_KEY: Buffer.alloc(32, 7).toString('base64') };
      },
    ],
  ])('%s', async (_name, env) => {
    const r = await runToExit(GATEWAY_ENTRY, { ...base, ...env() });
    expect(r.code).not.toBe(0);
    expect(r.code).not.toBeNull();
    const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^gateway: /);
    expect(lines[0]).not.toMatch(/\bat .*\.js:\d+/); // no stack trace
    expect(r.stdout).not.toMatch(/"msg":"listening".*"url"/);
  });
});
