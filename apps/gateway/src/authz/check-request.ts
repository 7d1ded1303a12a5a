import type { IncomingHttpHeaders } from 'node:http';

/**
 * The three shapes of an external-authorization check request (docs/external-authz.md), and how
 * each carries the original request's method, host and target:
 *
 * | path            | proxy                                         | original method / host / target          |
 * |-----------------|-----------------------------------------------|------------------------------------------|
 * | `/envoy` + path | Envoy ext_authz HTTP service (path_prefix)    | its own method, Host, path less `/envoy`  |
 * | `/nginx`        | nginx auth_request                            | X-Original-Method, X-Original-Host (else Host), X-Original-URI |
 * | `/forward`      | Traefik ForwardAuth, APISIX forward-auth, Higress ext-auth | X-Forwarded-Method, X-Forwarded-Host, X-Forwarded-Uri |
 */
export type CheckShape = 'envoy' | 'nginx' | 'forward';

export type CheckRequest = { ok: true; shape: CheckShape; method: string; host: string | undefined; target: string } | { ok: false; shape: CheckShape | null; status: 400 | 404; msg: string };

const ENVOY = '/envoy';

/** One value of a header the check depends on; a repeated one is refused (which would we believe?). */
function single(headers: IncomingHttpHeaders, name: string): string | undefined | null {
  const v = headers[name];
  if (Array.isArray(v)) return v.length === 1 ? v[0] : null;
  return v;
}

function missing(shape: CheckShape, header: string): CheckRequest {
  return { ok: false, shape, status: 400, msg: `check request (${shape}) lacks the ${header} header: configure the proxy to send it` };
}

function repeated(shape: CheckShape, header: string): CheckRequest {
  return { ok: false, shape, status: 400, msg: `check request (${shape}) carries ${header} more than once` };
}

/**
 * Reads the original request out of a check request. `url` is the check request's target;
 * `method` its own method. Never reads the body: check requests carry none worth reading.
 */
export function readCheckRequest(url: string, method: string, headers: IncomingHttpHeaders): CheckRequest {
  if (url.startsWith(ENVOY) && (url.length === ENVOY.length || url.charCodeAt(ENVOY.length) === 47 /* / */ || url.charCodeAt(ENVOY.length) === 63) /* ? */) {
    const rest = url.slice(ENVOY.length);
    return { ok: true, shape: 'envoy', method, host: headers.host, target: rest.length === 0 || rest.charCodeAt(0) === 63 ? '/' + rest : rest };
  }
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if (path === '/nginx') {
    const uri = single(headers, 'x-original-uri');
    if (uri === null) return repeated('nginx', 'X-Original-URI');
    if (!uri) return missing('nginx', 'X-Original-URI');
    const m = single(headers, 'x-original-method');
    const h = single(headers, 'x-original-host');
    if (m === null) return repeated('nginx', 'X-Original-Method');
    if (h === null) return repeated('nginx', 'X-Original-Host');
    return { ok: true, shape: 'nginx', method: m || method, host: h || headers.host, target: uri };
  }
  if (path === '/forward') {
    const h = single(headers, 'x-forwarded-host');
    const uri = single(headers, 'x-forwarded-uri');
    const m = single(headers, 'x-forwarded-method');
    if (h === null) return repeated('forward', 'X-Forwarded-Host');
    if (uri === null) return repeated('forward', 'X-Forwarded-Uri');
    if (m === null) return repeated('forward', 'X-Forwarded-Method');
    if (!h) return missing('forward', 'X-Forwarded-Host');
    if (!uri) return missing('forward', 'X-Forwarded-Uri');
    return { ok: true, shape: 'forward', method: m || method, host: h, target: uri };
  }
  return { ok: false, shape: null, status: 404, msg: 'unknown check path: use /envoy/<path>, /nginx or /forward' };
}
