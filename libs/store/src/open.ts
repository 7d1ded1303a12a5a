import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DataSource } from 'typeorm';
import { createDataSource } from './data-source';
import { describeDatabase, isPostgresUrl } from './dialect';
import { StoreError } from './errors';
import { prepareDatabaseFile, tightenDatabaseFiles } from './files';
import { consumerAad, legacyConsumerAad, legacySigningKeyAad, loadMasterKey, SEAL_VERSION, SecretBox, signingKeyAad } from './secret-box';
import { TypeormConfigStore } from './typeorm-store';
import type { ConfigStore, StoreOptions } from './store-api';
import { Db } from './tx';

/** Any constant both sides agree on: the key of the PostgreSQL advisory lock taken around migrations. */
const MIGRATION_LOCK_KEY = 0x6f61_7532; // "oau2"

/** Runs pending migrations under the database write lock, so two processes starting together run them once. */
async function migrate(db: Db): Promise<void> {
  if (db.dialect === 'postgres') return migratePostgres(db);
  await db.exclusive(async () => {
    await db.beginImmediate(30_000);
    try {
      await db.ds.runMigrations({ transaction: 'none' });
      await db.query('COMMIT');
    } catch (err) {
      await db.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  });
}

/**
 * PostgreSQL: a session advisory lock serializes processes starting together; the loser waits,
 * then finds nothing pending. The migrations run in one transaction (DDL is transactional there).
 */
async function migratePostgres(db: Db): Promise<void> {
  await db.exclusive(async () => {
    await db.query('SELECT pg_advisory_lock(?)', [MIGRATION_LOCK_KEY]);
    try {
      await db.ds.runMigrations({ transaction: 'all' });
    } finally {
      await db.query('SELECT pg_advisory_unlock(?)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    }
  });
}

/** Records the master key's fingerprint on first open; refuses to open with a different key. */
async function checkMasterKey(db: Db, box: SecretBox, keySource: string): Promise<void> {
  const fp = box.fingerprint();
  await db.write(async () => {
    await db.query('UPDATE "revision" SET "key_check" = ? WHERE "id" = 1 AND "key_check" IS NULL', [fp]);
    const rows = await db.query<{ key_check: string }[]>('SELECT "key_check" FROM "revision" WHERE "id" = 1');
    if (rows[0]?.key_check !== fp) {
      throw new StoreError('validation', `${keySource}: this is not the master key the database's secrets were sealed with`, keySource);
    }
  });
}

/**
 * Re-seals every stored secret from format 1 (AAD: the bare consumer name, `signing_key:<kid>`) to
 * the domain-prefixed AAD (secret-box.ts), once, in one write transaction (the write lock makes a
 * second process starting meanwhile find it done). The plaintexts and the revision do not change.
 */
async function resealSecrets(db: Db, box: SecretBox): Promise<void> {
  await db.write(async () => {
    const v = await db.query<{ seal_version: number }[]>('SELECT "seal_version" FROM "revision" WHERE "id" = 1');
    if (Number(v[0]?.seal_version ?? SEAL_VERSION) >= SEAL_VERSION) return;
    const consumers = await db.query<{ id: number; name: string; secret_enc: Buffer }[]>('SELECT "id", "name", "secret_enc" FROM "consumer"');
    for (const c of consumers) {
      const secret = box.open(Buffer.from(c.secret_enc), legacyConsumerAad(c.name), `consumer "${c.name}"`);
      await db.query('UPDATE "consumer" SET "secret_enc" = ? WHERE "id" = ?', [box.seal(secret, consumerAad(c.name)), c.id]);
    }
    const keys = await db.query<{ kid: string; private_enc: Buffer }[]>('SELECT "kid", "private_enc" FROM "signing_key" WHERE "private_enc" IS NOT NULL');
    for (const k of keys) {
      const pem = box.open(Buffer.from(k.private_enc), legacySigningKeyAad(k.kid), `signing key "${k.kid}"`);
      await db.query('UPDATE "signing_key" SET "private_enc" = ? WHERE "kid" = ?', [box.seal(pem, signingKeyAad(k.kid)), k.kid]);
    }
    await db.query('UPDATE "revision" SET "seal_version" = ? WHERE "id" = 1', [SEAL_VERSION]);
  });
}

/**
 * Connects and runs the migrations. Two processes starting together on one fresh SQLite file can
 * meet inside the migrations' deferred transactions: the one that cannot upgrade its read lock gets
 * SQLITE_BUSY at once (busy_timeout does not apply to that deadlock). It retries from the start,
 * where it finds the other's migrations done, for up to ~10 s; anything else fails at once.
 */
async function initializeDataSource(database: string, postgres: boolean): Promise<DataSource> {
  for (let attempt = 1; ; attempt++) {
    const ds = createDataSource(database);
    try {
      return await ds.initialize();
    } catch (err) {
      if (ds.isInitialized) await ds.destroy().catch(() => undefined);
      const locked = !postgres && /database is locked|SQLITE_BUSY/.test((err as Error).message);
      if (!locked || attempt >= 40) throw new Error(`cannot open database ${describeDatabase(database)}: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 50 + Math.floor(Math.random() * 200)));
    }
  }
}

/**
 * Opens (creating if needed) the store under `opts.dataDir`: master key, SQLite file (WAL, 0600),
 * migrations. Safe when the admin API and the gateway start at the same time on the same directory.
 * With a `postgres://` URL as `opts.database` the tables live in that database instead (every
 * process must then use the same master key: the stored fingerprint refuses any other).
 */
export async function openStore(opts: StoreOptions): Promise<ConfigStore> {
  fs.mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const key = loadMasterKey(opts.dataDir, opts.masterKey);
  const database = opts.database ?? path.join(opts.dataDir, 'oauth2.db');
  const postgres = isPostgresUrl(database);
  if (!postgres) prepareDatabaseFile(database);
  const ds = await initializeDataSource(database, postgres);
  const db = new Db(ds);
  const box = new SecretBox(key);
  try {
    await migrate(db);
    await checkMasterKey(db, box, opts.masterKey?.trim() ? 'OAUTH2_MASTER_KEY' : 'master.key');
    await resealSecrets(db, box);
  } catch (err) {
    await ds.destroy().catch(() => undefined);
    if (err instanceof StoreError) throw err;
    throw new Error(`cannot prepare database ${describeDatabase(database)}: ${(err as Error).message}`);
  }
  if (!postgres) tightenDatabaseFiles(database);
  return new TypeormConfigStore({ db, box }, postgres ? database.trim() : undefined);
}
