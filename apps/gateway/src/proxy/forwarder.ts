import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CompiledRoute, Snapshot } from '@oauth2/core';
import type { GatewayMetrics } from '../status/metrics';
import { acceptBody } from './body-gate';
import { Exchange, parseTarget, type Target } from './exchange';
import { upstreamRequestHeaders } from './headers';
import { TrustedProxies } from './trusted-proxies';
import { UndiciClient } from './undici-client';

export { continueBlockLength } from './undici-client';

/** Upstream path: the route's prefix removed when strip_prefix (a leading "/" kept), then the base path prefixed. */
export function upstreamPath(route: CompiledRoute, basePath: string, path: string, query: string): string {
  let p = path;
  if (route.strip_prefix && route.prefix !== '/') {
    p = path.slice(route.prefix.length);
    if (p.length === 0 || p.charCodeAt(0) !== 47) p = '/' + p;
  }
  return basePath + p + query;
}

/**
 * Builds the upstream request (path, headers: headers.ts) and hands it to the undici Pools
 * (undici-client.ts). Metrics, response headers and failure answers are the Exchange's (exchange.ts).
 */
export class Forwarder {
  /**
   * Parsed upstreams by their URL text. A reload hands over new route objects, but most upstream
   * strings are unchanged: parsing each once (not once per route per reload) keeps `new URL` off
   * the reload path. Pruned to the live upstreams by `retain`.
   */
  private targets = new Map<string, Target>();
  /** The route table `retain` last walked. */
  private retainedRoutes: Snapshot['routes'] | null = null;
  private readonly undici: UndiciClient;

  /** `authHeader`: the current snapshot's auth header name (lower-case); its `_` spellings are never forwarded. */
  constructor(
    timeoutMs: number,
    private readonly metrics: GatewayMetrics,
    private readonly authHeader: () => string = () => 'authorization',
    private readonly trusted: TrustedProxies = new TrustedProxies(''),
  ) {
    this.undici = new UndiciClient(timeoutMs);
  }

  private targetOf(route: CompiledRoute): Target {
    let t = this.targets.get(route.upstream);
    if (t === undefined) {
      t = parseTarget(route.upstream);
      this.targets.set(route.upstream, t);
    }
    return t;
  }

  /** Streams `req` to the route's upstream and the answer back to `res`. `scopes`: the effective scopes ('' = none, no header). */
  forward(req: IncomingMessage, res: ServerResponse, route: CompiledRoute, path: string, query: string, consumer: string | null, dropHeader: string | null, scopes = ''): void {
    const t = this.targetOf(route);
    const ex = new Exchange(res, route.name, consumer === null ? 'pass' : 'authenticated', this.metrics);
    // HTTP/2 needs neither header for a body: a stream not ended with its HEADERS frame has one.
    const hasBody =
      req.headers['content-length'] !== undefined ||
      req.headers['transfer-encoding'] !== undefined ||
      (req.httpVersionMajor === 2 && (req as unknown as { stream: { endAfterHeaders: boolean } }).stream.endAfterHeaders === false);
    // The body is going to be read: `100 Continue` if the client waits for it, keep-alive again (body-gate.ts).
    acceptBody(res);
    this.undici.send(
      {
        target: t,
        path: upstreamPath(route, t.basePath, path, query),
        method: req.method ?? 'GET',
        headers: upstreamRequestHeaders(req, consumer, dropHeader, this.authHeader(), this.trusted, scopes),
        body: hasBody ? req : null,
      },
      ex,
    );
  }

  /** Closes connections to origins no route of `snap` uses any more (in-flight requests finish first). */
  retain(snap: Snapshot): void {
    // An incremental reload that changed no route keeps the same route table: nothing to prune
    // (walking 100,000 routes on every one-consumer change was ~150 ms at 1M consumers).
    if (snap.routes === this.retainedRoutes) return;
    this.retainedRoutes = snap.routes;
    const live = new Set<string>();
    const kept = new Map<string, Target>();
    for (const r of snap.routes.byName.values()) {
      const t = this.targetOf(r);
      kept.set(r.upstream, t);
      live.add(t.origin);
    }
    this.targets = kept;
    this.undici.retain(live);
  }

  close(): Promise<void> {
    return this.undici.close();
  }
}
