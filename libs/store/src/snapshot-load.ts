import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Database, Statement } from 'better-sqlite3';
import type { ConsumerRecord, RouteRecord, RuleRecord, SnapshotSource } from '@oauth2/core';
import { currentRevision, type StoreContext } from './context';
import { consumerAad } from './secret-box';
import { loadRevocations } from './revocations';
import { readSettings } from './settings';
import { loadSigningKeys } from './signing-keys';

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
 */
type ConsumerRow = [string, string, string];

type Rows = Pick<SnapshotSource, 'routes' | 'rules'> & { consumerRows: ConsumerRow[] };

interface Statements {
  consumers: Statement<[], ConsumerRow>;
  routes: Statement<[], [string, string, string, string, number]>;
  rules: Statement<[], [number, number, string | null, string | null, string]>;
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
        consumers: conn.prepare<[], ConsumerRow>('SELECT "name", "client_id", hex("secret_enc") FROM "consumer" ORDER BY "name" ASC').raw(true),
        routes: conn.prepare<[], [string, string, string, string, number]>('SELECT "name", "hosts", "path_prefix", "upstream", "strip_prefix" FROM "route" ORDER BY "name" ASC').raw(true),
        rules: conn
          .prepare<[], [number, number, string | null, string | null, string]>('SELECT "id", "position", "routes", "domains", "allow" FROM "rule" ORDER BY "position" ASC, "id" ASC')
          .raw(true),
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
      rules: st.rules.all().map((r): RuleRecord => ({ id: r[0], position: r[1], routes: json(r[2]), domains: json(r[3]), allow: json<string[]>(r[4])! })),
    };
  }

  /** PostgreSQL: the same three reads through the query runner, consumers as SQLite's arrays. */
  private async postgresRows(): Promise<Rows> {
    type C = { name: string; client_id: string; sealed_hex: string };
    type R = { name: string; hosts: string; path_prefix: string; upstream: string; strip_prefix: boolean };
    type U = { id: number; position: number; routes: string | null; domains: string | null; allow: string };
    const db = this.ctx.db;
    const c = await db.query<C[]>('SELECT "name", "client_id", encode("secret_enc", \'hex\') AS "sealed_hex" FROM "consumer" ORDER BY "name" ASC');
    const r = await db.query<R[]>('SELECT "name", "hosts", "path_prefix", "upstream", "strip_prefix" FROM "route" ORDER BY "name" ASC');
    const u = await db.query<U[]>('SELECT "id", "position", "routes", "domains", "allow" FROM "rule" ORDER BY "position" ASC, "id" ASC');
    return {
      consumerRows: c.map((x): ConsumerRow => [x.name, x.client_id, x.sealed_hex]),
      routes: r.map((x): RouteRecord => ({ name: x.name, hosts: json<string[]>(x.hosts)!, path_prefix: x.path_prefix, upstream: x.upstream, strip_prefix: !!x.strip_prefix })),
      rules: u.map((x): RuleRecord => ({ id: x.id, position: x.position, routes: json(x.routes), domains: json(x.domains), allow: json<string[]>(x.allow)! })),
    };
  }

  /** Secrets from the cache where the sealed value is unchanged; the others opened, a slice at a time. */
  private async consumers(rows: ConsumerRow[]): Promise<ConsumerRecord[]> {
    const prev = this.opened;
    const next = new Map<string, Opened>();
    const out = new Array<ConsumerRecord>(rows.length);
    // Opening costs ~4 µs, a cache hit a fraction of that: a pause per slice of either.
    let work = 0;
    for (let i = 0; i < rows.length; i++) {
      const [name, client_id, sealedHex] = rows[i];
      let o = prev.get(name);
      if (o === undefined || o.sealedHex !== sealedHex) {
        o = { sealedHex, secret: this.ctx.box.open(Buffer.from(sealedHex, 'hex'), consumerAad(name), `consumer "${name}"`) };
        work += OPENS_PER_SLICE_RATIO;
      }
      next.set(name, o);
      out[i] = { name, client_id, client_secret: o.secret };
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
