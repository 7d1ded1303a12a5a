import { Agent, request } from 'undici';
// Type-only: erased at build time, so the CLI loads none of the DTOs' class-validator / swagger code.
import type {
  AdminTokenDeletedDto,
  AdminTokenDto,
  AdminTokenWithSecretDto,
  ApplyResultDto,
  AuditEntryDto,
  AuditQueryDto,
  CreateAdminTokenDto,
  ConsumerDto,
  ConsumerWithSecretDto,
  CreateConsumerDto,
  UpdateConsumerDto,
  RotateSecretDto,
  CreateRouteDto,
  DeleteResultDto,
  ExplainRequestDto,
  ExplainResultDto,
  GrantsDto,
  KeyDto,
  KeyListDto,
  NodeListDto,
  PageDto,
  PageQueryDto,
  PatchSettingsDto,
  ReplaceRouteDto,
  RevisionDto,
  RevocationDto,
  RevocationInputDto,
  RotateKeyDto,
  RouteDto,
  RuleDto,
  RuleInputDto,
  SettingsDto,
  WhoDto,
  WhoamiDto,
} from '@oauth2/contracts';
import { ApiError, CliError, UsageError } from './errors';
import { ExitCode } from './exit-codes';

export interface ClientOptions {
  server: string;
  /** Resolved lazily: `status` reaches /healthz without one, and a missing token is an exit-4 failure. */
  token: () => string;
  timeoutMs?: number;
  /** `--ca` / OAUTH2_CA_FILE: the CA bundle an https:// server's certificate must chain to. */
  ca?: { file: string; pem: Buffer };
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

/** TLS failures (also exit 5): the certificate cannot be checked, or the server speaks no TLS. */
const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);

function networkCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; errors?: unknown[]; cause?: unknown };
  if (typeof e?.code === 'string') return e.code;
  // Happy-eyeballs connects (localhost -> ::1 and 127.0.0.1) fail with an AggregateError.
  if (Array.isArray(e?.errors) && e.errors.length) return networkCode(e.errors[0]);
  if (e?.cause) return networkCode(e.cause);
  return undefined;
}

/** Names go in one path segment: `ns/ingress` becomes `ns%2Fingress` (docs/admin-api.md). */
export const seg = (name: string | number): string => encodeURIComponent(String(name));

/**
 * The typed client of the admin REST API (docs/admin-api.md): one method per endpoint the CLI uses,
 * typed with the API's own shapes from libs/contracts; commands call these, never a path string.
 * One instance per CLI run; `close()` frees its sockets.
 */
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
    this.agent = new Agent({ connectTimeout: Math.min(this.timeoutMs, 10_000), ...(opts.ca ? { connect: { ca: opts.ca.pem } } : {}) });
  }

  get server(): string {
    return this.base.origin + this.base.pathname.replace(/\/+$/, '');
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  /** Sends one request; returns the parsed JSON (or text for non-JSON answers); throws ApiError on >= 400. */
  private async call<T>(method: string, path: string, o: CallOptions = {}): Promise<T> {
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
      if (code && (TLS_CODES.has(code) || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_'))) throw new CliError(this.tlsMessage(code), ExitCode.UNREACHABLE);
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

  /** One line for a TLS failure: what is wrong, and what to do about it. */
  private tlsMessage(code: string): string {
    const where = `the admin API at ${this.server}`;
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `TLS certificate of ${where} does not name host ${this.base.hostname} (${code})`;
    if (code === 'INVALID_PURPOSE') return `TLS certificate of ${where} is not a server certificate (${code})`;
    if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return `TLS certificate of ${where} is not valid now (${code})`;
    if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'EPROTO') return `TLS handshake with ${where} failed (${code}); is it serving plain http://?`;
    const trust = this.opts.ca ? `the CA file ${this.opts.ca.file} does not vouch for it` : 'pass --ca FILE or set OAUTH2_CA_FILE to trust its CA';
    return `TLS certificate of ${where} is not trusted (${code}): ${trust}`;
  }

  /** Whatever answers /healthz (`{"status":"ok"}` from the admin API; text from a proxy in front of it). */
  health(): Promise<unknown> {
    return this.call('GET', '/healthz', { auth: false });
  }
  revision(): Promise<RevisionDto> {
    return this.call('GET', '/v1/revision');
  }
  /** Gateway nodes from their heartbeats (SPEC §11). */
  listNodes(): Promise<NodeListDto> {
    return this.call('GET', '/v1/nodes');
  }

  getSettings(): Promise<SettingsDto> {
    return this.call('GET', '/v1/settings');
  }
  patchSettings(patch: PatchSettingsDto): Promise<SettingsDto> {
    return this.call('PATCH', '/v1/settings', { json: patch });
  }

  addConsumer(input: CreateConsumerDto): Promise<ConsumerWithSecretDto> {
    return this.call('POST', '/v1/consumers', { json: input });
  }
  listConsumers(page: PageQueryDto = {}, search?: string, group?: string): Promise<PageDto<ConsumerDto>> {
    return this.call('GET', '/v1/consumers', { query: { ...page, q: search, group } });
  }
  /** PATCH: replaces the given fields (scopes, groups). */
  updateConsumer(name: string, patch: UpdateConsumerDto): Promise<ConsumerDto> {
    return this.call('PATCH', `/v1/consumers/${seg(name)}`, { json: patch });
  }
  getConsumer(name: string): Promise<ConsumerDto> {
    return this.call('GET', `/v1/consumers/${seg(name)}`);
  }
  removeConsumer(name: string, force: boolean): Promise<DeleteResultDto> {
    return this.call('DELETE', `/v1/consumers/${seg(name)}`, { query: { force: force || undefined } });
  }
  rotateSecret(name: string, client_secret?: string, grace_seconds?: number): Promise<ConsumerWithSecretDto> {
    const json: RotateSecretDto = { ...(client_secret !== undefined ? { client_secret } : {}), ...(grace_seconds !== undefined ? { grace_seconds } : {}) };
    return this.call('POST', `/v1/consumers/${seg(name)}/rotate-secret`, { json });
  }
  /** Every route and domain rule, reachable by this consumer or why not. */
  consumerGrants(name: string): Promise<GrantsDto> {
    return this.call('GET', `/v1/consumers/${seg(name)}/grants`);
  }

  addRoute(input: CreateRouteDto): Promise<RouteDto> {
    return this.call('POST', '/v1/routes', { json: input });
  }
  listRoutes(page: PageQueryDto = {}): Promise<PageDto<RouteDto>> {
    return this.call('GET', '/v1/routes', { query: { ...page } });
  }
  getRoute(name: string): Promise<RouteDto> {
    return this.call('GET', `/v1/routes/${seg(name)}`);
  }
  /** PUT /v1/routes/{name}: the whole route (the CLI merges the flags given over the current route). */
  replaceRoute(name: string, input: ReplaceRouteDto): Promise<RouteDto> {
    return this.call('PUT', `/v1/routes/${seg(name)}`, { json: input });
  }
  removeRoute(name: string, force: boolean): Promise<DeleteResultDto> {
    return this.call('DELETE', `/v1/routes/${seg(name)}`, { query: { force: force || undefined } });
  }
  /** Which consumers pass on this route. */
  routeWho(name: string): Promise<WhoDto> {
    return this.call('GET', `/v1/routes/${seg(name)}/who`);
  }

  addRule(input: RuleInputDto): Promise<RuleDto> {
    return this.call('POST', '/v1/rules', { json: input });
  }
  listRules(page: PageQueryDto = {}): Promise<PageDto<RuleDto>> {
    return this.call('GET', '/v1/rules', { query: { ...page } });
  }
  getRule(id: number): Promise<RuleDto> {
    return this.call('GET', `/v1/rules/${seg(id)}`);
  }
  /** PUT /v1/rules/{id}: the whole rule. */
  replaceRule(id: number, input: RuleInputDto): Promise<RuleDto> {
    return this.call('PUT', `/v1/rules/${seg(id)}`, { json: input });
  }
  removeRule(id: number): Promise<DeleteResultDto> {
    return this.call('DELETE', `/v1/rules/${seg(id)}`);
  }

  listKeys(): Promise<KeyListDto> {
    return this.call('GET', '/v1/keys');
  }
  rotateKey(input: RotateKeyDto): Promise<KeyDto> {
    return this.call('POST', '/v1/keys/rotate', { json: input });
  }
  retireKey(kid: string): Promise<KeyDto> {
    return this.call('POST', `/v1/keys/${seg(kid)}/retire`, { json: {} });
  }

  revoke(input: RevocationInputDto): Promise<RevocationDto> {
    return this.call('POST', '/v1/revocations', { json: input });
  }
  listRevocations(page: PageQueryDto = {}): Promise<PageDto<RevocationDto>> {
    return this.call('GET', '/v1/revocations', { query: { ...page } });
  }
  removeRevocation(id: number): Promise<DeleteResultDto> {
    return this.call('DELETE', `/v1/revocations/${seg(id)}`);
  }

  explain(input: ExplainRequestDto): Promise<ExplainResultDto> {
    return this.call('POST', '/v1/explain', { json: input });
  }

  apply(text: string, contentType: string, dryRun: boolean): Promise<ApplyResultDto> {
    return this.call('POST', '/v1/apply', { raw: { text, contentType }, query: { dry_run: dryRun || undefined } });
  }
  /** YAML text by default; the parsed JSON document with `format: 'json'`. */
  export(format: 'yaml' | 'json', redact: boolean): Promise<unknown> {
    // `format` always explicit: the API also negotiates on Accept, and the caller's choice must win.
    return this.call('GET', '/v1/export', { query: { format, redact: redact || undefined } });
  }

  /** The token this client acts with: its name and role. */
  whoami(): Promise<WhoamiDto> {
    return this.call('GET', '/v1/whoami');
  }
  /** The answer shows the token, this once. */
  createAdminToken(input: CreateAdminTokenDto): Promise<AdminTokenWithSecretDto> {
    return this.call('POST', '/v1/admin-tokens', { json: input });
  }
  listAdminTokens(): Promise<PageDto<AdminTokenDto>> {
    return this.call('GET', '/v1/admin-tokens');
  }
  revokeAdminToken(name: string): Promise<AdminTokenDeletedDto> {
    return this.call('DELETE', `/v1/admin-tokens/${seg(name)}`);
  }
  audit(q: AuditQueryDto): Promise<PageDto<AuditEntryDto>> {
    return this.call('GET', '/v1/audit', { query: { ...q } });
  }
}
