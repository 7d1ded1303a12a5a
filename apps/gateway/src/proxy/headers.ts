import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

/** RFC 9110 §7.6.1 hop-by-hop headers, plus those a proxy must not forward as they came. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization']);

/**
 * Request headers the gateway sets itself, or that undici must not be handed: `host` (the upstream's
 * own is used, X-Forwarded-Host carries the client's), `expect` (node already answered 100-continue).
 */
const REPLACED = new Set(['host', 'expect', 'x-mse-consumer', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host']);

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
 * any client `X-Mse-Consumer` (anti-spoofing), the auth header when `dropHeader` names it; then adds
 * X-Forwarded-* and, for an authenticated request, `X-Mse-Consumer`.
 */
export function upstreamRequestHeaders(req: IncomingMessage, consumer: string | null, dropHeader: string | null): string[] {
  const raw = req.rawHeaders;
  const listed = connectionTokens(req.headers.connection);
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const lower = raw[i].toLowerCase();
    if (HOP_BY_HOP.has(lower) || REPLACED.has(lower) || lower === dropHeader) continue;
    if (listed !== null && listed.has(lower)) continue;
    if (lower.charCodeAt(0) === 112 /* p */ && lower.startsWith('proxy-')) continue;
    out.push(raw[i], raw[i + 1]);
  }
  const remote = req.socket.remoteAddress ?? '';
  const prior = req.headers['x-forwarded-for'];
  out.push('x-forwarded-for', prior ? `${prior}, ${remote}` : remote);
  out.push('x-forwarded-proto', 'http');
  const host = req.headers.host;
  if (host) out.push('x-forwarded-host', host);
  if (consumer !== null) out.push('x-mse-consumer', consumer);
  return out;
}

/** The upstream response's headers minus hop-by-hop ones, ready for writeHead. */
export function clientResponseHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const listed = connectionTokens(headers.connection);
  const out: IncomingHttpHeaders = {};
  for (const name in headers) {
    if (HOP_BY_HOP.has(name) || (listed !== null && listed.has(name))) continue;
    if (name.charCodeAt(0) === 112 /* p */ && name.startsWith('proxy-')) continue;
    out[name] = headers[name];
  }
  return out;
}
