import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CompiledRoute, Snapshot } from '@oauth2/core';
import type { GatewayMetrics } from '../status/metrics';
import { acceptBody } from './body-gate';
import { Exchange, parseTarget, type Target, type UpstreamClient } from './exchange';
import { upstreamRequestHeaders } from './headers';
import { LeanClient } from './lean/lean-client';
import { TrustedProxies } from './trusted-proxies';
import { UndiciClient } from './undici-client';

export { continueBlockLength } from './undici-client';

/** Which transport serves plain-http upstreams (GATEWAY_UPSTREAM_CLIENT); https ones always go through undici. */
export type UpstreamClientKind = 'lean' | 'undici';

/** Upstream path: the route's prefix removed when strip_prefix (a leading "/" kept), then the base path prefixed. */
export function upstreamPath(route: CompiledRoute, basePath: string, path: string, query: string): string {
  let p = path;
  if (route.strip_prefix && route.prefix !== '/') {
    p = path.slice(route.prefix.length);
    if (p.length === 0 || p.charCodeAt(0) !== 47) p = '/' + p;
  }
  return basePath + p + query;
}

/** A parsed upstream and the transport that serves it. */
interface Routed extends Target {
  client: UpstreamClient;
}

/**
 * Builds the upstream request (path, headers: headers.ts) and hands it to a transport: the lean
 * HTTP/1.1 client (lean/) for plain-http upstreams when GATEWAY_UPSTREAM_CLIENT=lean, undici Pools
 * otherwise. Metrics, response headers and failure answers are the Exchange's, whatever the transport.
 */
export class Forwarder {
  /**
   * Parsed upstreams by their URL text. A reload hands over new route objects, but most upstream
   * strings are unchanged: parsing each once (not once per route per reload) keeps `new URL` off
   * the reload path. Pruned to the live upstreams by `retain`.
   */
  private targets = new Map<string, Routed>();
  /** The route table `retain` last walked. */
  private retainedRoutes: Snapshot['routes'] | null = null;
  private readonly undici: UndiciClient;
  private readonly lean: LeanClient | null;

  /** `authHeader`: the current snapshot's auth header name (lower-case); its `_` spellings are never forwarded. */
  constructor(
    timeoutMs: number,
    private readonly metrics: GatewayMetrics,
    private readonly authHeader: () => string = () => 'authorization',
    private readonly trusted: TrustedProxies = new TrustedProxies(''),
    kind: UpstreamClientKind = 'undici',
  ) {
    this.undici = new UndiciClient(timeoutMs);
    this.lean = kind === 'lean' ? new LeanClient(timeoutMs) : null;
  }

  private targetOf(route: CompiledRoute): Routed {
    let t = this.targets.get(route.upstream);
    if (t === undefined) {
      const p = parseTarget(route.upstream);
      t = { ...p, client: this.lean !== null && p.protocol === 'http:' ? this.lean : this.undici };
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
    t.client.send(
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
    const kept = new Map<string, Routed>();
    for (const r of snap.routes.byName.values()) {
      const t = this.targetOf(r);
      kept.set(r.upstream, t);
      live.add(t.origin);
    }
    this.targets = kept;
    this.undici.retain(live);
    this.lean?.retain(live);
  }

  async close(): Promise<void> {
    await Promise.all([this.undici.close(), this.lean?.close()]);
  }
}
