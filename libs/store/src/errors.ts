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

/** SQLite reports lock contention as SQLITE_BUSY (or an extended BUSY_* code); typeorm wraps it. */
export function isBusy(err: unknown): boolean {
  const e = err as { code?: unknown; driverError?: { code?: unknown } } | null;
  const code = e?.driverError?.code ?? e?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: unknown; driverError?: { code?: unknown } } | null;
  const code = e?.driverError?.code ?? e?.code;
  // 23505: PostgreSQL's unique_violation.
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}
