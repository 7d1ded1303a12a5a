import type { EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import type { StoreContext } from './context';

// Bulk reads and writes for the document-level paths (apply.ts): plain multi-row statements
// instead of typeorm's query builder, which at 100,000 consumers spent more time building its
// SQL and parameters than the database spent writing. Generic over an entity's columns (its
// typeorm metadata), so a column added to an entity is read, compared and written with no edit here.

/** Bound parameters per statement: under SQLite's historical limit of 999 (PostgreSQL allows 65,535). */
const MAX_PARAMS = 999;

function columnsOf(ctx: StoreContext, entity: EntityTarget<ObjectLiteral>): ColumnMetadata[] {
  return ctx.db.ds.getMetadata(entity).columns;
}

/** Every row of `entity`'s table as entity values (simple-json parsed, booleans as booleans), as `em.find` would give them. */
export async function readAll<T extends ObjectLiteral>(ctx: StoreContext, entity: EntityTarget<T>): Promise<T[]> {
  const meta = ctx.db.ds.getMetadata(entity);
  const cols = meta.columns;
  const driver = ctx.db.ds.driver;
  const raw = await ctx.db.query<Record<string, unknown>[]>(`SELECT ${cols.map((c) => `"${c.databaseName}"`).join(', ')} FROM "${meta.tableName}"`);
  return raw.map((r) => {
    const o: Record<string, unknown> = {};
    for (const c of cols) o[c.propertyName] = driver.prepareHydratedValue(r[c.databaseName], c);
    return o as T;
  });
}

/** The value a column stores for `row` (what an INSERT binds), for writing and for comparing. */
export function storedValue(ctx: StoreContext, col: ColumnMetadata, row: ObjectLiteral): unknown {
  return ctx.db.ds.driver.preparePersistentValue(row[col.propertyName], col);
}

/** Whether two rows would store the same values in every column but `ignore`'s (Buffers compared by bytes). */
export function sameStored(ctx: StoreContext, entity: EntityTarget<ObjectLiteral>, a: ObjectLiteral, b: ObjectLiteral, ignore: readonly string[]): boolean {
  for (const c of columnsOf(ctx, entity)) {
    if (ignore.includes(c.propertyName)) continue;
    const x = storedValue(ctx, c, a);
    const y = storedValue(ctx, c, b);
    if (Buffer.isBuffer(x) && Buffer.isBuffer(y) ? !x.equals(y) : x !== y && !(x == null && y == null)) return false;
  }
  return true;
}

/**
 * Inserts `rows` (entity values; every row with the same properties, those of the first) in
 * multi-row INSERTs of up to MAX_PARAMS parameters. Columns absent from the rows (a generated id)
 * take their defaults.
 */
export async function insertAll(ctx: StoreContext, entity: EntityTarget<ObjectLiteral>, rows: readonly ObjectLiteral[]): Promise<void> {
  if (rows.length === 0) return;
  const meta = ctx.db.ds.getMetadata(entity);
  const cols = meta.columns.filter((c) => rows[0][c.propertyName] !== undefined);
  const perStatement = Math.max(1, Math.floor(MAX_PARAMS / cols.length));
  const head = `INSERT INTO "${meta.tableName}" (${cols.map((c) => `"${c.databaseName}"`).join(', ')}) VALUES `;
  const tuple = `(${cols.map(() => '?').join(', ')})`;
  let fullSql: string | null = null;
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    const params: unknown[] = [];
    for (const r of chunk) for (const c of cols) params.push(storedValue(ctx, c, r));
    const sql = chunk.length === perStatement ? (fullSql ??= head + new Array(perStatement).fill(tuple).join(', ')) : head + new Array(chunk.length).fill(tuple).join(', ');
    await ctx.db.query(sql, params);
  }
}

/** Deletes the rows of `table` whose `key` is in `keys`, in IN-lists of up to MAX_PARAMS. */
export async function deleteByKey(ctx: StoreContext, table: string, key: string, keys: readonly unknown[]): Promise<void> {
  for (let i = 0; i < keys.length; i += MAX_PARAMS) {
    const chunk = keys.slice(i, i + MAX_PARAMS);
    await ctx.db.query(`DELETE FROM "${table}" WHERE "${key}" IN (${chunk.map(() => '?').join(', ')})`, chunk);
  }
}
