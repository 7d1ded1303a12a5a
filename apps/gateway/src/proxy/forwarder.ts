import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Pool, type Dispatcher } from 'undici';
import type { CompiledRoute, Snapshot } from '@oauth2/core';
import { statusClass, type GatewayMetrics } from '../status/metrics';
import { clientResponseHeaders, upstreamRequestHeaders } from './headers';
import { sendFailure } from './responses';

/** Where a route forwards: its origin (the pool key) and the base path prefixed to every request. */
interface Target {
  origin: string;
  basePath: string;
}

function parseTarget(upstream: string): Target {
  const u = new URL(upstream);
  let base = u.pathname;
  while (base.endsWith('/')) base = base.slice(0, -1);
  return { origin: u.origin, basePath: base };
}

/** Upstream path: the route's prefix removed when strip_prefix (a leading "/" kept), then the base path prefixed. */
export function upstreamPath(route: CompiledRoute, basePath: string, path: string, query: string): string {
  let p = path;
  if (route.strip_prefix && route.prefix !== '/') {
    p = path.slice(route.prefix.length);
    if (p.length === 0 || p.charCodeAt(0) !== 47) p = '/' + p;
  }
  return basePath + p + query;
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);
const kExchange = Symbol('exchange');
type ResWithExchange = ServerResponse & { [kExchange]?: Exchange };

function onClientDrain(this: ResWithExchange): void {
  this[kExchange]?.controller?.resume();
}

function onClientClose(this: ResWithExchange): void {
  const ex = this[kExchange];
  if (ex !== undefined && !this.writableFinished) ex.clientGone();
}

/** One proxied request: an undici dispatch handler that streams the answer into `res` with backpressure. */
class Exchange implements Dispatcher.DispatchHandler {
  controller: Dispatcher.DispatchController | null = null;
  private gone = false;
  private readonly started = performance.now();

  constructor(
    private readonly res: ResWithExchange,
    private readonly route: string,
    private readonly reason: string,
    private readonly metrics: GatewayMetrics,
  ) {}

  clientGone(): void {
    this.gone = true;
    this.controller?.abort(new Error('client closed the connection'));
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.gone) controller.abort(new Error('client closed the connection'));
  }

  onResponseStart(_c: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (statusCode < 200) return; // informational answers are not relayed
    this.metrics.observeUpstream(this.route, (performance.now() - this.started) / 1000);
    this.metrics.count(this.route, 'proxied', this.reason, statusClass(statusCode));
    this.res.writeHead(statusCode, clientResponseHeaders(headers));
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (!this.res.write(chunk)) controller.pause();
  }

  onResponseEnd(): void {
    this.res.end();
  }

  onResponseError(_c: Dispatcher.DispatchController, err: Error): void {
    if (this.gone) return;
    const res = this.res;
    if (res.headersSent) {
      // Mid-body failure: the status is already out, so the only honest signal is a cut connection.
      res.destroy();
      return;
    }
    const code = TIMEOUT_CODES.has((err as { code?: string }).code ?? '') ? 'upstream_timeout' : 'upstream_unavailable';
    this.metrics.count(this.route, 'upstream_error', code);
    sendFailure(res, code, true);
  }
}

/**
 * undici Pools, one per upstream origin, created on first use and kept across snapshots while some
 * route still points at the origin; a pool whose origin disappeared is closed once its requests end.
 */
export class Forwarder {
  private readonly pools = new Map<string, Pool>();
  /**
   * Parsed upstreams by their URL text. A reload hands over new route objects, but most upstream
   * strings are unchanged: parsing each once (not once per route per reload) keeps `new URL` off
   * the reload path. Pruned to the live upstreams by `retain`.
   */
  private targets = new Map<string, Target>();

  constructor(
    private readonly timeoutMs: number,
    private readonly metrics: GatewayMetrics,
  ) {}

  private targetOf(route: CompiledRoute): Target {
    let t = this.targets.get(route.upstream);
    if (t === undefined) {
      t = parseTarget(route.upstream);
      this.targets.set(route.upstream, t);
    }
    return t;
  }

  private pool(origin: string): Pool {
    let p = this.pools.get(origin);
    if (p === undefined) {
      p = new Pool(origin, {
        connections: 128,
        pipelining: 1,
        keepAliveTimeout: 4_000,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
        connect: { timeout: Math.min(this.timeoutMs, 10_000) },
      });
      this.pools.set(origin, p);
    }
    return p;
  }

  /** Streams `req` to the route's upstream and the answer back to `res`. */
  forward(req: IncomingMessage, res: ServerResponse, route: CompiledRoute, path: string, query: string, consumer: string | null, dropHeader: string | null): void {
    const t = this.targetOf(route);
    const ex = new Exchange(res as ResWithExchange, route.name, consumer === null ? 'pass' : 'authenticated', this.metrics);
    (res as ResWithExchange)[kExchange] = ex;
    res.on('drain', onClientDrain);
    res.on('close', onClientClose);
    const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
    this.pool(t.origin).dispatch(
      {
        origin: t.origin,
        path: upstreamPath(route, t.basePath, path, query),
        method: req.method ?? 'GET',
        headers: upstreamRequestHeaders(req, consumer, dropHeader),
        body: hasBody ? req : null,
      },
      ex,
    );
  }

  /** Closes pools whose origin no route of `snap` uses any more (in-flight requests finish first). */
  retain(snap: Snapshot): void {
    const live = new Set<string>();
    const kept = new Map<string, Target>();
    for (const r of snap.routes.byName.values()) {
      const t = this.targetOf(r);
      kept.set(r.upstream, t);
      live.add(t.origin);
    }
    this.targets = kept;
    for (const [origin, pool] of this.pools) {
      if (!live.has(origin)) {
        this.pools.delete(origin);
        void pool.close().catch(() => undefined);
      }
    }
  }

  async close(): Promise<void> {
    const all = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(all.map((p) => p.close().catch(() => undefined)));
  }
}
