import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Database, Statement } from 'better-sqlite3';
import {
  SealedConsumer,
  SealedPreviousSecret,
  tlsAuthOf,
  type AuthMethod,
  type ConsumerRecord,
  type RouteRecord,
  type RuleRecord,
  type SecretOpener,
  type SnapshotDelta,
  type SnapshotSource,
} from '@oauth2/core';
import { currentRevision, type StoreContext } from './context';
import { consumerAad, previousSecretAad } from './secret-box';
import { loadRevocations } from './revocations';
import { readSettings } from './settings';
import type { Dialect } from './dialect';
import { loadSigningKeys } from './signing-keys';

/** A delta naming more rows than this loads in full instead (a big apply: the full load is as fast then). */
export const MAX_DELTA_KEYS = 20_000;
/** Keys per `IN (...)` list: well under SQLite's and PostgreSQL's parameter limits. */
const KEYS_PER_QUERY = 500;

/**
 * What most consumers do not have, as one column that is NULL for every other row: scopes, groups,
 * a rotation with a grace period (migration RotationGrace: the previous secret as hex, its rotation
 * time and grace end) and a certificate method (SPEC §13, migration ConsumerTlsAuth: the method and
 * its field), as a JSON array (ConsumerExtra). A column that is NULL or '[]' on nearly every row
 * still costs a JavaScript value per row (~0.12 s each in a 1,000,000-consumer load); one costs one.
 * scopes and groups are JSON text in their columns and ride in the array as JSON values.
 */
const EXTRA = (d: Dialect): string => {
  const when = `"scopes" IS NULL AND "groups" = '[]' AND "previous_secret_enc" IS NULL AND "rotated_at" IS NULL AND "auth_method" = 'client_secret'`;
  return d === 'postgres'
    ? `CASE WHEN ${when} THEN NULL ELSE json_build_array("scopes"::json, "groups"::json, encode("previous_secret_enc", 'hex'), "rotated_at", "previous_secret_expires_at", "auth_method", "tls_subject", "tls_thumbprint")::text END`
    : `CASE WHEN ${when} THEN NULL ELSE json_array(json("scopes"), json("groups"), nullif(hex("previous_secret_enc"), ''), "rotated_at", "previous_secret_expires_at", "auth_method", "tls_subject", "tls_thumbprint") END`;
};
/**
 * The columns each table's rows are read with, the same for a full load and a delta (one place
 * to add a column), as SQL select lists per dialect.
 */
const COLUMNS = {
  consumer: (d: Dialect) => `"name", "client_id", ${d === 'postgres' ? `encode("secret_enc", 'hex')` : 'hex("secret_enc")'} AS "sealed_hex", ${EXTRA(d)} AS "extra"`,
  route: () => '"name", "hosts", "path_prefix", "upstream", "strip_prefix"',
  rule: () => '"id", "position", "routes", "domains", "allow", "allow_groups", "scopes"',
};
/**
 * SQLite's consumer row as one string: name, client_id, sealed hex and, when not NULL, `extra`,
 * separated by U+001F (unit separator). better-sqlite3 makes one JavaScript string per value, and
 * at 1,000,000 rows four values cost ~1 s more than one (the slices taken from it are cheap).
 * Unambiguous for every row the store can hold: names (NAME_PATTERN) and client ids (printable
 * ASCII) cannot contain U+001F, hex is [0-9A-F], and JSON escapes control characters.
 */
const US = '\u001f';
const PACKED_CONSUMER = `"name" || char(31) || "client_id" || char(31) || hex("secret_enc") || ifnull(char(31) || ${EXTRA('sqlite')}, '')`;

/**
 * A PACKED_CONSUMER string as its ConsumerRow. A row that does not split as written (a stray
 * separator in a name or client_id, written around the store) fails the whole load, loudly,
 * rather than becoming a consumer with another's client_id.
 */
export function unpackConsumer(packed: string): ConsumerRow {
  const i = packed.indexOf(US);
  const j = i < 1 ? -1 : packed.indexOf(US, i + 1);
  const k = j < 0 ? -1 : packed.indexOf(US, j + 1);
  if (j <= i + 1 || (k >= 0 && (packed.charCodeAt(k + 1) !== 0x5b || packed.indexOf(US, k + 1) >= 0))) {
    throw new Error(`consumer row ${JSON.stringify(packed.slice(0, Math.max(0, i)))} cannot be read: a name or client_id holds a control character`);
  }
  return k < 0 ? [packed.slice(0, i), packed.slice(i + 1, j), packed.slice(j + 1), null] : [packed.slice(0, i), packed.slice(i + 1, j), packed.slice(j + 1, k), packed.slice(k + 1)];
}

type ConsumerObj = { name: string; client_id: string; sealed_hex: string; extra: string | null };
/** The `extra` column parsed: [scopes, groups, previous secret hex, rotated_at, grace end, auth_method, tls_subject, tls_thumbprint]. */
type ConsumerExtra = [string[] | null, string[], string | null, number | null, number | null, AuthMethod | null, string | null, string | null];
type RouteObj = { name: string; hosts: string; path_prefix: string; upstream: string; strip_prefix: boolean | number };
type RuleObj = { id: number; position: number; routes: string | null; domains: string | null; allow: string; allow_groups: string; scopes: string };
/** A route or rule row in COLUMNS order, as SQLite's raw mode gives it; PostgreSQL's objects are put in this shape (routeRow, ruleRow). */
type RouteRow = [string, string, string, string, boolean | number];
type RuleRow = [number, number, string | null, string | null, string, string, string];
const routeRow = (x: RouteObj): RouteRow => [x.name, x.hosts, x.path_prefix, x.upstream, x.strip_prefix];
const ruleRow = (x: RuleObj): RuleRow => [Number(x.id), Number(x.position), x.routes, x.domains, x.allow, x.allow_groups, x.scopes];
/** The one reading of a route row (simple-json lists parsed, the common '[]' shared). */
const routeRecord = (r: RouteRow): RouteRecord => ({ name: r[0], hosts: list(r[1]), path_prefix: r[2], upstream: r[3], strip_prefix: !!r[4] });
/** The one reading of a rule row. */
const ruleRecord = (r: RuleRow): RuleRecord => ({
  id: r[0],
  position: r[1],
  routes: json(r[2]),
  domains: json(r[3]),
  allow: list(r[4]),
  allow_groups: list(r[5]),
  scopes: list(r[6]),
});
/** PostgreSQL's (and a delta's) row objects read as the SQLite rows are. */
const routeOfObj = (x: RouteObj): RouteRecord => routeRecord(routeRow(x));
const ruleOfObj = (x: RuleObj): RuleRecord => ruleRecord(ruleRow(x));
const consumerRow = (x: ConsumerObj): ConsumerRow => [x.name, x.client_id, x.sealed_hex, x.extra];
/** One shared, frozen empty list for the empty JSON lists that most consumers, routes and rules have. */
const NONE = Object.freeze([]) as unknown as string[];

/**
 * SQLite reads the database file through a memory map while a full load runs (PRAGMA mmap_size;
 * SQLite caps it at its compile-time limit, 2 GB in better-sqlite3's build). A walk in name order
 * visits the table's pages in whatever order the rows were inserted: for consumers created over
 * time, one read() system call per row through SQLite's small page cache. Mapped, a
 * 1,000,000-consumer read in random insertion order took ~2.0 s of CPU instead of ~3.8 s (in name
 * order it makes no difference). Set back to 0 after the read, so the mapping (which counts in the
 * process's RSS) does not outlive the load. The one cost: an I/O error on the file during the
 * load kills the process (SIGBUS) where it would have failed the load with an error.
 */
const LOAD_MMAP_BYTES = 2 ** 31;

/** Consumer rows per read (keyset pages in name order), with a pause between two: a few milliseconds of work each. */
const ROWS_PER_PAGE = 5_000;

/** Opens every secret (~1,000 per slice, pausing between): the first damaged one fails the load, as it did before secrets could stay sealed. */
async function openAll(consumers: readonly SealedConsumer[]): Promise<void> {
  for (let i = 0; i < consumers.length; i++) {
    const c = consumers[i];
    c.open();
    // A previous secret is opened only while its grace lasts (an ended one is never opened).
    if (c.previous instanceof SealedPreviousSecret && c.previous.expires_at > nowSeconds()) c.previous.open();
    if (i % 1_000 === 999) await yieldToLoop();
  }
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** An opened record as a plain object (what callers without `sealed` always got); the rotation fields only when it has one. */
function plain(c: SealedConsumer): ConsumerRecord {
  const base: ConsumerRecord = { name: c.name, client_id: c.client_id, client_secret: c.client_secret, scopes: c.scopes, groups: c.groups };
  const r: ConsumerRecord = c.tls === null ? base : { ...base, auth_method: c.auth_method, tls_subject: c.tls_subject, tls_thumbprint: c.tls_thumbprint };
  const p = c.previous;
  if (p === null) return r;
  // openAll opened it if its grace lasts; an ended one stays sealed and is handed on as null.
  const previous_secret = p instanceof SealedPreviousSecret ? (p.openedSecret ?? null) : p.secret;
  return { ...r, previous_secret, rotated_at: p.rotated_at, previous_expires_at: p.expires_at };
}

/** typeorm's simple-json read: JSON text parsed, null kept. */
function json<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

/** A simple-json list column (never null): '[]', the common value, as the shared NONE. */
function list(text: string): string[] {
  return text === '[]' ? NONE : (JSON.parse(text) as string[]);
}

/**
 * name, client_id, and the sealed secret as hex: SQL's hex()/encode() hands back one plain string
 * per row where a BLOB column would cost a separately allocated Buffer each (with 100k consumers,
 * a tenth of a cold load and much of its GC); only new or changed secrets become bytes again.
 * Then `extra` (EXTRA): null, or scopes, groups, the rotation with grace and the client
 * authentication as a JSON array (ConsumerExtra).
 */
type ConsumerRow = [string, string, string, string | null];

type Rows = Pick<SnapshotSource, 'routes' | 'rules'> & { consumers: SealedConsumer[] };

interface Statements {
  /** One keyset page: the ROWS_PER_PAGE consumers after the given name, each row packed into one string (PACKED_CONSUMER). */
  consumers: Statement<[string], string>;
  routes: Statement<[], RouteRow>;
  rules: Statement<[], RuleRow>;
}

/**
 * Reads everything the gateway needs in one read transaction with prepared statements in raw
 * (array) mode on typeorm's own better-sqlite3 connection: no entity hydration and no row objects,
 * which with 100k consumers were a third of a reload's time and much of its garbage.
 *
 * Secrets are not opened here: each consumer comes as a SealedConsumer (libs/core/src/sealed-consumer.ts)
 * whose secret is opened on first use or by the gateway's background pass after the snapshot is in
 * force; a damaged row fails closed for its own consumer only and is reported (see there). At
 * 1,000,000 consumers opening every secret in the load was ~11 s of a 5 s budget.
 *
 * A secret opened under the previous full load is handed to the new record while the consumer's
 * sealed bytes are unchanged (same name, so the same AAD): a reload opens only new or rotated
 * secrets. The previous load's records are matched by a merge over both lists in name order (the
 * order of the read), so no map of a million entries is built for it.
 */
export class SnapshotLoader {
  /** The consumers of the last full load, in the order read (by name). */
  private previous: SealedConsumer[] = [];
  private stmts: Statements | null = null;
  private readonly opener: SecretOpener;

  constructor(private readonly ctx: StoreContext) {
    this.opener = {
      open: (sealedHex, name) => this.ctx.box.open(Buffer.from(sealedHex, 'hex'), consumerAad(name), `consumer "${name}"`),
      openPrevious: (sealedHex, name) => this.ctx.box.open(Buffer.from(sealedHex, 'hex'), previousSecretAad(name), `consumer "${name}" (previous secret)`),
    };
  }

  /** The same single connection the query runner uses; statements run inside db.read()'s transaction. */
  private connection(): Database {
    return (this.ctx.db.ds.driver as unknown as { databaseConnection: Database }).databaseConnection;
  }

  private statements(): Statements {
    if (this.stmts === null) {
      const conn = this.connection();
      this.stmts = {
        consumers: conn.prepare<[string], string>(`SELECT ${PACKED_CONSUMER} FROM "consumer" WHERE "name" > ? ORDER BY "name" ASC LIMIT ${ROWS_PER_PAGE}`).pluck(true),
        routes: conn.prepare<[], RouteRow>(`SELECT ${COLUMNS.route()} FROM "route" ORDER BY "name" ASC`).raw(true),
        rules: conn.prepare<[], RuleRow>(`SELECT ${COLUMNS.rule()} FROM "rule" ORDER BY "position" ASC, "id" ASC`).raw(true),
      };
    }
    return this.stmts;
  }

  /**
   * One read transaction for the rows; the secrets are opened after it. Both parts give the event
   * loop back every slice of rows (yieldToLoop), so a gateway reloading 100k consumers keeps serving
   * requests in between instead of stalling for the whole load.
   */
  async load(sealed = false): Promise<SnapshotSource> {
    const src = await this.ctx.db.read(async () => {
      const revision = await currentRevision(this.ctx);
      const settings = await readSettings(this.ctx);
      const rows = this.ctx.db.dialect === 'postgres' ? await this.postgresRows() : await this.sqliteRows();
      return { revision, settings, ...rows, revocations: await loadRevocations(this.ctx), keys: await loadSigningKeys(this.ctx) };
    });
    if (!sealed) await openAll(src.consumers);
    // Kept only once the whole load succeeded: its opened secrets carry over to the next full load.
    this.previous = src.consumers;
    return sealed ? src : { ...src, consumers: src.consumers.map(plain) };
  }

  /**
   * Consumers read in keyset pages (`name > last`, in name order) with `all()`: one call into
   * SQLite per page instead of one per row (an iterator's step per row was ~0.6 s of a
   * 1,000,000-consumer load), each row one string (PACKED_CONSUMER: ~1 s less than four values
   * per row at 1M), and no statement left open across the pauses between pages. Each
   * row becomes its record at once: no array of a million rows is kept beside the records. The
   * pages are consistent with each other: they run in db.read()'s one read transaction.
   */
  private async sqliteRows(): Promise<Rows> {
    // Memory-mapped for the read only (LOAD_MMAP_BYTES), unmapped again before the transaction ends.
    const conn = this.connection();
    conn.pragma(`mmap_size = ${LOAD_MMAP_BYTES}`);
    try {
      return await this.sqliteRowsMapped();
    } finally {
      conn.pragma('mmap_size = 0');
    }
  }

  private async sqliteRowsMapped(): Promise<Rows> {
    const st = this.statements();
    const make = this.consumerMaker();
    const consumers: SealedConsumer[] = [];
    for (let after = ''; ;) {
      const page = st.consumers.all(after);
      for (let i = 0; i < page.length; i++) consumers.push(make(unpackConsumer(page[i])));
      if (page.length < ROWS_PER_PAGE) break;
      after = consumers[consumers.length - 1].name;
      await yieldToLoop();
    }
    return {
      consumers,
      routes: st.routes.all().map(routeRecord),
      rules: st.rules.all().map(ruleRecord),
    };
  }

  /** PostgreSQL: the same three reads through the query runner, consumers as SQLite's arrays. */
  private async postgresRows(): Promise<Rows> {
    const db = this.ctx.db;
    const c = await db.query<ConsumerObj[]>(`SELECT ${COLUMNS.consumer('postgres')} FROM "consumer" ORDER BY "name" ASC`);
    const r = await db.query<RouteObj[]>(`SELECT ${COLUMNS.route()} FROM "route" ORDER BY "name" ASC`);
    const u = await db.query<RuleObj[]>(`SELECT ${COLUMNS.rule()} FROM "rule" ORDER BY "position" ASC, "id" ASC`);
    const make = this.consumerMaker();
    return { consumers: c.map((x) => make(consumerRow(x))), routes: r.map(routeOfObj), rules: u.map(ruleOfObj) };
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
  async loadChanges(since: number, maxKeys = MAX_DELTA_KEYS, sealed = false): Promise<SnapshotDelta | null> {
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
      const routes = (await this.rowsByKey<RouteObj>('route', COLUMNS.route(), 'name', routeKeys)).map(routeOfObj);
      const rules = (await this.rowsByKey<RuleObj>('rule', COLUMNS.rule(), 'id', ruleKeys)).map(ruleOfObj);
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
    // Sealed like a full load's; the gateway opens these few at once after the swap (unsealAll).
    const upserts = consumerRows.map((row) => this.sealedConsumer(row));
    if (!sealed) await openAll(upserts);
    return { from: since, ...rest, consumers: { upserts: sealed ? upserts : upserts.map(plain), removed: consumersRemoved } };
  }

  /**
   * A row as its SealedConsumer; `secret` when it is already known (opened under the previous load,
   * same sealed bytes); `before`: the same consumer's record of the previous load, whose opened
   * previous secret is reused when its sealed bytes are unchanged.
   */
  private sealedConsumer(row: ConsumerRow, secret?: string, before?: SealedConsumer): SealedConsumer {
    const [name, client_id, sealedHex, extraText] = row;
    // Most consumers have no scopes, no group, no rotation, a client secret: no `extra`, one shared empty group list.
    if (extraText === null) return new SealedConsumer(name, client_id, sealedHex, this.opener, null, NONE, secret);
    const [scopes, groups, previousHex, rotatedAt, previousExpires, authMethod, tlsSubject, tlsThumbprint] = JSON.parse(extraText) as ConsumerExtra;
    const c = new SealedConsumer(name, client_id, sealedHex, this.opener, scopes, groups.length === 0 ? NONE : groups, secret);
    if (authMethod !== null && authMethod !== 'client_secret') c.tls = tlsAuthOf({ auth_method: authMethod, tls_subject: tlsSubject, tls_thumbprint: tlsThumbprint });
    if (rotatedAt !== null && previousExpires !== null) {
      const p = before?.previous;
      const known = p instanceof SealedPreviousSecret && p.sealed === previousHex ? p.openedSecret : undefined;
      c.previous = new SealedPreviousSecret(name, previousHex, Number(rotatedAt), Number(previousExpires), this.opener, known);
    }
    return c;
  }

  /**
   * Makes one SealedConsumer per row, rows given in name order; a secret opened under the previous
   * full load is reused when the consumer's sealed bytes are unchanged (a merge over both lists).
   */
  private consumerMaker(): (row: ConsumerRow) => SealedConsumer {
    const prev = this.previous;
    let j = 0;
    return (row) => {
      const [name, , sealedHex] = row;
      while (j < prev.length && prev[j].name < name) j++;
      const same = j < prev.length && prev[j].name === name ? prev[j] : undefined;
      return this.sealedConsumer(row, same?.sealed === sealedHex ? same.openedSecret : undefined, same);
    };
  }
}
