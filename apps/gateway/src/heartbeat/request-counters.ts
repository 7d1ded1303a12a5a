import type { NodeCounters } from '@oauth2/store';

const SERIES = 'gateway_requests_total{';
const LABEL = /([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

function unescape(v: string): string {
  return v.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

/**
 * The request counters a node's heartbeat carries: `gateway_requests_total` (what /metrics counts)
 * summed by route, then outcome, read from the Prometheus text exposition the status port serves
 * (one format for a single process and for a cluster primary's aggregate).
 */
export function requestCounters(metricsText: string): NodeCounters {
  // No prototype: a route named `__proto__` is a key like any other.
  const out: NodeCounters = Object.create(null) as NodeCounters;
  for (const line of metricsText.split('\n')) {
    if (!line.startsWith(SERIES)) continue;
    const close = line.lastIndexOf('} ');
    if (close < 0) continue;
    const value = Number(
      line
        .slice(close + 2)
        .trim()
        .split(' ')[0],
    );
    if (!Number.isFinite(value) || value <= 0) continue;
    let route = '';
    let outcome = '';
    for (const m of line.slice(SERIES.length, close).matchAll(LABEL)) {
      if (m[1] === 'route') route = unescape(m[2]);
      else if (m[1] === 'outcome') outcome = unescape(m[2]);
    }
    const byOutcome = (out[route] ??= Object.create(null) as Record<string, number>);
    byOutcome[outcome] = (byOutcome[outcome] ?? 0) + value;
  }
  return out;
}
