/** Consumer and route names: 1-253 chars of [A-Za-z0-9._~:@/-] (Higress routes look like `ns/ingress`). */
export const NAME_PATTERN = /^[A-Za-z0-9._~:@/-]{1,253}$/;

export function isValidName(name: unknown): name is string {
  return typeof name === 'string' && NAME_PATTERN.test(name);
}

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Lower-cases a Host header value and drops its port (`Example.COM:8080` -> `example.com`, `[::1]:80` -> `[::1]`). */
export function normalizeHost(host: string | undefined): string {
  if (!host) return '';
  let h = host;
  if (h.charCodeAt(0) === 91 /* [ */) {
    const end = h.indexOf(']');
    h = end > 0 ? h.slice(0, end + 1) : h;
  } else {
    const colon = h.indexOf(':');
    if (colon >= 0) h = h.slice(0, colon);
  }
  if (h.endsWith('.')) h = h.slice(0, -1);
  return h.toLowerCase();
}

function isValidHostname(h: string): boolean {
  if (h.length === 0 || h.length > 253) return false;
  if (/^\[[0-9a-f:.]+\]$/.test(h)) return true; // bracketed IPv6 literal
  return h.split('.').every((l) => LABEL.test(l));
}

/**
 * A host pattern is an exact host (`api.example.com`, an IPv4 address, `[::1]`) or `*.suffix`
 * (`*.example.com`). Case-insensitive; ports are not part of a pattern.
 */
export function isValidHostPattern(pattern: unknown): pattern is string {
  if (typeof pattern !== 'string') return false;
  const p = pattern.toLowerCase();
  if (p.startsWith('*.')) return isValidHostname(p.slice(2)) && !p.slice(2).startsWith('[');
  return isValidHostname(p);
}

/** Canonical stored form of a host pattern (lower case). */
export function normalizeHostPattern(pattern: string): string {
  return pattern.toLowerCase();
}

/** Does `host` (already normalized) match `pattern`? `*.example.com` matches `a.example.com`, `a.b.example.com`, not `example.com`. */
export function hostMatches(pattern: string, host: string): boolean {
  if (pattern.startsWith('*.')) {
    const suffix = pattern.slice(1); // ".example.com"
    return host.length > suffix.length && host.endsWith(suffix);
  }
  return pattern === host;
}

/** Path prefixes start with "/", hold no query, fragment, whitespace or dot segments. */
export function isValidPathPrefix(prefix: unknown): prefix is string {
  if (typeof prefix !== 'string' || !prefix.startsWith('/') || prefix.length > 2048) return false;
  if (/[?#\s]/.test(prefix)) return false;
  return !prefix.split('/').some((seg) => seg === '.' || seg === '..');
}

/** Canonical form: trailing slashes dropped except for the root ("/foo/" -> "/foo"), as Kubernetes `Prefix` does. */
export function normalizePathPrefix(prefix: string): string {
  let p = prefix;
  while (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  return p;
}

/** Per-segment prefix match: `/foo` matches `/foo`, `/foo/`, `/foo/bar`, not `/foobar`. `prefix` is normalized. */
export function pathPrefixMatches(prefix: string, path: string): boolean {
  if (prefix === '/') return true;
  if (!path.startsWith(prefix)) return false;
  return path.length === prefix.length || path.charCodeAt(prefix.length) === 47; /* / */
}

/** Upstreams are absolute http(s) URLs with a host and no query or fragment. */
export function isValidUpstream(url: unknown): url is string {
  if (typeof url !== 'string') return false;
  try {
    const u = new URL(url);
    return (u.protocol === 'http:' || u.protocol === 'https:') && !!u.hostname && !u.search && !u.hash && !u.username && !u.password;
  } catch {
    return false;
  }
}

/** RFC 6749 §3.3 scope-token: 1*( %x21 / %x23-5B / %x5D-7E ); this product caps it at 128 characters (SPEC §8.1). */
export const SCOPE_TOKEN_PATTERN = /^[\x21\x23-\x5b\x5d-\x7e]{1,128}$/;
/** At most this many scopes per consumer, and groups per consumer (SPEC §8.1). */
export const MAX_SCOPES = 256;
export const MAX_GROUPS = 64;

export function isValidScopeToken(s: unknown): s is string {
  return typeof s === 'string' && SCOPE_TOKEN_PATTERN.test(s);
}

/** One character of a scope-token (any length): the token endpoint checks requested scopes with it. */
const SCOPE_CHARS = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/**
 * A `scope` request parameter split into its tokens (RFC 6749 §3.3: space-delimited; runs of spaces
 * tolerated), or null when a token holds a character outside the scope-token charset.
 */
export function splitScopeParam(scope: string): string[] | null {
  const out: string[] = [];
  for (const t of scope.split(' ')) {
    if (t.length === 0) continue;
    if (!SCOPE_CHARS.test(t)) return null;
    if (!out.includes(t)) out.push(t);
  }
  return out;
}
