import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Outcome } from '@oauth2/core';

export type { Outcome };

/** Requests counted since the last scrape for one label set; flushed into the prom-client counter. */
interface Cell {
  route: string;
  outcome: string;
  reason: string;
  statusClass: string;
  pending: number;
}

type Level<T> = Map<string, T>;

/**
 * The gateway's Prometheus metrics, in a registry of their own. In cluster mode each worker keeps
 * its own and the primary aggregates them (gauges by min, so the revision gauge answers the same
 * question as /revision: what every worker enforces).
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  /**
   * Counted per request in plain cells (nested maps: no label string to build or hash) and added to
   * this counter when it is collected, i.e. at each scrape (also the primary's, over IPC).
   */
  readonly requests: Counter<'route' | 'outcome' | 'reason' | 'status_class'>;
  readonly upstreamLatency = new Histogram({
    name: 'gateway_upstream_response_seconds',
    help: 'Time from dispatching to the upstream to receiving its response headers',
    labelNames: ['route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly snapshotRevision = new Gauge({ name: 'gateway_snapshot_revision', help: 'Store revision of the snapshot in force', aggregator: 'min', registers: [this.registry] });
  readonly reloads = new Counter({
    name: 'gateway_reloads_total',
    help: 'Snapshots loaded, by what triggered the load (start, poll, watch: store file change, notify: PostgreSQL NOTIFY, relay: another worker)',
    labelNames: ['trigger'] as const,
    registers: [this.registry],
  });
  /** The external-authorization listener's answers (docs/external-authz.md). */
  readonly authzDecisions = new Counter({
    name: 'gateway_authz_decisions_total',
    help: 'Check requests answered by the authz listener, by shape (envoy, nginx, forward), outcome (allowed, unauthorized, forbidden, bad_request) and reason (pass, authenticated, token_request, or the failure code)',
    labelNames: ['shape', 'outcome', 'reason'] as const,
    registers: [this.registry],
  });
  readonly reloadFailures = new Counter({ name: 'gateway_reload_failures_total', help: 'Snapshot polls or loads that failed (the last good snapshot stayed in force)', registers: [this.registry] });

  private readonly cells: Level<Level<Level<Level<Cell>>>> = new Map();
  private readonly latencyChildren = new Map<string, { observe(v: number): void }>();

  constructor() {
    const cells = this.cells;
    this.requests = new Counter({
      name: 'gateway_requests_total',
      help: 'Requests by route, outcome and reason (failure code, or pass/authenticated, or the status class for proxied requests)',
      labelNames: ['route', 'outcome', 'reason', 'status_class'] as const,
      registers: [this.registry],
      collect() {
        for (const a of cells.values())
          for (const b of a.values())
            for (const c of b.values())
              for (const cell of c.values()) {
                if (cell.pending === 0) continue;
                this.inc({ route: cell.route, outcome: cell.outcome, reason: cell.reason, status_class: cell.statusClass }, cell.pending);
                cell.pending = 0;
              }
      },
    });
  }

  count(route: string, outcome: Outcome, reason: string, statusClass = ''): void {
    let a = this.cells.get(route);
    if (a === undefined) this.cells.set(route, (a = new Map()));
    let b = a.get(outcome);
    if (b === undefined) a.set(outcome, (b = new Map()));
    let c = b.get(reason);
    if (c === undefined) b.set(reason, (c = new Map()));
    let cell = c.get(statusClass);
    if (cell === undefined) c.set(statusClass, (cell = { route, outcome, reason, statusClass, pending: 0 }));
    cell.pending++;
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
