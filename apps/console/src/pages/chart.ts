import type { NodeDto } from '../api/types';

/** Outcomes of gateway_requests_total in a fixed order (successes first), each with its colour class. */
export const OUTCOMES = ['proxied', 'issued', 'unauthorized', 'forbidden', 'token_refused', 'no_route', 'bad_request', 'upstream_error', 'internal_error'] as const;

export interface RouteTotals {
  route: string;
  total: number;
  byOutcome: Record<string, number>;
}

/** Sums the nodes' counters by route then outcome; routes by total, largest first. Unknown outcomes are kept, after the known ones. */
export function totalsByRoute(nodes: Pick<NodeDto, 'counters'>[]): { routes: RouteTotals[]; outcomes: string[] } {
  const acc = new Map<string, Record<string, number>>();
  const seen = new Set<string>();
  for (const n of nodes)
    for (const [route, byOutcome] of Object.entries(n.counters ?? {})) {
      const row = acc.get(route) ?? {};
      for (const [o, v] of Object.entries(byOutcome)) {
        if (!(typeof v === 'number' && v > 0)) continue;
        row[o] = (row[o] ?? 0) + v;
        seen.add(o);
      }
      acc.set(route, row);
    }
  const outcomes = [...OUTCOMES.filter((o) => seen.has(o)), ...[...seen].filter((o) => !(OUTCOMES as readonly string[]).includes(o)).sort()];
  const routes = [...acc.entries()]
    .map(([route, byOutcome]) => ({ route, byOutcome, total: Object.values(byOutcome).reduce((a, b) => a + b, 0) }))
    .filter((r) => r.total > 0)
    .sort((a, b) => b.total - a.total || a.route.localeCompare(b.route));
  return { routes, outcomes };
}

/** A "nice" axis maximum: 1, 2 or 5 times a power of ten, at least `v`. */
export function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/** Axis ticks from 0: a "nice" step (1, 2 or 5 times a power of ten, whole numbers) and about four intervals up to at least `v`. */
export function ticks(v: number): number[] {
  const step = Math.max(1, niceMax(v / 4));
  const top = Math.max(step, Math.ceil(v / step) * step);
  return Array.from({ length: Math.round(top / step) + 1 }, (_, i) => i * step);
}
