import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDirsForFile } from '@oauth2/testing';
import { ensureAdminToken, openStore, StoreError } from './index';

const tempDir = tempDirsForFile('oauth2-open-');

const mode = (f: string): number => fs.statSync(f).mode & 0o777;

describe('openStore', () => {
  it('two stores opened at once on a fresh dir both succeed, migrate once and share master.key', async () => {
    const dir = tempDir();
    const stores = await Promise.all([openStore({ dataDir: dir }), openStore({ dataDir: dir }), openStore({ dataDir: dir })]);
    try {
      const c = await stores[0].createConsumer({ name: 'c1' });
      // Another connection decrypts what the first sealed: same master key.
      const seen = await stores[1].loadSnapshotSource();
      expect(seen.consumers).toEqual([{ name: 'c1', client_id: c.client_id, client_secret: c.client_secret, scopes: null, groups: [] }]);
      expect(await stores[2].revision()).toBe(seen.revision);
      expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('creates master.key and the database file with mode 0600', async () => {
    const dir = tempDir();
    const store = await openStore({ dataDir: dir });
    await store.createConsumer({ name: 'c1' });
    for (const f of ['master.key', 'oauth2.db', 'oauth2.db-wal', 'oauth2.db-shm']) {
      const p = path.join(dir, f);
      if (f === 'master.key' || f === 'oauth2.db') expect(fs.existsSync(p)).toBe(true);
      if (fs.existsSync(p)) expect(mode(p)).toBe(0o600);
    }
    await store.close();
  });

  it('honours a custom database path', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'sub', 'x.sqlite');
    const store = await openStore({ dataDir: dir, database: db });
    await store.close();
    expect(mode(db)).toBe(0o600);
    expect(fs.existsSync(path.join(dir, 'oauth2.db'))).toBe(false);
  });

  it.each([
    ['hex', randomBytes(32).toString('hex')],
    ['base64', randomBytes(32).toString('base64')],
    ['base64url', randomBytes(32).toString('base64url')],
  ])('accepts OAUTH2_MASTER_KEY as %s and creates no master.key', async (_enc, key) => {
    const dir = tempDir();
    const store = await openStore({ dataDir: dir, masterKey: key });
    const c = await store.createConsumer({ name: 'c1' });
    await store.close();
    expect(fs.existsSync(path.join(dir, 'master.key'))).toBe(false);
    const again = await openStore({ dataDir: dir, masterKey: key });
    expect((await again.loadSnapshotSource()).consumers[0].client_secret).toBe(c.client_secret);
    await again.close();
  });

  describe('refusals', () => {
    it.each([
      ['too short', randomBytes(16).toString('hex')],
      ['not an encoding', 'this is not a key at all, sorry!!'],
      ['31 bytes', randomBytes(31).toString('base64')],
    ])('refuses a master key that is %s with one line naming OAUTH2_MASTER_KEY', async (_t, key) => {
      const err = await openStore({ dataDir: tempDir(), masterKey: key }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreError);
      expect((err as StoreError).message).toMatch(/^OAUTH2_MASTER_KEY: /);
      expect((err as StoreError).message).not.toContain(key);
    });

    it('refuses to open a database with a different master key', async () => {
      const dir = tempDir();
      await (await openStore({ dataDir: dir })).close();
      const err = await openStore({ dataDir: dir, masterKey: randomBytes(32).toString('hex') }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreError);
      expect((err as StoreError).message).toMatch(/^OAUTH2_MASTER_KEY: .*not the master key/);
    });

    it('refuses a damaged master.key file', async () => {
      const dir = tempDir();
      fs.writeFileSync(path.join(dir, 'master.key'), 'short\n', { mode: 0o600 });
      const err = await openStore({ dataDir: dir }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreError);
      expect((err as StoreError).message).toMatch(/^master\.key: /);
    });
  });
});

describe('ensureAdminToken', () => {
  it('prefers the env token', () => {
    const dir = tempDir();
    expect(ensureAdminToken(dir, 'from-env')).toBe('from-env');
    expect(fs.existsSync(path.join(dir, 'admin.token'))).toBe(false);
  });

  it('creates admin.token 0600 once (32 random bytes base64url) and reads it back', () => {
    const dir = tempDir();
    const first = ensureAdminToken(dir);
    expect(Buffer.from(first, 'base64url')).toHaveLength(32);
    expect(mode(path.join(dir, 'admin.token'))).toBe(0o600);
    expect(ensureAdminToken(dir, '')).toBe(first);
    expect(ensureAdminToken(dir)).toBe(first);
  });
});
