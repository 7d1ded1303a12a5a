/** The store's two SQL dialects: SQLite (default, one file) and PostgreSQL (scale-out, docs/deploying.md). */
export type Dialect = 'sqlite' | 'postgres';

/** OAUTH2_DATABASE selects PostgreSQL when it is a `postgres://` or `postgresql://` URL; anything else is a SQLite file. */
export function isPostgresUrl(database: string | undefined): boolean {
  return database !== undefined && /^postgres(ql)?:\/\//i.test(database.trim());
}

/** The database for messages and logs: a URL's password is masked. */
export function describeDatabase(database: string): string {
  if (!isPostgresUrl(database)) return database;
  try {
    const u = new URL(database.trim());
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}

/** The dialect a DataSource (or a migration's `queryRunner.connection`) speaks. */
export function dialectOf(ds: { options: { type: string } }): Dialect {
  return ds.options.type === 'postgres' ? 'postgres' : 'sqlite';
}
