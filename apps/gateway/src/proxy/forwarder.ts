import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { buildConnector, Pool, type Dispatcher } from 'undici';
import type { CompiledRoute, Snapshot } from '@oauth2/core';
import { statusClass, type GatewayMetrics } from '../status/metrics';
import { acceptBody } from './body-gate';
import { clientResponseHeaders, upstreamRequestHeaders } from './headers';
import { TrustedProxies } from './trusted-proxies';
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

const CONTINUE_HEAD = Buffer.from('HTTP/1.');
const HEADER_END = Buffer.from('\r\n\r\n');

/**
 * Length of a whole `HTTP/1.x 100 ...` interim response at the start of `chunk`, or 0.
 * (`HTTP/1.1 100 Continue\r\n\r\n`, possibly with header lines.)
 */
export function continueBlockLength(chunk: Buffer, from = 0): number {
  if (chunk.length - from < 13 || chunk[from] !== 0x48 /* H */ || chunk.compare(CONTINUE_HEAD, 0, 7, from, from + 7) !== 0) return 0;
  // "HTTP/1.x 100" then a space or CR
  if (chunk[from + 8] !== 0x20 || chunk[from + 9] !== 0x31 || chunk[from + 10] !== 0x30 || chunk[from + 11] !== 0x30) return 0;
  const after = chunk[from + 12];
  if (after !== 0x20 && after !== 0x0d) return 0;
  const end = chunk.indexOf(HEADER_END, from + 12);
  return end < 0 ? 0 : end + 4 - from;
}

/**
 * RFC 9110 §15.2: a client must accept a 1xx it did not ask for. undici 7's HTTP/1.1 parser takes
 * every 1xx but `100` (which it answers by destroying the connection: the request then fails as a
 * 502), and the gateway never sends `Expect` upstream, so any `100 Continue` an upstream sends is
 * unsolicited (many servers do so for every request with a body). This drops such interim answers
 * before undici's parser sees them: a chunk read while no byte of the answer to the last write has
 * been read yet, starting with a whole `HTTP/1.x 100` block, loses that block. (The one theoretical
 * misfire: a response *body* chunk read right after more of a still-streaming request body was
 * written, starting with exactly such a block; a response cannot start mid-body otherwise.)
 */
function tolerateContinue(socket: Socket): void {
  let fresh = true; // nothing read since the last write: the next byte begins a response
  const write = socket.write;
  const read = socket.read;
  socket.write = function (this: Socket) {
    fresh = true;
    // eslint-disable-next-line prefer-rest-params
    return (write as (...a: unknown[]) => boolean).apply(this, arguments as unknown as unknown[]);
  } as Socket['write'];
  socket.read = function (this: Socket, n?: number) {
    const chunk = read.call(this, n) as Buffer | null;
    if (chunk === null || !fresh || chunk.length === 0) return chunk;
    let skip = 0;
    for (let len = continueBlockLength(chunk); len > 0; len = continueBlockLength(chunk, skip)) skip += len;
    // Only interim answers so far: the final one is still to come, so stay fresh.
    if (skip < chunk.length) fresh = false;
    return skip === 0 ? chunk : chunk.subarray(skip);
  };
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
  /** The route table `retain` last walked. */
  private retainedRoutes: Snapshot['routes'] | null = null;

  private readonly connector: buildConnector.connector;

  /** `authHeader`: the current snapshot's auth header name (lower-case); its `_` spellings are never forwarded. */
  constructor(
    private readonly timeoutMs: number,
    private readonly metrics: GatewayMetrics,
    private readonly authHeader: () => string = () => 'authorization',
    private readonly trusted: TrustedProxies = new TrustedProxies(''),
  ) {
    const connect = buildConnector({ timeout: Math.min(timeoutMs, 10_000) });
    this.connector = (opts, cb) =>
      connect(opts, (err, socket) => {
        if (socket) tolerateContinue(socket);
        (cb as (e: Error | null, s: Socket | null) => void)(err, socket);
      });
  }

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
        connect: this.connector,
      });
      this.pools.set(origin, p);
    }
    return p;
  }

  /** Streams `req` to the route's upstream and the answer back to `res`. `scopes`: the effective scopes ('' = none, no header). */
  forward(req: IncomingMessage, res: ServerResponse, route: CompiledRoute, path: string, query: string, consumer: string | null, dropHeader: string | null, scopes = ''): void {
    const t = this.targetOf(route);
    const ex = new Exchange(res as ResWithExchange, route.name, consumer === null ? 'pass' : 'authenticated', this.metrics);
    (res as ResWithExchange)[kExchange] = ex;
    res.on('drain', onClientDrain);
    res.on('close', onClientClose);
    // HTTP/2 needs neither header for a body: a stream not ended with its HEADERS frame has one.
    const hasBody =
      req.headers['content-length'] !== undefined ||
      req.headers['transfer-encoding'] !== undefined ||
      (req.httpVersionMajor === 2 && (req as unknown as { stream: { endAfterHeaders: boolean } }).stream.endAfterHeaders === false);
    // The body is going to be read: `100 Continue` if the client waits for it, keep-alive again (body-gate.ts).
    acceptBody(res);
    this.pool(t.origin).dispatch(
      {
        origin: t.origin,
        path: upstreamPath(route, t.basePath, path, query),
        method: req.method ?? 'GET',
        headers: upstreamRequestHeaders(req, consumer, dropHeader, this.authHeader(), this.trusted, scopes),
        body: hasBody ? req : null,
      },
      ex,
    );
  }

  /** Closes pools whose origin no route of `snap` uses any more (in-flight requests finish first). */
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
