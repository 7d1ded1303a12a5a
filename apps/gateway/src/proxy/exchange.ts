import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { statusClass, type GatewayMetrics } from '../status/metrics';
import { clientResponseHeaders } from './headers';
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

/** One upstream request as UndiciClient.send gets it: everything already decided by the Forwarder. */
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

/** What the upstream client lets the exchange do to the upstream side of one request (undici's DispatchController). */
export interface UpstreamControl {
  pause(): void;
  resume(): void;
  abort(err: Error): void;
}

/** What the gateway answers when an upstream exchange fails before the status was relayed. */
export type UpstreamFailure = 'upstream_timeout' | 'upstream_unavailable';

const kExchange = Symbol('exchange');
/** The abort reason for an upstream answer whose status is not HTTP (Exchange.start). */
const INVALID_STATUS = new Error('upstream answered with a status outside 100-599');
type ResWithExchange = ServerResponse & { [kExchange]?: Exchange };

function onClientDrain(this: ResWithExchange): void {
  this[kExchange]?.controller?.resume();
}

function onClientClose(this: ResWithExchange): void {
  const ex = this[kExchange];
  if (ex !== undefined && !this.writableFinished) ex.clientGone();
}

/**
 * One proxied request, the client side: streams the answer into `res` with backpressure
 * (a full `res` pauses the upstream side until it drains), aborts the upstream side when the client
 * goes away, counts the answer under the route, and maps a failure to the gateway's 502/504 (or a
 * cut connection once the status is out). undici-client.ts reports into it.
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

  /** The upstream side is ready to be paused, resumed or aborted (a client already gone aborts it now). */
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

  /** A body chunk; false: the client is full, the upstream side is paused until `controller.resume()`. */
  data(chunk: Buffer): boolean {
    if (this.res.write(chunk)) return true;
    // Most answers never fill the client's socket: the drain listener is added the first time one does.
    if (!this.drainHooked) {
      this.drainHooked = true;
      this.res.on('drain', onClientDrain);
    }
    return false;
  }

  /** The answer is complete. */
  end(): void {
    this.res.end();
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
