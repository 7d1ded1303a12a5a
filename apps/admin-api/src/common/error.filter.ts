import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AdminAuthError } from './admin-token.guard';
import { logger } from './logger';
import { oneLine } from '@oauth2/core';
import { isBusy } from '@oauth2/store';

/** The one error body of the admin API. */
export interface ErrorBody {
  code: number;
  msg: string;
  /** The offending field or path (`name`, `client_id`, `allow[0]`), when one is to blame. */
  field?: string;
  errors?: string[];
  /** A machine-readable cause where the status alone is ambiguous: `forbidden_role` on 403. */
  reason?: string;
}

const STORE_STATUS: Record<string, number> = { validation: 400, not_found: 404, conflict: 409 };

/** StoreError from @oauth2/store, recognised by shape so this file does not depend on its class identity. */
function storeError(e: unknown): { status: number; message: string; field?: string; errors?: string[] } | null {
  if (!(e instanceof Error) || typeof (e as { kind?: unknown }).kind !== 'string') return null;
  const status = STORE_STATUS[(e as unknown as { kind: string }).kind];
  const errors = (e as { errors?: unknown }).errors; // an apply document's every problem
  return status ? { status, message: e.message, field: (e as { field?: string }).field, ...(Array.isArray(errors) ? { errors: errors.map(String) } : {}) } : null;
}

/** A body-parser limit (bytes) as people read it: `1 MiB`, `256 MiB`, `1.5 MiB`. */
function mebibytes(limit: unknown): string {
  if (typeof limit !== 'number' || !Number.isFinite(limit)) return '1 MiB';
  return `${Math.round((limit / (1024 * 1024)) * 100) / 100} MiB`;
}

/** body-parser and router errors carry `status`/`type`; their message is safe only when `expose` is set. */
function clientHttpError(e: unknown): { status: number; message: string } | null {
  const err = e as { status?: unknown; statusCode?: unknown; type?: unknown; expose?: unknown; message?: unknown; limit?: unknown };
  if (!err || typeof err !== 'object') return null;
  const status = typeof err.status === 'number' ? err.status : typeof err.statusCode === 'number' ? err.statusCode : 0;
  if (status < 400 || status > 499) return null;
  if (err.type === 'entity.too.large') return { status: 413, message: `request body too large (limit ${mebibytes(err.limit)})` };
  if (err.type === 'entity.parse.failed') return { status: 400, message: `malformed JSON body: ${oneLine(String(err.message), 500)}` };
  if (err.type === 'encoding.unsupported' || err.type === 'charset.unsupported') return { status: 415, message: oneLine(String(err.message), 500) };
  return { status, message: err.expose === false ? 'bad request' : oneLine(String(err.message), 500) };
}

/**
 * Express error middleware for the body parsers: turns their errors into HttpExceptions with our
 * messages before Nest's generic mapping (which would drop `type`, so 413 and 400 lose their text).
 */
export function bodyParserErrors(err: unknown, _req: unknown, _res: unknown, next: (e: unknown) => void): void {
  const ce = clientHttpError(err);
  next(ce ? new HttpException(ce.message, ce.status) : err);
}

/** Nest HttpExceptions: ValidationPipe puts its per-field messages in `message` as an array. */
function fromHttpException(e: HttpException): ErrorBody {
  const status = e.getStatus();
  const res = e.getResponse();
  const raw = typeof res === 'string' ? res : (res as { message?: unknown }).message;
  if (Array.isArray(raw)) {
    const errors = raw.map((m) => oneLine(String(m), 500));
    return { code: status, msg: errors.join('; '), errors };
  }
  const reason = typeof res === 'object' && res !== null && typeof (res as { reason?: unknown }).reason === 'string' ? (res as { reason: string }).reason : undefined;
  return { code: status, msg: oneLine(String(raw ?? e.message), 500), ...(reason ? { reason } : {}) };
}

/**
 * Maps every error to `{"code","msg","field"?,"errors"?}`: store kinds -> 400/404/409, validation -> 400,
 * body too large -> 413, malformed JSON -> 400, missing/wrong admin token -> 401 with
 * `WWW-Authenticate: Bearer`, store lock timeout -> 503 + Retry-After, anything else -> 500 with a generic message (details only in the log).
 */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  catch(e: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request>();
    const body = this.toBody(e, req);
    if (body.code === 503) res.setHeader('Retry-After', '1');
    if (body.code === 401) {
      res.setHeader('WWW-Authenticate', e instanceof AdminAuthError && /invalid/.test(body.msg) ? 'Bearer realm="oauth2-admin", error="invalid_token"' : 'Bearer realm="oauth2-admin"');
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(body.code).json(body);
  }

  private toBody(e: unknown, req: Request): ErrorBody {
    const se = storeError(e);
    if (se) {
      const body: ErrorBody = { code: se.status, msg: oneLine(se.message, 500) };
      if (se.field) body.field = se.field;
      if (se.status === 400) body.errors = se.errors ? se.errors.map((m) => oneLine(m, 500)) : [body.msg];
      return body;
    }
    if (e instanceof HttpException) return fromHttpException(e);
    const ce = clientHttpError(e);
    if (ce) return { code: ce.status, msg: ce.message };
    // SQLITE_BUSY: another process held the write lock longer than the store waits; nothing was done, so 503 + Retry-After.
    if (isBusy(e)) {
      logger.warn({ method: req?.method, path: req?.path }, 'store busy: another process holds the write lock');
      return { code: 503, msg: 'the store is busy (another process holds its write lock); retry' };
    }
    // Unknown failure: log the detail (path without query: queries never carry secrets here, but be consistent).
    logger.error({ err: e, method: req?.method, path: req?.path }, 'unhandled error');
    return { code: 500, msg: 'internal error' };
  }
}
