import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const INTERNAL_ERROR = '{"code":500,"msg":"internal error"}';

/** SPEC §7: request headers over 16 KiB are answered 431 by node's parser. */
export const MAX_HEADER_BYTES = 16 * 1024;

/**
 * The data-plane HTTP server: plain node:http (no express on the hot path), with limits against
 * slow or oversized requests. node's strict parser already refuses Content-Length together with
 * Transfer-Encoding and differing duplicate Content-Length headers (400), which prevents smuggling.
 */
export class ProxyServer {
  readonly server: Server;

  constructor(handler: (req: IncomingMessage, res: ServerResponse) => void, onBug: (err: unknown) => void) {
    // A bug in the handler must cost one request, not the process and every request in flight.
    const guarded = (req: IncomingMessage, res: ServerResponse): void => {
      try {
        handler(req, res);
      } catch (err) {
        onBug(err);
        if (res.headersSent) res.destroy();
        else res.writeHead(500, { 'content-type': 'application/json', connection: 'close' }).end(INTERNAL_ERROR);
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
      guarded,
    );
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
