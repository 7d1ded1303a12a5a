import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Outcome label values of gateway_requests_total. */
export type Outcome = 'issued' | 'token_refused' | 'no_route' | 'unauthorized' | 'forbidden' | 'proxied' | 'upstream_error' | 'bad_request';

type Child = { inc(v?: number): void };

/**
 * The gateway's Prometheus metrics, in a registry of their own. In cluster mode each worker keeps
 * its own and the primary aggregates them (gauges by min, so the revision gauge answers the same
 * question as /revision: what every worker enforces).
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'gateway_requests_total',
    help: 'Requests by route, outcome and reason (failure code, or pass/authenticated, or the status class for proxied requests)',
    labelNames: ['route', 'outcome', 'reason', 'status_class'] as const,
    registers: [this.registry],
  });
  readonly upstreamLatency = new Histogram({
    name: 'gateway_upstream_response_seconds',
    help: 'Time from dispatching to the upstream to receiving its response headers',
    labelNames: ['route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly snapshotRevision = new Gauge({ name: 'gateway_snapshot_revision', help: 'Store revision of the snapshot in force', aggregator: 'min', registers: [this.registry] });
  readonly reloadFailures = new Counter({ name: 'gateway_reload_failures_total', help: 'Snapshot polls or loads that failed (the last good snapshot stayed in force)', registers: [this.registry] });

  /** Label children cached by key, so the hot path does no label hashing. */
  private readonly children = new Map<string, Child>();
  private readonly latencyChildren = new Map<string, { observe(v: number): void }>();

  count(route: string, outcome: Outcome, reason: string, statusClass = ''): void {
    const key = `${route}\u0000${outcome}\u0000${reason}\u0000${statusClass}`;
    let c = this.children.get(key);
    if (c === undefined) {
      c = this.requests.labels(route, outcome, reason, statusClass);
      this.children.set(key, c);
    }
    c.inc();
  }

  observeUpstream(route: string, seconds: number): void {
    let h = this.latencyChildren.get(route);
    if (h === undefined) {
      h = this.upstreamLatency.labels(route);
      this.latencyChildren.set(route, h);
    }
    h.observe(seconds);
  }
}

const CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'];
export function statusClass(status: number): string {
  return CLASSES[Math.floor(status / 100) - 1] ?? 'other';
}
