import { Agent, request } from 'undici';
import { ApiError, CliError, UsageError } from './errors';
import { ExitCode } from './exit-codes';

/* Minimal wire types of the admin API (SPEC §5); the API owns the shapes, the CLI only reads them. */
export interface Consumer {
  name: string;
  client_id: string;
  created_at?: string;
}
export interface ConsumerWithSecret extends Consumer {
  client_secret: string;
}
export interface Route {
  name: string;
  hosts: string[];
  path_prefix: string;
  upstream: string;
  strip_prefix: boolean;
  created_at?: string;
}
export interface Rule {
  id: number;
  position: number;
  routes?: string[] | null;
  domains?: string[] | null;
  allow: string[];
}
export interface Page<T> {
  items: T[];
  total: number;
}
export interface DeleteResult {
  deleted: string;
  rules_updated: number[];
  rules_deleted: number[];
  rules_emptied?: number[];
}
export interface ApplyResult {
  revision: number;
  warnings: string[];
  applied: { consumers: number; rules: number };
}
export type SettingsBody = Record<string, unknown>;

export interface ClientOptions {
  server: string;
  /** Resolved lazily: `status` reaches /healthz without one, and a missing token is an exit-4 failure. */
  token: () => string;
  timeoutMs?: number;
}

interface CallOptions {
  query?: Record<string, string | number | boolean | undefined>;
  json?: unknown;
  raw?: { text: string; contentType: string };
  auth?: boolean;
}

/** Network failures that mean "the admin API is not there" (exit 5), as opposed to a bad answer. */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

function networkCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; errors?: unknown[]; cause?: unknown };
  if (typeof e?.code === 'string') return e.code;
  // Happy-eyeballs connects (localhost -> ::1 and 127.0.0.1) fail with an AggregateError.
  if (Array.isArray(e?.errors) && e.errors.length) return networkCode(e.errors[0]);
  if (e?.cause) return networkCode(e.cause);
  return undefined;
}

/** Names go in one path segment: `ns/ingress` becomes `ns%2Fingress` (SPEC §5). */
export const seg = (name: string | number): string => encodeURIComponent(String(name));

/** A small typed client of the admin REST API. One instance per CLI run; `close()` frees its sockets. */
export class AdminClient {
  private readonly base: URL;
  private readonly agent: Agent;
  private readonly timeoutMs: number;

  constructor(private readonly opts: ClientOptions) {
    let url: URL;
    try {
      url = new URL(opts.server);
    } catch {
      throw new UsageError(`invalid --server URL "${opts.server}"`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`invalid --server URL "${opts.server}" (use http:// or https://)`);
    this.base = url;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.agent = new Agent({ connectTimeout: Math.min(this.timeoutMs, 10_000) });
  }

  get server(): string {
    return this.base.origin + this.base.pathname.replace(/\/+$/, '');
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  /** Sends one request; returns the parsed JSON (or text for non-JSON answers); throws ApiError on >= 400. */
  async call<T>(method: string, path: string, o: CallOptions = {}): Promise<T> {
    const url = new URL(this.server + path);
    for (const [k, v] of Object.entries(o.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { accept: 'application/json' };
    if (o.auth !== false) headers.authorization = `Bearer ${this.opts.token()}`;
    let body: string | undefined;
    if (o.raw) {
      body = o.raw.text;
      headers['content-type'] = o.raw.contentType;
    } else if (o.json !== undefined) {
      body = JSON.stringify(o.json);
      headers['content-type'] = 'application/json';
    }
    let res: Awaited<ReturnType<typeof request>>;
    try {
      res = await request(url, {
        method: method as 'GET',
        headers,
        body,
        dispatcher: this.agent,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
    } catch (err) {
      const code = networkCode(err);
      if (code && UNREACHABLE_CODES.has(code)) {
        const why = code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' ? `no answer within ${this.timeoutMs / 1000} s` : code;
        throw new CliError(`cannot reach the admin API at ${this.server} (${why})`, ExitCode.UNREACHABLE);
      }
      throw new CliError(`request to ${this.server} failed: ${(err as Error)?.message ?? String(err)}`, ExitCode.FAILURE);
    }
    let text: string;
    try {
      text = await res.body.text();
    } catch (err) {
      throw new CliError(`cannot reach the admin API at ${this.server} (${networkCode(err) ?? 'connection lost'})`, ExitCode.UNREACHABLE);
    }
    const type = String(res.headers['content-type'] ?? '');
    let parsed: unknown = text;
    if (type.includes('json') && text.length) {
      try {
        parsed = JSON.parse(text);
      } catch {
        if (res.statusCode < 400) throw new CliError(`admin API sent invalid JSON (HTTP ${res.statusCode})`, ExitCode.FAILURE);
      }
    }
    if (res.statusCode >= 400) throw ApiError.fromResponse(res.statusCode, parsed);
    return parsed as T;
  }

  health(): Promise<unknown> {
    return this.call('GET', '/healthz', { auth: false });
  }
  revision(): Promise<{ revision: number }> {
    return this.call('GET', '/v1/revision');
  }

  getSettings(): Promise<SettingsBody> {
    return this.call('GET', '/v1/settings');
  }
  patchSettings(patch: SettingsBody): Promise<SettingsBody> {
    return this.call('PATCH', '/v1/settings', { json: patch });
  }

  addConsumer(input: { name: string; client_id?: string; client_secret?: string }): Promise<ConsumerWithSecret> {
    return this.call('POST', '/v1/consumers', { json: input });
  }
  listConsumers(page: { limit?: number; offset?: number } = {}): Promise<Page<Consumer>> {
    return this.call('GET', '/v1/consumers', { query: page });
  }
  getConsumer(name: string): Promise<Consumer> {
    return this.call('GET', `/v1/consumers/${seg(name)}`);
  }
  removeConsumer(name: string, force: boolean): Promise<DeleteResult> {
    return this.call('DELETE', `/v1/consumers/${seg(name)}`, { query: { force: force || undefined } });
  }
  rotateSecret(name: string, client_secret?: string): Promise<ConsumerWithSecret> {
    return this.call('POST', `/v1/consumers/${seg(name)}/rotate-secret`, { json: client_secret === undefined ? {} : { client_secret } });
  }

  addRoute(input: Partial<Route> & { name: string; upstream: string }): Promise<Route> {
    return this.call('POST', '/v1/routes', { json: input });
  }
  listRoutes(page: { limit?: number; offset?: number } = {}): Promise<Page<Route>> {
    return this.call('GET', '/v1/routes', { query: page });
  }
  getRoute(name: string): Promise<Route> {
    return this.call('GET', `/v1/routes/${seg(name)}`);
  }
  /** PUT /v1/routes/{name}: the whole route (the CLI merges the flags given over the current route). */
  replaceRoute(name: string, input: { hosts: string[]; path_prefix: string; upstream: string; strip_prefix: boolean }): Promise<Route> {
    return this.call('PUT', `/v1/routes/${seg(name)}`, { json: input });
  }
  removeRoute(name: string, force: boolean): Promise<DeleteResult> {
    return this.call('DELETE', `/v1/routes/${seg(name)}`, { query: { force: force || undefined } });
  }

  addRule(input: { routes?: string[]; domains?: string[]; allow: string[]; position?: number }): Promise<Rule> {
    return this.call('POST', '/v1/rules', { json: input });
  }
  listRules(page: { limit?: number; offset?: number } = {}): Promise<Page<Rule>> {
    return this.call('GET', '/v1/rules', { query: page });
  }
  getRule(id: number): Promise<Rule> {
    return this.call('GET', `/v1/rules/${seg(id)}`);
  }
  /** PUT /v1/rules/{id}: the whole rule. */
  replaceRule(id: number, input: { routes?: string[]; domains?: string[]; allow: string[]; position?: number }): Promise<Rule> {
    return this.call('PUT', `/v1/rules/${seg(id)}`, { json: input });
  }
  removeRule(id: number): Promise<DeleteResult> {
    return this.call('DELETE', `/v1/rules/${seg(id)}`);
  }

  apply(text: string, contentType: string, dryRun: boolean): Promise<ApplyResult> {
    return this.call('POST', '/v1/apply', { raw: { text, contentType }, query: { dry_run: dryRun || undefined } });
  }
  /** YAML text by default; the parsed JSON document with `format: 'json'`. */
  export(format: 'yaml' | 'json', redact: boolean): Promise<unknown> {
    // `format` always explicit: the API also negotiates on Accept, and the caller's choice must win.
    return this.call('GET', '/v1/export', { query: { format, redact: redact || undefined } });
  }
}
