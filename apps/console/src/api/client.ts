/**
 * The one way the console talks to the admin API: same origin, `/v1/...`, the admin token as a
 * Bearer header. Every failure becomes an ApiError whose `line` is one readable sentence naming the
 * field the API blamed. A 401 drops the token and returns to sign-in.
 */
import { oneLine } from '@oauth2/core';
import { clearToken, getToken } from '../session';
import type { ErrorBodyDto } from './types';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly line: string,
    readonly body?: Partial<ErrorBodyDto>,
  ) {
    super(line);
  }
}

const LABELS: Record<number, string> = {
  400: 'Refused',
  401: 'Not signed in',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  413: 'Too large',
  503: 'Unavailable',
};

/** `Refused (400): client_secret: client_secret must be ...` shortened to one readable line. */
export function errorLine(status: number, body: Partial<ErrorBodyDto> | undefined, fallback: string): string {
  const label = `${LABELS[status] ?? (status >= 500 ? 'Server error' : 'Error')} (${status})`;
  const msg = oneLine(typeof body?.msg === 'string' && body.msg ? body.msg : fallback, 500);
  const field = typeof body?.field === 'string' && body.field && !msg.includes(body.field) ? `${body.field}: ` : '';
  return `${label}: ${field}${msg}`;
}

/** Dispatched on window after every successful write (the top bar refreshes the revision). */
export const WROTE = 'console:wrote';

let unauthorized: (line: string) => void = () => undefined;
/** Set by the app: what to do when the API answers 401 (back to sign-in, with the reason). */
export function onUnauthorized(fn: (line: string) => void): void {
  unauthorized = fn;
}

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  query?: Query;
  /** A JSON body. */
  json?: unknown;
  /** A raw text body with its content type (/v1/apply). */
  text?: { body: string; type: string };
  accept?: string;
  /** A token to try instead of the session's (sign-in). A 401 then does not leave the page. */
  token?: string;
}

/** `/v1` + path; name segments must already be encoded with `seg()`. */
export function url(path: string, query?: Query): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) q.set(k, String(v));
  const s = q.toString();
  return `/v1${path}${s ? `?${s}` : ''}`;
}

/** One path segment (route names hold "/", sent as %2F). */
export const seg = (name: string | number) => encodeURIComponent(String(name));

async function send(method: string, path: string, opts: RequestOptions = {}): Promise<Response> {
  const token = opts.token ?? getToken();
  const headers: Record<string, string> = { accept: opts.accept ?? 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (opts.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.json);
  } else if (opts.text) {
    headers['content-type'] = opts.text.type;
    body = opts.text.body;
  }
  let res: Response;
  try {
    res = await fetch(url(path, opts.query), { method, headers, body, credentials: 'omit', cache: 'no-store', redirect: 'error' });
  } catch (e) {
    throw new ApiError(0, `Cannot reach the admin API: ${oneLine(e, 500)}`);
  }
  if (res.ok) {
    if (method !== 'GET' && !(opts.query && opts.query.dry_run)) window.dispatchEvent(new Event(WROTE));
    return res;
  }
  let parsed: Partial<ErrorBodyDto> | undefined;
  try {
    parsed = (await res.json()) as Partial<ErrorBodyDto>;
  } catch {
    parsed = undefined;
  }
  const err = new ApiError(res.status, errorLine(res.status, parsed, res.statusText || 'request failed'), parsed);
  if (res.status === 401 && opts.token === undefined) {
    clearToken();
    unauthorized(err.line);
  }
  throw err;
}

/** A JSON call. */
export async function api<T>(method: string, path: string, opts?: RequestOptions): Promise<T> {
  const res = await send(method, path, opts);
  return (await res.json()) as T;
}

/** The list API's largest page (MAX_LIMIT in libs/contracts: a larger `limit` is a 400). */
const LIST_MAX = 10_000;

/**
 * Every row of a paged list (`/rules` in evaluation order, `/routes` by name), LIST_MAX a request,
 * until the API's `total` is reached: a store with 100,000 rules is not cut at the first page.
 * The pages are separate reads, so a write between two of them can shift a row across the border;
 * a page that comes back short ends the walk.
 */
export async function listAll<T>(path: string): Promise<T[]> {
  const rows: T[] = [];
  for (;;) {
    const page = await api<{ items: T[]; total: number }>('GET', path, { query: { limit: LIST_MAX, offset: rows.length } });
    for (const r of page.items) rows.push(r);
    if (page.items.length < LIST_MAX || rows.length >= page.total) return rows;
  }
}

/** A call whose answer is kept as text (export download). */
export async function apiText(method: string, path: string, opts?: RequestOptions): Promise<{ text: string; type: string }> {
  const res = await send(method, path, opts);
  return { text: await res.text(), type: res.headers.get('content-type') ?? 'application/octet-stream' };
}

/** Any thrown value as one line. */
export function lineOf(e: unknown): string {
  if (e instanceof ApiError) return e.line;
  return oneLine(e, 500);
}
