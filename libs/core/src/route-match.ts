import { normalizePathPrefix, pathPrefixMatches } from './names';
import type { RouteRecord } from './model';

/** A route compiled for matching: prefix normalized once. */
export interface CompiledRoute extends RouteRecord {
  /** Normalized prefix used for matching and stripping ("/" or "/a/b" without trailing slash). */
  prefix: string;
}

/** Routes grouped by host pattern, each group sorted longest prefix first. */
export interface RouteTable {
  exact: Map<string, CompiledRoute[]>;
  /** Keyed by the suffix with its leading dot: `*.example.com` -> `.example.com`. */
  wildcard: Map<string, CompiledRoute[]>;
  anyHost: CompiledRoute[];
  byName: Map<string, CompiledRoute>;
}

function byPrefixLengthDesc(a: CompiledRoute, b: CompiledRoute): number {
  return b.prefix.length - a.prefix.length || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

function push(map: Map<string, CompiledRoute[]>, key: string, r: CompiledRoute): void {
  const list = map.get(key);
  if (list) list.push(r);
  else map.set(key, [r]);
}

/** Builds the host index once per snapshot; a request then does O(labels) map lookups. */
export function compileRoutes(routes: readonly RouteRecord[]): RouteTable {
  const table: RouteTable = { exact: new Map(), wildcard: new Map(), anyHost: [], byName: new Map() };
  for (const r of routes) {
    const c: CompiledRoute = { ...r, prefix: normalizePathPrefix(r.path_prefix) };
    table.byName.set(c.name, c);
    if (c.hosts.length === 0) table.anyHost.push(c);
    for (const h of new Set(c.hosts.map((x) => x.toLowerCase()))) {
      if (h.startsWith('*.')) push(table.wildcard, h.slice(1), c);
      else push(table.exact, h, c);
    }
  }
  for (const list of table.exact.values()) list.sort(byPrefixLengthDesc);
  for (const list of table.wildcard.values()) list.sort(byPrefixLengthDesc);
  table.anyHost.sort(byPrefixLengthDesc);
  return table;
}

function firstByPrefix(list: CompiledRoute[] | undefined, path: string): CompiledRoute | undefined {
  if (list === undefined) return undefined;
  for (let i = 0; i < list.length; i++) if (pathPrefixMatches(list[i].prefix, path)) return list[i];
  return undefined;
}

/**
 * SPEC §3.2: among routes whose host pattern and path prefix match, the most specific host wins
 * (exact, then the longest `*.suffix`, then any-host), then the longest prefix.
 * `host` is normalized (lower case, no port); `path` excludes the query.
 */
export function matchRoute(table: RouteTable, host: string, path: string): CompiledRoute | undefined {
  let r = firstByPrefix(table.exact.get(host), path);
  if (r) return r;
  if (table.wildcard.size > 0) {
    // Longest suffix first: for a.b.c try ".b.c" then ".c". A suffix must leave >= 1 char before it.
    for (let i = host.indexOf('.', 1); i > 0; i = host.indexOf('.', i + 1)) {
      r = firstByPrefix(table.wildcard.get(host.slice(i)), path);
      if (r) return r;
    }
  }
  return firstByPrefix(table.anyHost, path);
}

/** Explains route matching for every route: used by the decision explainer. */
export function routeMismatchReason(route: CompiledRoute, host: string, path: string): string | null {
  const hostOk = route.hosts.length === 0 || route.hosts.some((p) => (p.startsWith('*.') ? host.length > p.length - 1 && host.endsWith(p.slice(1)) : p === host));
  if (!hostOk) return `host ${JSON.stringify(host)} does not match ${route.hosts.join(', ')}`;
  if (!pathPrefixMatches(route.prefix, path)) return `path ${JSON.stringify(path)} is not under ${route.prefix}`;
  return null;
}
