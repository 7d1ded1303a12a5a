import type { StoreErrorKind } from './store-api';

/**
 * A typed store failure. `message` is one line that names the field (or document path) and the
 * offending value, e.g. `client_secret: must be at least 32 characters`; the admin API maps `kind`
 * to 400 / 404 / 409 in one place.
 */
export class StoreError extends Error {
  constructor(
    readonly kind: StoreErrorKind,
    message: string,
    readonly field?: string,
  ) {
    super(message.replace(/[\r\n]+/g, ' '));
    this.name = 'StoreError';
  }
}

/** Throws a 'validation' StoreError whose message starts with the field path. */
export function invalid(field: string, problem: string): never {
  throw new StoreError('validation', `${field}: ${problem}`, field);
}

export function conflict(field: string, problem: string): never {
  throw new StoreError('conflict', `${field}: ${problem}`, field);
}

export function notFound(field: string, problem: string): never {
  throw new StoreError('not_found', problem, field);
}

/**
 * A lock wait ran out: SQLite's SQLITE_BUSY (or an extended BUSY_* code), PostgreSQL's
 * lock_not_available (55P03, lock_timeout or NOWAIT). typeorm wraps either.
 */
export function isBusy(err: unknown): boolean {
  const e = err as { code?: unknown; driverError?: { code?: unknown } } | null;
  const code = e?.driverError?.code ?? e?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code === '55P03');
}

export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: unknown; driverError?: { code?: unknown } } | null;
  const code = e?.driverError?.code ?? e?.code;
  // 23505: PostgreSQL's unique_violation.
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}

/** SQLSTATEs of a server that closed the session: admin_shutdown (pg_terminate_backend), crash_shutdown. */
const SESSION_CLOSED = new Set(['57P01', '57P02']);
const SOCKET_GONE = new Set(['ECONNRESET', 'EPIPE']);

/**
 * PostgreSQL: the pooled connection was closed by the server or the network (restart, failover,
 * pg_terminate_backend, an idle timeout) before or while it was used. The statement did not run on a
 * live session, so a unit that had not yet changed anything can start over on another connection.
 */
export function isConnectionLost(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown; driverError?: { code?: unknown; message?: unknown } } | null;
  if (e === null || typeof e !== 'object') return false;
  const code = e.driverError?.code ?? e.code;
  if (typeof code === 'string' && (SESSION_CLOSED.has(code) || SOCKET_GONE.has(code))) return true;
  const msg = String(e.driverError?.message ?? e.message ?? '');
  return /^Connection terminated|connection error and is not queryable|Client was closed and is not queryable/.test(msg);
}
