import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gateBody } from './body-gate';
import { sendFailure } from './responses';

/**
 * TRACE is refused on every route, before any handler (failure row `trace_refused`): it makes an
 * upstream echo the request back, credentials and cookies included (cross-site tracing), and no API
 * behind an OAuth2 gateway needs it; nginx and most CDNs refuse it too. No per-route opt-in: nobody
 * asked for one, and a refusal that cannot be configured away cannot be misconfigured.
 * A WebSocket upgrade is not tunneled (README "Known limits", row `websocket_refused`): refused
 * before the handler, so it is neither forwarded without its Upgrade header nor left hanging. Other
 * upgrade protocols (h2c) are ignored as RFC 9110 §7.8 allows: Upgrade is hop-by-hop, the request
 * is served as HTTP/1.1.
 */
const WEBSOCKET_RE = /(?:^|[\s,])websocket(?:$|[\s,/])/i;

/** How ProxyServer refuses before the handler: the data plane passes its counting `refuse`. */
export type EdgeRefuse = (res: ServerResponse, code: 'trace_refused' | 'websocket_refused' | 'internal_error', close: boolean) => void;

/** Request headers over 16 KiB are answered 431 by node's parser. */
export const MAX_HEADER_BYTES = 16 * 1024;

/**
 * The data-plane HTTP server: plain node:http (no express on the hot path), with limits against
 * slow or oversized requests. node's strict parser already refuses Content-Length together with
 * Transfer-Encoding and differing duplicate Content-Length headers (400), which prevents smuggling.
 */
export class ProxyServer {
  readonly server: Server;

  /** `refuse`: answers (and counts) the refusals made here, before or around the handler. */
  constructor(handler: (req: IncomingMessage, res: ServerResponse) => void, onBug: (err: unknown) => void, refuse: EdgeRefuse = (res, code, close) => sendFailure(res, code, close)) {
    // A bug in the handler must cost one request, not the process and every request in flight.
    const guarded = (req: IncomingMessage, res: ServerResponse, expectContinue: boolean): void => {
      try {
        // Before anything else: a refusal here (or later) must not read an unbounded body.
        gateBody(req, res, expectContinue);
        if (req.method === 'TRACE') return refuse(res, 'trace_refused', false);
        const upgrade = req.headers.upgrade;
        if (upgrade !== undefined && WEBSOCKET_RE.test(upgrade)) return refuse(res, 'websocket_refused', true);
        handler(req, res);
      } catch (err) {
        onBug(err);
        if (res.headersSent) res.destroy();
        else refuse(res, 'internal_error', true);
      }
    };
    this.server = createServer(
      {
        maxHeaderSize: MAX_HEADER_BYTES,
        // Slowloris: the whole header block must arrive within 20 s, a whole request within 5 min.
        headersTimeout: 20_000,
        requestTimeout: 300_000,
        keepAliveTimeout: 5_000,
        insecureHTTPParser: false,
      },
      (req, res) => guarded(req, res, false),
    );
    // `Expect: 100-continue`: node would answer 100 before the gateway decides anything. With this
    // listener it does not; `acceptBody` (body-gate.ts) sends it once the body is going to be used.
    this.server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => guarded(req, res, true));
  }

  listen(port: number, host: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  /**
   * Stops accepting, lets in-flight requests finish (idle keep-alive connections are closed at
   * once, busy ones after their response), and cuts whatever is left after `graceMs`.
   */
  close(graceMs: number): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server.listening) return resolve();
      const sweep = setInterval(() => this.server.closeIdleConnections(), 100);
      const force = setTimeout(() => this.server.closeAllConnections(), graceMs);
      this.server.close(() => {
        clearInterval(sweep);
        clearTimeout(force);
        resolve();
      });
      this.server.closeIdleConnections();
    });
  }
}
