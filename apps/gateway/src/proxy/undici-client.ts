import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { buildConnector, Pool, type Dispatcher } from 'undici';
import type { Exchange, UpstreamRequest } from './exchange';

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

/** undici's dispatch handler for one exchange: a thin adapter onto the shared Exchange. */
class UndiciHandler implements Dispatcher.DispatchHandler {
  constructor(private readonly ex: Exchange) {}

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.ex.attach(controller);
  }

  onResponseStart(_c: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    this.ex.start(statusCode, headers);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (!this.ex.data(chunk)) controller.pause();
  }

  onResponseEnd(): void {
    this.ex.end();
  }

  onResponseError(_c: Dispatcher.DispatchController, err: Error): void {
    this.ex.fail(TIMEOUT_CODES.has((err as { code?: string }).code ?? '') ? 'upstream_timeout' : 'upstream_unavailable');
  }
}

/**
 * undici Pools, one per upstream origin, created on first use and kept across snapshots while some
 * route still points at the origin; a pool whose origin disappeared is closed once its requests end.
 */
export class UndiciClient {
  private readonly pools = new Map<string, Pool>();
  private readonly connector: buildConnector.connector;

  constructor(private readonly timeoutMs: number) {
    const connect = buildConnector({ timeout: Math.min(timeoutMs, 10_000) });
    this.connector = (opts, cb) =>
      connect(opts, (err, socket) => {
        if (socket) tolerateContinue(socket);
        (cb as (e: Error | null, s: Socket | null) => void)(err, socket);
      });
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

  send(r: UpstreamRequest, ex: Exchange): void {
    const origin = r.target.origin;
    this.pool(origin).dispatch({ origin, path: r.path, method: r.method, headers: r.headers, body: r.body as Dispatcher.DispatchOptions['body'] }, new UndiciHandler(ex));
  }

  retain(live: ReadonlySet<string>): void {
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
