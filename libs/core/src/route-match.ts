import { pathPrefixMatches } from './names';
import { lowerAscii, normalizeRoutePrefix } from './request-target';
import type { RouteRecord } from './model';

/** A route compiled for matching: prefix normalized once. */
export interface CompiledRoute extends RouteRecord {
  /** Normalized prefix (request-target.ts spelling, "/" or "/a/b" without trailing slash): stripped by length. */
  prefix: string;
  /** `prefix` lower-cased: what a request's `matchPath` is compared with (prefixes match case-insensitively). */
  matchPrefix: string;
}

/**
 * One host group's routes by normalized prefix; for a prefix shared by several routes, the one that
 * sorts first (lowest name), i.e. the one a scan of the sorted group would meet first.
 */
export type PrefixIndex = Map<string, CompiledRoute>;

/** Routes grouped by host pattern, each group sorted longest prefix first. */
export interface RouteTable {
  exact: Map<string, CompiledRoute[]>;
  /** Keyed by the suffix with its leading dot: `*.example.com` -> `.example.com`. */
  wildcard: Map<string, CompiledRoute[]>;
  anyHost: CompiledRoute[];
  byName: Map<string, CompiledRoute>;
  /** The same groups indexed by prefix: matching probes O(path segments) keys instead of scanning. */
  exactIndex: Map<string, PrefixIndex>;
  wildcardIndex: Map<string, PrefixIndex>;
  anyHostIndex: PrefixIndex;
}

function byPrefixLengthDesc(a: CompiledRoute, b: CompiledRoute): number {
  return b.matchPrefix.length - a.matchPrefix.length || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

function push(map: Map<string, CompiledRoute[]>, key: string, r: CompiledRoute): void {
  const list = map.get(key);
  if (list) list.push(r);
  else map.set(key, [r]);
}

/** Files `c` under one of its host patterns (lower case): `*.suffix` by its suffix, an exact host by itself. */
function addHost(table: RouteTable, host: string, c: CompiledRoute): void {
  if (host.startsWith('*.')) push(table.wildcard, host.slice(1), c);
  else push(table.exact, host, c);
}

function indexByPrefix(sorted: CompiledRoute[]): PrefixIndex {
  const idx: PrefixIndex = new Map();
  for (const r of sorted) if (!idx.has(r.matchPrefix)) idx.set(r.matchPrefix, r);
  return idx;
}

function indexGroups(groups: Map<string, CompiledRoute[]>): Map<string, PrefixIndex> {
  const out = new Map<string, PrefixIndex>();
  for (const [key, list] of groups) {
    if (list.length > 1) list.sort(byPrefixLengthDesc);
    out.set(key, indexByPrefix(list));
  }
  return out;
}

/** Builds the host and prefix indexes once per snapshot; a request then does O(labels + segments) map lookups. */
export function compileRoutes(routes: readonly RouteRecord[]): RouteTable {
  const table: RouteTable = {
    exact: new Map(),
    wildcard: new Map(),
    anyHost: [],
    byName: new Map(),
    exactIndex: new Map(),
    wildcardIndex: new Map(),
    anyHostIndex: new Map(),
  };
  for (const r of routes) {
    const prefix = normalizeRoutePrefix(r.path_prefix);
    // Spelled out rather than spread, as compileConsumer is: with 100,000 routes the spread and a
    // Set per route were most of the compile. A new RouteRecord field is a type error here until added.
    const c: CompiledRoute = { name: r.name, hosts: r.hosts, path_prefix: r.path_prefix, upstream: r.upstream, strip_prefix: r.strip_prefix, prefix, matchPrefix: lowerAscii(prefix) };
    table.byName.set(c.name, c);
    const hosts = c.hosts;
    if (hosts.length === 0) table.anyHost.push(c);
    else if (hosts.length === 1) addHost(table, hosts[0].toLowerCase(), c);
    else for (const h of new Set(hosts.map((x) => x.toLowerCase()))) addHost(table, h, c);
  }
  table.exactIndex = indexGroups(table.exact);
  table.wildcardIndex = indexGroups(table.wildcard);
  table.anyHost.sort(byPrefixLengthDesc);
  table.anyHostIndex = indexByPrefix(table.anyHost);
  return table;
}

/**
 * The longest prefix of `idx` that `pathPrefixMatches` accepts for `path`. Those prefixes are
 * exactly: `path` itself, `path` cut before each "/" (longest first), "/" (matches any path) and
 * "" (a path starting with "/"); prefixes in the index are normalized, so no other key can match.
 * Two matching prefixes of equal length are the same string, so the index's per-prefix winner
 * (lowest name) reproduces the sorted scan's tie-break.
 */
function firstByPrefix(idx: PrefixIndex | undefined, path: string): CompiledRoute | undefined {
  if (idx === undefined || idx.size === 0) return undefined;
  let r = idx.get(path);
  if (r !== undefined) return r;
  for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) {
    if (i > 1) {
      r = idx.get(path.slice(0, i));
      if (r !== undefined) return r;
    }
  }
  // Length 1 and 0 last; "/" is probed even when the path does not start with "/" (it matches all).
  r = idx.get('/');
  if (r !== undefined) return r;
  return path.length === 0 || path.charCodeAt(0) === 47 ? idx.get('') : undefined;
}

/**
 * Among routes whose host pattern and path prefix match, the most specific host wins
 * (exact, then the longest `*.suffix`, then any-host), then the longest prefix.
 * `host` is normalized (lower case, no port); `path` is a request's `matchPath` (request-target.ts).
 */
export function matchRoute(table: RouteTable, host: string, path: string): CompiledRoute | undefined {
  let r = firstByPrefix(table.exactIndex.get(host), path);
  if (r) return r;
  if (table.wildcardIndex.size > 0) {
    // Longest suffix first: for a.b.c try ".b.c" then ".c". A suffix must leave >= 1 char before it.
    for (let i = host.indexOf('.', 1); i > 0; i = host.indexOf('.', i + 1)) {
      r = firstByPrefix(table.wildcardIndex.get(host.slice(i)), path);
      if (r) return r;
    }
  }
  return firstByPrefix(table.anyHostIndex, path);
}

/** Explains route matching for every route: used by the decision explainer. `path` is a `matchPath`. */
export function routeMismatchReason(route: CompiledRoute, host: string, path: string): string | null {
  const hostOk = route.hosts.length === 0 || route.hosts.some((p) => (p.startsWith('*.') ? host.length > p.length - 1 && host.endsWith(p.slice(1)) : p === host));
  if (!hostOk) return `host ${JSON.stringify(host)} does not match ${route.hosts.join(', ')}`;
  if (!pathPrefixMatches(route.matchPrefix, path)) return `path ${JSON.stringify(path)} is not under ${route.prefix}`;
  return null;
}
