import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Database, Statement } from 'better-sqlite3';
import type { ConsumerRecord, RouteRecord, RuleRecord, SnapshotDelta, SnapshotSource } from '@oauth2/core';
import { currentRevision, type StoreContext } from './context';
import { consumerAad } from './secret-box';
import { loadRevocations } from './revocations';
import { readSettings } from './settings';
import type { Dialect } from './dialect';
import { loadSigningKeys } from './signing-keys';

/** A delta naming more rows than this loads in full instead (a big apply: the full load is as fast then). */
export const MAX_DELTA_KEYS = 20_000;
/** Keys per `IN (...)` list: well under SQLite's and PostgreSQL's parameter limits. */
const KEYS_PER_QUERY = 500;

/**
 * The columns each table's rows are read with, the same for a full load and a delta (one place
 * to add a column), as SQL select lists per dialect.
 */
const COLUMNS = {
  consumer: (d: Dialect) => `"name", "client_id", ${d === 'postgres' ? `encode("secret_enc", 'hex')` : 'hex("secret_enc")'} AS "sealed_hex", "scopes", "groups"`,
  route: () => '"name", "hosts", "path_prefix", "upstream", "strip_prefix"',
  rule: () => '"id", "position", "routes", "domains", "allow", "allow_groups", "scopes"',
};
type ConsumerObj = { name: string; client_id: string; sealed_hex: string; scopes: string | null; groups: string };
type RouteObj = { name: string; hosts: string; path_prefix: string; upstream: string; strip_prefix: boolean | number };
type RuleObj = { id: number; position: number; routes: string | null; domains: string | null; allow: string; allow_groups: string; scopes: string };
const routeRecord = (x: RouteObj): RouteRecord => ({ name: x.name, hosts: json<string[]>(x.hosts)!, path_prefix: x.path_prefix, upstream: x.upstream, strip_prefix: !!x.strip_prefix });
const ruleRecord = (x: RuleObj): RuleRecord => ({
  id: Number(x.id),
  position: Number(x.position),
  routes: json(x.routes),
  domains: json(x.domains),
  allow: json<string[]>(x.allow)!,
  allow_groups: json<string[]>(x.allow_groups)!,
  scopes: json<string[]>(x.scopes)!,
});
const consumerRow = (x: ConsumerObj): ConsumerRow => [x.name, x.client_id, x.sealed_hex, x.scopes, x.groups];
/** A consumer's record from its row and its opened secret. */
const consumerRecord = (r: ConsumerRow, client_secret: string): ConsumerRecord => ({
  name: r[0],
  client_id: r[1],
  client_secret,
  scopes: json<string[]>(r[3]),
  // Most consumers are in no group: one shared empty list instead of one parsed per row.
  groups: r[4] === '[]' ? NO_GROUPS : json<string[]>(r[4])!,
});
const NO_GROUPS = Object.freeze([]) as unknown as string[];

/** Rows read (or cached secrets reused) between two pauses: a few milliseconds of work. */
const ROWS_PER_SLICE = 5_000;
/** An opened secret counts as this many rows (AES-GCM set-up dominates): ~1,000 opens per slice. */
const OPENS_PER_SLICE_RATIO = 4;

/** typeorm's simple-json read: JSON text parsed, null kept. */
function json<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

interface Opened {
  /** The sealed secret in hex, as the row read gave it: compared to spot an unchanged row. */
  sealedHex: string;
  secret: string;
}

/**
 * name, client_id, and the sealed secret as hex: SQL's hex()/encode() hands back one plain string
 * per row where a BLOB column would cost a separately allocated Buffer each (with 100k consumers,
 * a tenth of a cold load and much of its GC); only new or changed secrets become bytes again.
 * Then scopes (JSON or null) and groups (JSON).
 */
type ConsumerRow = [string, string, string, string | null, string];

type Rows = Pick<SnapshotSource, 'routes' | 'rules'> & { consumerRows: ConsumerRow[] };

interface Statements {
  consumers: Statement<[], ConsumerRow>;
  routes: Statement<[], [string, string, string, string, number]>;
  rules: Statement<[], [number, number, string | null, string | null, string, string, string]>;
}

/**
 * Reads everything the gateway needs in one read transaction with prepared statements in raw
 * (array) mode on typeorm's own better-sqlite3 connection: no entity hydration and no row objects,
 * which with 100k consumers were a third of a reload's time and much of its garbage.
 *
 * Secrets opened by the previous load are reused while a consumer's ciphertext is byte-for-byte
 * unchanged (same name, so the same AAD): a reload then decrypts only new or rotated secrets.
 * The cache is rebuilt on each load, so it only ever holds the current consumers.
 */
export class SnapshotLoader {
  private opened = new Map<string, Opened>();
  private stmts: Statements | null = null;

  constructor(private readonly ctx: StoreContext) {}

  private statements(): Statements {
    if (this.stmts === null) {
      // The same single connection the query runner uses; statements run inside db.read()'s transaction.
      const conn = (this.ctx.db.ds.driver as unknown as { databaseConnection: Database }).databaseConnection;
      this.stmts = {
        consumers: conn.prepare<[], ConsumerRow>(`SELECT ${COLUMNS.consumer('sqlite')} FROM "consumer" ORDER BY "name" ASC`).raw(true),
        routes: conn.prepare<[], [string, string, string, string, number]>(`SELECT ${COLUMNS.route()} FROM "route" ORDER BY "name" ASC`).raw(true),
        rules: conn.prepare<[], [number, number, string | null, string | null, string, string, string]>(`SELECT ${COLUMNS.rule()} FROM "rule" ORDER BY "position" ASC, "id" ASC`).raw(true),
      };
    }
    return this.stmts;
  }

  /**
   * One read transaction for the rows; the secrets are opened after it. Both parts give the event
   * loop back every slice of rows (yieldToLoop), so a gateway reloading 100k consumers keeps serving
   * requests in between instead of stalling for the whole load.
   */
  async load(): Promise<SnapshotSource> {
    const { consumerRows, ...rest } = await this.ctx.db.read(async () => {
      const revision = await currentRevision(this.ctx);
      const settings = await readSettings(this.ctx);
      const rows = this.ctx.db.dialect === 'postgres' ? await this.postgresRows() : await this.sqliteRows();
      return { revision, settings, ...rows, revocations: await loadRevocations(this.ctx), keys: await loadSigningKeys(this.ctx) };
    });
    return { ...rest, consumers: await this.consumers(consumerRows) };
  }

  /**
   * Consumers stepped through in slices (an open statement on the one connection is safe across
   * the pauses: every other use of it waits in Db's queue until this read unit ends).
   */
  private async sqliteRows(): Promise<Rows> {
    const st = this.statements();
    const consumerRows: ConsumerRow[] = [];
    for (const row of st.consumers.iterate()) {
      if (consumerRows.push(row) % ROWS_PER_SLICE === 0) await yieldToLoop();
    }
    return {
      consumerRows,
      routes: st.routes.all().map((r): RouteRecord => ({ name: r[0], hosts: json<string[]>(r[1])!, path_prefix: r[2], upstream: r[3], strip_prefix: !!r[4] })),
      rules: st.rules.all().map((r): RuleRecord => ({
        id: r[0],
        position: r[1],
        routes: json(r[2]),
        domains: json(r[3]),
        allow: json<string[]>(r[4])!,
        allow_groups: json<string[]>(r[5])!,
        scopes: json<string[]>(r[6])!,
      })),
    };
  }

  /** PostgreSQL: the same three reads through the query runner, consumers as SQLite's arrays. */
  private async postgresRows(): Promise<Rows> {
    const db = this.ctx.db;
    const c = await db.query<ConsumerObj[]>(`SELECT ${COLUMNS.consumer('postgres')} FROM "consumer" ORDER BY "name" ASC`);
    const r = await db.query<RouteObj[]>(`SELECT ${COLUMNS.route()} FROM "route" ORDER BY "name" ASC`);
    const u = await db.query<RuleObj[]>(`SELECT ${COLUMNS.rule()} FROM "rule" ORDER BY "position" ASC, "id" ASC`);
    return { consumerRows: c.map(consumerRow), routes: r.map(routeRecord), rules: u.map(ruleRecord) };
  }

  /** The rows of `table` whose key is in `keys` (any order), in IN-lists of KEYS_PER_QUERY. */
  private async rowsByKey<T>(table: string, columns: string, key: string, keys: unknown[]): Promise<T[]> {
    const out: T[] = [];
    for (let i = 0; i < keys.length; i += KEYS_PER_QUERY) {
      const chunk = keys.slice(i, i + KEYS_PER_QUERY);
      out.push(...(await this.ctx.db.query<T[]>(`SELECT ${columns} FROM "${table}" WHERE "${key}" IN (${chunk.map(() => '?').join(', ')})`, chunk)));
    }
    return out;
  }

  /**
   * What changed after revision `since` (SnapshotDelta, libs/core/src/snapshot-delta.ts), read in
   * one read transaction like a full load: the change log's keys in (since, now], and those rows
   * as they are now (a key without a row was removed). Null when a delta cannot say it: the log
   * does not reach back to `since` (pruned, or older than the log), `since` is ahead of the store,
   * or more than MAX_DELTA_KEYS rows changed. The caller then loads in full.
   */
  async loadChanges(since: number, maxKeys = MAX_DELTA_KEYS): Promise<SnapshotDelta | null> {
    const read = await this.ctx.db.read(async () => {
      const [head] = await this.ctx.db.query<{ value: number; history_from: number }[]>('SELECT "value", "history_from" FROM "revision" WHERE "id" = 1');
      const revision = Number(head.value);
      if (since < Number(head.history_from) || since > revision) return null;
      // From `since` itself, not after it: a row changed outside change() (a repair by hand, the
      // re-seal at open) is logged under the revision the store was at, which a gateway at that
      // revision has not seen. Re-reading the rows of revision `since` is idempotent.
      const changed = await this.ctx.db.query<{ tbl: string; key: string }[]>('SELECT DISTINCT "tbl", "key" FROM "change_log" WHERE "revision" >= ? AND "revision" <= ? LIMIT ?', [
        since,
        revision,
        maxKeys + 1,
      ]);
      if (changed.length > maxKeys) return null;
      const keys = new Map<string, string[]>();
      for (const c of changed) {
        let list = keys.get(c.tbl);
        if (list === undefined) keys.set(c.tbl, (list = []));
        list.push(c.key);
      }
      const d = this.ctx.db.dialect;
      const consumerKeys = keys.get('consumer') ?? [];
      const routeKeys = keys.get('route') ?? [];
      const ruleKeys = (keys.get('rule') ?? []).map(Number);
      const consumers = await this.rowsByKey<ConsumerObj>('consumer', COLUMNS.consumer(d), 'name', consumerKeys);
      const routes = (await this.rowsByKey<RouteObj>('route', COLUMNS.route(), 'name', routeKeys)).map(routeRecord);
      const rules = (await this.rowsByKey<RuleObj>('rule', COLUMNS.rule(), 'id', ruleKeys)).map(ruleRecord);
      const present = { consumer: new Set(consumers.map((c) => c.name)), route: new Set(routes.map((r) => r.name)), rule: new Set(rules.map((r) => r.id)) };
      return {
        revision,
        consumerRows: consumers.map(consumerRow),
        consumersRemoved: consumerKeys.filter((k) => !present.consumer.has(k)),
        routes: { upserts: routes, removed: routeKeys.filter((k) => !present.route.has(k)) },
        rules: { upserts: rules, removed: ruleKeys.filter((k) => !present.rule.has(k)) },
        ...(keys.has('settings') ? { settings: await readSettings(this.ctx) } : {}),
        ...(keys.has('revocation') ? { revocations: await loadRevocations(this.ctx) } : {}),
        ...(keys.has('signing_key') ? { keys: await loadSigningKeys(this.ctx) } : {}),
      };
    });
    if (read === null) return null;
    const { consumerRows, consumersRemoved, ...rest } = read;
    // Opened like a full load's, through the same cache (kept current for the next full load).
    const upserts = consumerRows.map((row): ConsumerRecord => {
      const [name, , sealedHex] = row;
      let o = this.opened.get(name);
      if (o === undefined || o.sealedHex !== sealedHex) {
        o = { sealedHex, secret: this.ctx.box.open(Buffer.from(sealedHex, 'hex'), consumerAad(name), `consumer "${name}"`) };
      }
      return consumerRecord(row, o.secret);
    });
    consumerRows.forEach(([name, , sealedHex], i) => this.opened.set(name, { sealedHex, secret: upserts[i].client_secret }));
    for (const name of consumersRemoved) this.opened.delete(name);
    return { from: since, ...rest, consumers: { upserts, removed: consumersRemoved } };
  }

  /** Secrets from the cache where the sealed value is unchanged; the others opened, a slice at a time. */
  private async consumers(rows: ConsumerRow[]): Promise<ConsumerRecord[]> {
    const prev = this.opened;
    const next = new Map<string, Opened>();
    const out = new Array<ConsumerRecord>(rows.length);
    // Opening costs ~4 µs, a cache hit a fraction of that: a pause per slice of either.
    let work = 0;
    for (let i = 0; i < rows.length; i++) {
      const [name, , sealedHex] = rows[i];
      let o = prev.get(name);
      if (o === undefined || o.sealedHex !== sealedHex) {
        o = { sealedHex, secret: this.ctx.box.open(Buffer.from(sealedHex, 'hex'), consumerAad(name), `consumer "${name}"`) };
        work += OPENS_PER_SLICE_RATIO;
      }
      next.set(name, o);
      out[i] = consumerRecord(rows[i], o.secret);
      if (++work >= ROWS_PER_SLICE) {
        work = 0;
        await yieldToLoop();
      }
    }
    // Replaced only once every row opened: a failed load keeps the previous cache.
    this.opened = next;
    return out;
  }
}
