import { createServer, Server, type IncomingMessage, type ServerResponse } from 'node:http';
import { createSecureServer, type Http2SecureServer, type Http2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { secureContextOptions, type TlsMaterial } from '@oauth2/config';
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
  readonly server: Server | Http2SecureServer;
  /** Open HTTP/2 sessions (TLS listener only), told to finish (GOAWAY) on close. */
  private readonly sessions = new Set<Http2Session>();

  /**
   * `refuse`: answers (and counts) the refusals made here, before or around the handler.
   * `tls`: serve TLS 1.2+ with ALPN `h2` and `http/1.1` (docs/tls.md); both reach the same handler.
   */
  constructor(
    handler: (req: IncomingMessage, res: ServerResponse) => void,
    onBug: (err: unknown) => void,
    refuse: EdgeRefuse = (res, code, close) => sendFailure(res, code, close),
    tls?: TlsMaterial,
  ) {
    // A bug in the handler must cost one request, not the process and every request in flight.
    const guarded = (req: IncomingMessage, res: ServerResponse, expectContinue: boolean): void => {
      try {
        // Before anything else: a refusal here (or later) must not read an unbounded body.
        gateBody(req, res, expectContinue);
        if (req.method === 'TRACE') return refuse(res, 'trace_refused', false);
        const upgrade = req.headers.upgrade;
        if (upgrade !== undefined && WEBSOCKET_RE.test(upgrade)) return refuse(res, 'websocket_refused', true);
        // HTTP/2 carries the authority as `:authority`; routing and X-Forwarded-Host read `host`.
        if (req.httpVersionMajor === 2 && req.headers.host === undefined) req.headers.host = req.headers[':authority'] as string | undefined;
        handler(req, res);
      } catch (err) {
        onBug(err);
        if (res.headersSent) res.destroy();
        else refuse(res, 'internal_error', true);
      }
    };
    if (tls !== undefined) {
      this.server = this.createTls(tls);
      this.server.on('request', (req: IncomingMessage, res: ServerResponse) => guarded(req, res, false));
      this.server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => guarded(req, res, true));
      return;
    }
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

  /**
   * HTTP/2 beside HTTP/1.1 on one TLS port (allowHTTP1). HTTP/1.1 connections get the same limits
   * as the plain listener; HTTP/2 streams the same header budget. The secure context is swapped by
   * `setTls` on certificate rotation (existing connections keep theirs).
   */
  private createTls(tls: TlsMaterial): Http2SecureServer {
    const server = createSecureServer({
      ...secureContextOptions(tls),
      allowHTTP1: true,
      ALPNProtocols: ['h2', 'http/1.1'],
      // RFC 8705 client certificates are requested only with a client CA, and never required.
      requestCert: tls.ca !== undefined,
      rejectUnauthorized: false,
      maxSessionMemory: 10,
      settings: { maxHeaderListSize: MAX_HEADER_BYTES, maxConcurrentStreams: 128 },
    });
    // The HTTP/1.1 side is node's http parser, configured through these server properties.
    const h1 = server as unknown as { maxHeaderSize: number; headersTimeout: number; requestTimeout: number; keepAliveTimeout: number };
    h1.maxHeaderSize = MAX_HEADER_BYTES;
    h1.headersTimeout = 20_000;
    h1.requestTimeout = 300_000;
    h1.keepAliveTimeout = 5_000;
    server.on('session', (session: Http2Session) => {
      this.sessions.add(session);
      session.once('close', () => this.sessions.delete(session));
    });
    // A failed handshake is the client's problem, not a log line per scanner.
    server.on('tlsClientError', () => undefined);
    return server;
  }

  /** Serves a new certificate/key pair to new connections (rotation). */
  setTls(tls: TlsMaterial): void {
    (this.server as Http2SecureServer).setSecureContext(secureContextOptions(tls));
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
      const idle = (): void => Server.prototype.closeIdleConnections.call(this.server);
      const sweep = setInterval(idle, 100);
      const force = setTimeout(() => {
        // Http2SecureServer has no closeAllConnections; its HTTP/1.1 side is tracked as node:http's.
        Server.prototype.closeAllConnections.call(this.server);
        for (const s of this.sessions) s.destroy();
      }, graceMs);
      this.server.close(() => {
        clearInterval(sweep);
        clearTimeout(force);
        resolve();
      });
      idle();
      // HTTP/2: GOAWAY, open streams finish, then the session closes.
      for (const s of this.sessions) s.close();
    });
  }
}
