import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { statusClass, type GatewayMetrics } from '../status/metrics';
import { clientResponseHeaders, clientResponseRawHeaders } from './headers';
import { sendFailure } from './responses';

/** Where a route forwards: its origin (the pool key) and the base path prefixed to every request. */
export interface Target {
  origin: string;
  basePath: string;
  /** `http:` or `https:` */
  protocol: string;
  hostname: string;
  port: number;
  /** The Host header value the upstream gets (its own, `host[:port]` as in the URL). */
  host: string;
}

export function parseTarget(upstream: string): Target {
  const u = new URL(upstream);
  let base = u.pathname;
  while (base.endsWith('/')) base = base.slice(0, -1);
  const port = u.port === '' ? (u.protocol === 'https:' ? 443 : 80) : Number(u.port);
  // URL keeps IPv6 literals bracketed: net.connect wants them bare.
  const hostname = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  return { origin: u.origin, basePath: base, protocol: u.protocol, hostname, port, host: u.host };
}

/** One upstream request as a transport gets it: everything already decided by the Forwarder. */
export interface UpstreamRequest {
  target: Target;
  method: string;
  /** Path and query, as the upstream gets them. */
  path: string;
  /** Flat [name, value, ...] list built by upstreamRequestHeaders (no Host, no framing headers but the client's Content-Length). */
  headers: string[];
  /** The client's request, streamed as the body; null when it has none. */
  body: NodeJS.ReadableStream | null;
}

/** What a transport lets the exchange do to the upstream side of one request. */
export interface UpstreamControl {
  pause(): void;
  resume(): void;
  abort(err: Error): void;
}

/** What the gateway answers when an upstream exchange fails before the status was relayed. */
export type UpstreamFailure = 'upstream_timeout' | 'upstream_unavailable';

/**
 * The transport seam: forwards one request and reports to the exchange (status and headers once,
 * body chunks, end, or one failure). Implementations: the undici Pools (undici-client.ts) and the
 * lean HTTP/1.1 client for plain-http upstreams (lean/lean-client.ts).
 */
export interface UpstreamClient {
  send(req: UpstreamRequest, ex: Exchange): void;
  /** Drops the connections of origins no route uses any more (in-flight requests finish first). */
  retain(liveOrigins: ReadonlySet<string>): void;
  close(): Promise<void>;
}

const kExchange = Symbol('exchange');
/** The abort reason for an upstream answer whose status is not HTTP (Exchange.start). */
const INVALID_STATUS = new Error('upstream answered with a status outside 100-599');
/** Final body bytes up to this size are written as a string (Exchange.end). */
const SMALL_BODY = 16 * 1024;
type ResWithExchange = ServerResponse & { [kExchange]?: Exchange };

function onClientDrain(this: ResWithExchange): void {
  this[kExchange]?.controller?.resume();
}

function onClientClose(this: ResWithExchange): void {
  const ex = this[kExchange];
  if (ex !== undefined && !this.writableFinished) ex.clientGone();
}

/**
 * One proxied request, whatever the transport: streams the answer into `res` with backpressure
 * (a full `res` pauses the upstream side until it drains), aborts the upstream side when the client
 * goes away, counts the answer under the route, and maps a failure to the gateway's 502/504 (or a
 * cut connection once the status is out). The only copy of these rules for both transports.
 */
export class Exchange {
  controller: UpstreamControl | null = null;
  gone = false;
  private drainHooked = false;
  private readonly started = performance.now();

  constructor(
    private readonly res: ServerResponse,
    private readonly route: string,
    private readonly reason: string,
    private readonly metrics: GatewayMetrics,
  ) {
    (res as ResWithExchange)[kExchange] = this;
    res.on('close', onClientClose);
  }

  clientGone(): void {
    this.gone = true;
    this.controller?.abort(new Error('client closed the connection'));
  }

  /** The transport is ready to be paused, resumed or aborted (a client already gone aborts it now). */
  attach(controller: UpstreamControl): void {
    this.controller = controller;
    if (this.gone) controller.abort(new Error('client closed the connection'));
  }

  private counted(statusCode: number): void {
    this.metrics.observeUpstream(this.route, (performance.now() - this.started) / 1000);
    this.metrics.count(this.route, 'proxied', this.reason, statusClass(statusCode));
  }

  /**
   * The final status and headers (an object, as undici gives them); informational answers are not
   * relayed. A status above 599 (undici's parser takes any three digits, node's server would write
   * 600-999 as given) is not HTTP (RFC 9110 §15: treat it as a 5xx): the upstream request is aborted
   * (undici attached its controller in onRequestStart), closing that connection, and undici's error
   * turns it into the usual 502 `upstream_unavailable` (`fail`). Nothing is allocated on this path.
   */
  start(statusCode: number, headers: IncomingHttpHeaders): void {
    if (statusCode < 200) return;
    if (statusCode > 599) {
      this.controller?.abort(INVALID_STATUS);
      return;
    }
    this.counted(statusCode);
    this.res.writeHead(statusCode, clientResponseHeaders(headers));
  }

  /** The final status and headers as a flat [name, value, ...] list (the lean client's parser). */
  startRaw(statusCode: number, raw: string[]): void {
    this.counted(statusCode);
    this.res.writeHead(statusCode, clientResponseRawHeaders(raw));
  }

  /** A body chunk; false: the client is full, the transport is paused until `controller.resume()`. */
  data(chunk: Buffer): boolean {
    if (this.res.write(chunk)) return true;
    // Most answers never fill the client's socket: the drain listener is added the first time one does.
    if (!this.drainHooked) {
      this.drainHooked = true;
      this.res.on('drain', onClientDrain);
    }
    return false;
  }

  /**
   * The answer is complete; `last`: its final body bytes, written with the end. A small one goes as a
   * latin1 string (the same bytes): node prepends a header block not yet sent to a string body, so
   * the socket gets one chunk of header and body (still one writev with end()'s empty chunk).
   */
  end(last: Buffer | null = null): void {
    if (last === null) this.res.end();
    else if (last.length <= SMALL_BODY) this.res.end(last.toString('latin1'), 'latin1');
    else this.res.end(last);
  }

  fail(code: UpstreamFailure): void {
    if (this.gone) return;
    const res = this.res;
    if (res.headersSent) {
      // Mid-body failure: the status is already out, so the only honest signal is a cut connection.
      res.destroy();
      return;
    }
    this.metrics.count(this.route, 'upstream_error', code);
    sendFailure(res, code, true);
  }
}
