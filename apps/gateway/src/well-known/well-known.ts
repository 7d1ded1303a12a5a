import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Snapshot } from '@oauth2/core';
import { publishedJwk } from '@oauth2/token';

/**
 * The two discovery documents a resource server needs to verify our tokens by itself (docs/signing-keys.md),
 * answered on every host before route matching:
 * - `/.well-known/jwks.json`: the public half of every non-retired signing key (RFC 7517);
 * - `/.well-known/oauth-authorization-server`: RFC 8414 metadata (issuer, token endpoint, jwks_uri).
 * Bodies are built once per snapshot. The metadata's absolute URLs come from the `public_base_url`
 * setting when set (then the answer is the same for everyone and may be cached publicly); without
 * it they are built from the request's Host, and that reflected answer is `Cache-Control: no-store`
 * so no shared cache can keep one client's Host for the next (cache poisoning). The client's
 * `X-Forwarded-Proto` is not trusted either: `https` only on a TLS connection, or from a proxy listed
 * in GATEWAY_TRUSTED_PROXIES. Behind a TLS-terminating proxy, list it there or set `public_base_url`.
 */
export const JWKS_PATH = '/.well-known/jwks.json';
export const METADATA_PATH = '/.well-known/oauth-authorization-server';

interface Prepared {
  jwks: Buffer;
  /** The metadata body split around the request's origin (`scheme://host`), which is spliced in between the parts. */
  metaParts: string[];
  /** The whole metadata body when `public_base_url` is set, else null. */
  metaFixed: Buffer | null;
}

/** Per snapshot; one map per mTLS mode (a process constant: GATEWAY_TLS_CLIENT_CA). */
const prepared = { plain: new WeakMap<Snapshot, Prepared>(), mtls: new WeakMap<Snapshot, Prepared>() };

function prepare(snap: Snapshot, mtls: boolean): Prepared {
  const cache = mtls ? prepared.mtls : prepared.plain;
  let p = cache.get(snap);
  if (p !== undefined) return p;
  const keys = [...snap.signingKeys.values()].map(publishedJwk);
  const s = snap.settings;
  // The origin is inserted between these parts: `"token_endpoint":"<origin><auth_path>"` and `"jwks_uri":"<origin>/.well-known/jwks.json"`.
  const ORIGIN = '\u0000ORIGIN\u0000';
  const doc = JSON.stringify({
    issuer: s.issuer,
    token_endpoint: ORIGIN + s.auth_path,
    jwks_uri: ORIGIN + JWKS_PATH,
    grant_types_supported: ['client_credentials'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', ...(mtls ? ['tls_client_auth', 'self_signed_tls_client_auth'] : [])],
    response_types_supported: [],
    // RFC 8705 §2.3, §3.3, §5: only where client certificates are requested (GATEWAY_TLS_CLIENT_CA).
    // The mTLS token endpoint is the same one: the TLS listener requests certificates on every connection.
    ...(mtls ? { tls_client_certificate_bound_access_tokens: true, mtls_endpoint_aliases: { token_endpoint: ORIGIN + s.auth_path } } : {}),
  });
  const metaParts = doc.split(JSON.stringify(ORIGIN).slice(1, -1));
  let base = s.public_base_url;
  while (base.endsWith('/')) base = base.slice(0, -1);
  const metaFixed = base === '' ? null : Buffer.from(metaParts.join(jsonText(base)));
  p = { jwks: Buffer.from(JSON.stringify({ keys })), metaParts, metaFixed };
  cache.set(snap, p);
  return p;
}

/** A Host header we are willing to echo into a URL: host name or IP literal, optional port. */
const HOST_RE = /^(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

/** A string's JSON spelling without the quotes, to splice into the prepared body. */
const jsonText = (t: string): string => JSON.stringify(t).slice(1, -1);

const COMMON = { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' };
/** The metadata built from the request's Host: for this client only, never stored by a cache. */
const REFLECTED = { 'content-type': 'application/json', 'cache-control': 'no-store', vary: 'Host' };

function send(req: IncomingMessage, res: ServerResponse, status: number, headers: Record<string, string>, body: Buffer): void {
  res.writeHead(status, { ...headers, 'content-length': String(body.length) });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/**
 * Serves `path` if it is one of the discovery documents; returns false (untouched) otherwise.
 * `host` is the request's authority (Host, or the absolute-form target's).
 */
/**
 * `secure`: over TLS, or from a GATEWAY_TRUSTED_PROXIES proxy saying X-Forwarded-Proto: https (the metadata's scheme).
 * `mtls`: GATEWAY_TLS_CLIENT_CA is set, so the metadata lists the RFC 8705 fields.
 */
export function serveWellKnown(
  req: IncomingMessage,
  res: ServerResponse,
  snap: Snapshot,
  path: string,
  host: string | undefined,
  secure = (req.socket as { encrypted?: boolean }).encrypted === true,
  mtls = false,
): boolean {
  const jwks = path === JWKS_PATH;
  if (!jwks && path !== METADATA_PATH) return false;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(req, res, 405, { 'content-type': 'application/json', allow: 'GET, HEAD' }, Buffer.from('{"code":405,"msg":"method not allowed; use GET"}'));
    return true;
  }
  const p = prepare(snap, mtls);
  if (jwks) {
    send(req, res, 200, COMMON, p.jwks);
    return true;
  }
  if (p.metaFixed !== null) {
    send(req, res, 200, COMMON, p.metaFixed);
    return true;
  }
  if (host === undefined || !HOST_RE.test(host)) {
    send(req, res, 400, { 'content-type': 'application/json' }, Buffer.from('{"code":400,"msg":"a valid Host header is required to build the metadata URLs"}'));
    return true;
  }
  // Any client can send X-Forwarded-Proto: only a GATEWAY_TRUSTED_PROXIES peer's is believed (`secure`).
  const origin = (secure ? 'https://' : 'http://') + host.toLowerCase();
  send(req, res, 200, REFLECTED, Buffer.from(p.metaParts.join(origin)));
  return true;
}
