import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { TrustedProxies } from './trusted-proxies';

const NO_TRUSTED_PROXIES = new TrustedProxies('');

/** RFC 9110 §7.6.1 hop-by-hop headers, plus those a proxy must not forward as they came. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization']);

/**
 * Request headers the gateway sets itself, or that undici must not be handed: `host` (the upstream's
 * own is used, X-Forwarded-Host carries the client's), `expect` (the gateway answers 100-continue
 * itself, see body-gate.ts), and `x-authenticated-scope`, which only the gateway may ever set
 * (it carries the scopes the gateway granted): a client's is dropped always.
 */
const REPLACED = new Set(['host', 'expect', 'x-mse-consumer', 'x-authenticated-scope', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host']);

/**
 * The names an upstream trusts because the gateway sets or verifies them. WSGI, Rack, PHP and other
 * CGI-style servers fold `-` and `_` into one `HTTP_X_MSE_CONSUMER` (the Puma CVE-2024-45614
 * class), so `X_Mse_Consumer: root` or `X-Mse_Consumer: root` would reach such an upstream as the
 * consumer header. Choice: a client header whose name *after folding `_` to `-`* equals one of these
 * (or the configured auth header) is dropped; other names with `_` are forwarded. Refusing every `_`
 * name, as nginx does by default, would break the legitimate underscore headers that Higress
 * (Envoy: `headers_with_underscores_action: ALLOW`) forwards, for no extra protection of what the
 * gateway vouches for.
 */
const PROTECTED = new Set(['x-mse-consumer', 'x-authenticated-scope', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host']);
const UNDERSCORES = /_/g;

/**
 * True when `lower` (a lower-cased name) is another spelling, after folding `_` to `-`, of a
 * protected name or of the auth header (whose own exact spelling is handled by the caller).
 */
function foldsOntoProtected(lower: string, authHeader: string): boolean {
  if (lower === authHeader) return false;
  const folded = lower.replace(UNDERSCORES, '-');
  return PROTECTED.has(folded) || folded === authHeader.replace(UNDERSCORES, '-');
}

/** The two values nearly every request and response carry, answered without splitting. */
const KEEP_ALIVE: ReadonlySet<string> = new Set(['keep-alive']);
const CLOSE: ReadonlySet<string> = new Set(['close']);

function connectionTokens(value: string | string[] | undefined): ReadonlySet<string> | null {
  if (value === undefined) return null;
  if (value === 'keep-alive') return KEEP_ALIVE;
  if (value === 'close') return CLOSE;
  const text = Array.isArray(value) ? value.join(',') : value;
  const set = new Set<string>();
  for (const t of text.split(',')) {
    const n = t.trim().toLowerCase();
    if (n) set.add(n);
  }
  return set;
}

/**
 * The upstream request's headers as a flat [name, value, ...] list, built from rawHeaders so the
 * client's duplicates and spelling survive. Drops hop-by-hop headers (and those `Connection` names),
 * any client `X-Mse-Consumer` / `X-Authenticated-Scope` / `X-Forwarded-*` (anti-spoofing), also when
 * spelled with `_` for `-` (see PROTECTED), the auth header when `dropHeader` names it, and a
 * `_`-spelling of the auth header (`authHeader`, lower-case) always; then adds X-Forwarded-* and, for
 * an authenticated request, `X-Mse-Consumer` and (when it has any) `X-Authenticated-Scope` with its
 * effective scopes (SPEC §8.3). The client's X-Forwarded-For is kept (the peer is
 * appended) and its X-Forwarded-Proto believed only when the peer is in `trusted`
 * (GATEWAY_TRUSTED_PROXIES); otherwise X-Forwarded-For is the peer alone and -Proto is the
 * connection's own (`https` on the TLS listener).
 */
export function upstreamRequestHeaders(
  req: IncomingMessage,
  consumer: string | null,
  dropHeader: string | null,
  authHeader = 'authorization',
  trusted: TrustedProxies = NO_TRUSTED_PROXIES,
  scopes = '',
): string[] {
  const raw = req.rawHeaders;
  const listed = connectionTokens(req.headers.connection);
  // An auth header configured with `_` (e.g. X_Token) has `-` twins an upstream folds onto it.
  const authUnderscore = authHeader.indexOf('_') >= 0;
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const lower = raw[i].toLowerCase();
    // HTTP/2 pseudo-headers (`:method`, `:path`, `:authority`, `:scheme`): the upstream speaks HTTP/1.1.
    if (lower.charCodeAt(0) === 58 /* : */) continue;
    if (HOP_BY_HOP.has(lower) || REPLACED.has(lower) || lower === dropHeader) continue;
    if (listed !== null && listed.has(lower)) continue;
    if (lower.charCodeAt(0) === 112 /* p */ && lower.startsWith('proxy-')) continue;
    // Common path: no `_` in the name (nor in the auth header's), nothing more to do (no allocation).
    if ((authUnderscore || lower.indexOf('_') >= 0) && foldsOntoProtected(lower, authHeader)) continue;
    out.push(raw[i], raw[i + 1]);
  }
  const remote = req.socket.remoteAddress ?? '';
  const prior = trusted.trusts(req) ? req.headers['x-forwarded-for'] : undefined;
  out.push('x-forwarded-for', prior ? `${prior}, ${remote}` : remote);
  out.push('x-forwarded-proto', trusted.secure(req) ? 'https' : 'http');
  const host = req.headers.host;
  if (host) out.push('x-forwarded-host', host);
  if (consumer !== null) out.push('x-mse-consumer', consumer);
  if (consumer !== null && scopes !== '') out.push('x-authenticated-scope', scopes);
  return out;
}

/** True when a response header (`name` lower-case) is not relayed: hop-by-hop, listed by Connection, or `proxy-*`. */
function dropsResponseHeader(name: string, listed: ReadonlySet<string> | null): boolean {
  if (HOP_BY_HOP.has(name) || (listed !== null && listed.has(name))) return true;
  return name.charCodeAt(0) === 112 /* p */ && name.startsWith('proxy-');
}

/** The upstream response's headers minus hop-by-hop ones, ready for writeHead. */
export function clientResponseHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const listed = connectionTokens(headers.connection);
  const out: IncomingHttpHeaders = {};
  for (const name in headers) {
    if (dropsResponseHeader(name, listed)) continue;
    out[name] = headers[name];
  }
  return out;
}
