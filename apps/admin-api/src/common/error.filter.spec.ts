import { ArgumentsHost, BadRequestException, NotFoundException } from '@nestjs/common';
import { StoreError } from '@oauth2/store';
import { AdminAuthError } from './admin-token.guard';
import { ErrorFilter } from './error.filter';
import { logger } from './logger';

/**
 * What the filter logs is captured here instead of going to stdout, so a green run stays quiet
 * (no level-50 line with a stack trace) and the tests can say what must be logged.
 */
const logged: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
beforeEach(() => {
  logged.length = 0;
  for (const level of ['error', 'warn'] as const) {
    jest.spyOn(logger, level).mockImplementation(((obj: Record<string, unknown>, msg: string) => void logged.push({ level, obj, msg })) as never);
  }
});
afterEach(() => jest.restoreAllMocks());

/** Runs the filter against a minimal Express-like response and returns what it wrote. */
function run(err: unknown) {
  const out: { status?: number; body?: unknown; headers: Record<string, string> } = { headers: {} };
  const res = {
    headersSent: false,
    setHeader: (k: string, v: string) => (out.headers[k.toLowerCase()] = v),
    status(s: number) {
      out.status = s;
      return this;
    },
    json: (b: unknown) => (out.body = b),
  };
  const host = { switchToHttp: () => ({ getResponse: () => res, getRequest: () => ({ method: 'GET', path: '/x' }) }) } as unknown as ArgumentsHost;
  new ErrorFilter().catch(err, host);
  return out;
}

describe('ErrorFilter', () => {
  it.each([
    ['validation', new StoreError('validation', 'allow[0]: consumer "x" does not exist', 'allow[0]'), 400],
    ['not_found', new StoreError('not_found', 'consumer "x" not found', 'name'), 404],
    ['conflict', new StoreError('conflict', 'name: consumer "x" already exists', 'name'), 409],
  ])('maps a %s store error to %i with its one-line message', (_kind, err, status) => {
    const out = run(err);
    expect(out.status).toBe(status);
    expect(out.body).toMatchObject({ code: status, msg: (err as Error).message, field: (err as StoreError).field });
  });

  it('leaves field out when the store names none', () => {
    expect(run(new StoreError('conflict', 'busy elsewhere')).body).toEqual({ code: 409, msg: 'busy elsewhere' });
  });

  it('lists validation messages in errors[] and joins them in msg', () => {
    const out = run(new BadRequestException(['name must be x', 'property foo should not exist']));
    expect(out.body).toEqual({ code: 400, msg: 'name must be x; property foo should not exist', errors: ['name must be x', 'property foo should not exist'] });
  });

  it('adds WWW-Authenticate: Bearer on 401', () => {
    const missing = run(new AdminAuthError('admin token required'));
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toBe('Bearer realm="oauth2-admin"');
    expect(run(new AdminAuthError('invalid admin token')).headers['www-authenticate']).toMatch(/error="invalid_token"/);
  });

  it('keeps HttpException statuses', () => {
    expect(run(new NotFoundException('Cannot GET /nope')).body).toEqual({ code: 404, msg: 'Cannot GET /nope' });
  });

  it.each([
    ['SQLITE_BUSY', Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' })],
    ['typeorm-wrapped SQLITE_BUSY_TIMEOUT', Object.assign(new Error('QueryFailedError: database is locked'), { driverError: { code: 'SQLITE_BUSY_TIMEOUT' } })],
  ])('a store lock timeout (%s) is a retryable 503, not a 500', (_name, err) => {
    const out = run(err);
    expect(out.status).toBe(503);
    expect(out.headers['retry-after']).toBe('1');
    expect(out.body).toMatchObject({ code: 503 });
    expect(logged).toEqual([{ level: 'warn', obj: { method: 'GET', path: '/x' }, msg: 'store busy: another process holds the write lock' }]);
  });

  it('hides unknown errors behind a generic 500; the detail goes to the log only', () => {
    const err = new Error('SQLITE_CORRUPT at /secret/path/oauth2.db');
    const out = run(err);
    expect(out.status).toBe(500);
    expect(out.body).toEqual({ code: 500, msg: 'internal error' });
    expect(logged).toEqual([{ level: 'error', obj: { err, method: 'GET', path: '/x' }, msg: 'unhandled error' }]);
  });

  it('an apply document with several problems lists each in errors[]', () => {
    const err = Object.assign(new StoreError('validation', 'a: unknown key; b: must be x', 'a'), { errors: ['a: unknown key', 'b: must be x'] });
    expect(run(err).body).toEqual({ code: 400, msg: 'a: unknown key; b: must be x', field: 'a', errors: ['a: unknown key', 'b: must be x'] });
  });

  it('maps body-parser errors by type (413, 400)', () => {
    expect(run(Object.assign(new Error('request entity too large'), { status: 413, type: 'entity.too.large', expose: true })).body).toMatchObject({ code: 413 });
    expect(run(Object.assign(new Error('Unexpected token'), { status: 400, type: 'entity.parse.failed', expose: true })).body).toMatchObject({
      code: 400,
      msg: expect.stringMatching(/malformed JSON/),
    });
  });
});
