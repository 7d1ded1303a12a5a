import { normalizeHost } from './names';

/**
 * One spelling of a request (docs/request-flow.md "Path normalization"): the gateway, the authz
 * listener and the explainer all read a request target through `parseRequestTarget`, match on its
 * result, and the proxy forwards that same path. Spellings an upstream could read as another path
 * are either folded into the one spelling or refused:
 *
 * | spelling                          | here                                   |
 * |-----------------------------------|----------------------------------------|
 * | `%61dmin` (encoded unreserved)    | decoded: `admin`                       |
 * | `%2f`, `%5c`, `\` (slash in disguise) | refused                            |
 * | `//admin`, `/a///b`               | merged: `/admin`, `/a/b`               |
 * | `.` / `..` segments (also `%2e`)  | refused                                |
 * | `;` parameters (`/admin;x=1`)     | refused (Tomcat and Spring strip them) |
 * | `#` anywhere                      | refused (never part of a target)       |
 * | control, space, non-ASCII bytes   | refused                                |
 * | `/ADMIN`                          | kept as sent, matched case-insensitively (`matchPath`) |
 * | other escapes (`%c3%a9`)          | kept, hex digits upper-cased           |
 */
export type RequestTarget = ParsedTarget | { readonly ok: false; readonly reason: string };

export interface ParsedTarget {
  readonly ok: true;
  /** The host the request is routed on: lower case, no port (absolute-form authority, else Host). */
  readonly host: string;
  /** The authority of an absolute-form target (it replaces Host, RFC 9112 §3.2.2); else undefined. */
  readonly authority: string | undefined;
  /** The normalized path: what is matched (case aside) and what is forwarded. */
  readonly path: string;
  /** `path` lower-cased: route prefixes match case-insensitively (fail closed). */
  readonly matchPath: string;
  /** `?` and the query as sent, or ''. Never interpreted here. */
  readonly query: string;
}

const refused = (reason: string): RequestTarget => Object.freeze({ ok: false, reason });

const HEX = '0123456789ABCDEF';

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

/** RFC 3986 §2.3 unreserved: ALPHA / DIGIT / "-" / "." / "_" / "~". */
function isUnreserved(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45 || c === 46 || c === 95 || c === 126;
}

/** Why `path` must be refused, or null; also says whether the slow path (rewrite) is needed. */
function scan(path: string): { refuse: string | null; rewrite: boolean; upper: boolean } {
  let rewrite = false;
  let upper = false;
  let prev = 0;
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f) return { refuse: 'control, space or non-ASCII character in the path', rewrite, upper };
    if (c === 35 /* # */) return { refuse: 'fragment (#) in the request target', rewrite, upper };
    if (c === 59 /* ; */) return { refuse: 'path parameter (;) in the path', rewrite, upper };
    if (c === 92 /* \ */) return { refuse: 'backslash in the path', rewrite, upper };
    if (c === 37 /* % */ || (c === 47 && prev === 47)) rewrite = true;
    else if (c === 46 /* . */ && prev === 47)
      rewrite = true; // a segment starting with "." may be a dot segment
    else if (c >= 65 && c <= 90) upper = true;
    prev = c;
  }
  return { refuse: null, rewrite, upper };
}

/**
 * The normalized spelling of an origin-form path (query excluded), or a reason to refuse it.
 * The common path (no `%`, no `//`, no segment starting with `.`) is returned as is.
 */
export function normalizePath(path: string): { ok: true; path: string } | { ok: false; reason: string } {
  if (path.length === 0 || path.charCodeAt(0) !== 47) return { ok: false, reason: 'path does not start with /' };
  const s = scan(path);
  if (s.refuse !== null) return { ok: false, reason: s.refuse };
  if (!s.rewrite) return { ok: true, path };
  let out = '';
  let prev = 0;
  for (let i = 0; i < path.length; i++) {
    let c = path.charCodeAt(i);
    if (c === 37) {
      const hi = i + 2 < path.length ? hexValue(path.charCodeAt(i + 1)) : -1;
      const lo = hi >= 0 ? hexValue(path.charCodeAt(i + 2)) : -1;
      if (lo < 0) return { ok: false, reason: 'malformed percent-encoding in the path' };
      const v = hi * 16 + lo;
      i += 2;
      if (v === 0x2f || v === 0x5c) return { ok: false, reason: 'encoded slash or backslash (%2F, %5C) in the path' };
      if (v < 0x20 || v === 0x7f) return { ok: false, reason: 'encoded control character in the path' };
      if (isUnreserved(v)) {
        c = v;
      } else {
        out += '%' + HEX[hi] + HEX[lo];
        prev = 37;
        continue;
      }
    }
    if (c === 47 && prev === 47) continue; // merge slashes
    out += String.fromCharCode(c);
    prev = c;
  }
  // Dot segments after decoding (`/%2e%2e/` is `..`): refused, never resolved.
  for (let start = 1; start <= out.length;) {
    let end = out.indexOf('/', start);
    if (end < 0) end = out.length;
    const len = end - start;
    if ((len === 1 && out.charCodeAt(start) === 46) || (len === 2 && out.charCodeAt(start) === 46 && out.charCodeAt(start + 1) === 46)) {
      return { ok: false, reason: 'dot segment (. or ..) in the path' };
    }
    start = end + 1;
  }
  return { ok: true, path: out };
}

/** Lower-cases ASCII only when there is an upper-case letter (the common path allocates nothing). */
function lowerAscii(path: string): string {
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c >= 65 && c <= 90) return path.toLowerCase();
  }
  return path;
}

const ABSOLUTE = /^https?:\/\//i;

/**
 * Parses a request target (origin-form `/p?q` or absolute-form `http(s)://host/p?q`) and the Host
 * header into the one spelling every decision uses. Absolute-form is split by hand: `new URL`
 * would resolve dot segments and re-encode characters, hiding exactly what must be refused.
 */
export function parseRequestTarget(target: string, hostHeader: string | undefined): RequestTarget {
  let rest = target;
  let authority: string | undefined;
  if (rest.charCodeAt(0) !== 47 /* / */) {
    if (!ABSOLUTE.test(rest)) return refused('request target is neither a path nor an http(s) URL');
    const from = rest.indexOf('//') + 2;
    let end = from;
    while (end < rest.length) {
      const c = rest.charCodeAt(end);
      if (c === 47 || c === 63 || c === 35) break;
      end++;
    }
    authority = rest.slice(from, end);
    if (authority.length === 0 || authority.includes('@')) return refused('absolute-form target has no host, or has user info');
    rest = end < rest.length && rest.charCodeAt(end) === 47 ? rest.slice(end) : '/' + rest.slice(end);
  }
  const q = rest.indexOf('?');
  const rawPath = q < 0 ? rest : rest.slice(0, q);
  const query = q < 0 ? '' : rest.slice(q);
  if (query.includes('#')) return refused('fragment (#) in the request target');
  const n = normalizePath(rawPath);
  if (!n.ok) return refused(n.reason);
  return { ok: true, host: normalizeHost(authority ?? hostHeader), authority, path: n.path, matchPath: lowerAscii(n.path), query };
}

/**
 * A route's `path_prefix` in the spelling requests are normalized to (a prefix that would be
 * refused as a path is kept as written: no request can reach it), trailing slashes dropped.
 * Matching compares it lower-cased with `matchPath`.
 */
export function normalizeRoutePrefix(prefix: string): string {
  const n = normalizePath(prefix);
  let p = n.ok ? n.path : prefix;
  while (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  return p;
}

export { lowerAscii };
