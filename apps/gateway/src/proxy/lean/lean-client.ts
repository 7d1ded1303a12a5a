import * as net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Exchange, Target, UpstreamClient, UpstreamControl, UpstreamFailure, UpstreamRequest } from '../exchange';
import { ResponseParser, type ResponseEvents } from './response-parser';

/**
 * The lean upstream client (issue 18): HTTP/1.1 over pooled net.Sockets for plain-http upstreams,
 * with the same limits as the undici Pools it replaces (undici-client.ts): at most MAX_CONNECTIONS
 * per origin (requests beyond wait in order), one request in flight per connection (no pipelining),
 * an idle connection closed after KEEP_ALIVE_MS. The request head is one latin1 string written once;
 * the body is streamed with backpressure (the client's Content-Length passed through, else chunked).
 * Answers go through the strict parser (response-parser.ts): a connection is reused only after an
 * answer that ended exactly where its framing said, with nothing after it.
 *
 * Timeouts, as undici's: connecting at most min(timeout, 10 s); the upstream silent for `timeoutMs`
 * while the head is awaited or between body bytes; the whole head not in within `timeoutMs` of the
 * request (checked as bytes arrive, so a head dribbled byte by byte is cut too). A timeout answers
 * 504 upstream_timeout, everything else (refused, reset, closed early, misframed) 502
 * upstream_unavailable; once the status is out, a failure cuts the client connection (Exchange.fail).
 */
export const MAX_CONNECTIONS = 128;
export const KEEP_ALIVE_MS = 4_000;

/** node's own rule for header values (http's checkInvalidHeaderChar): HTAB, SP-~, obs-text. */
const INVALID_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

class Job implements UpstreamControl {
  conn: Conn | null = null;
  aborted = false;
  constructor(
    readonly req: UpstreamRequest,
    readonly ex: Exchange,
    readonly pool: OriginPool,
  ) {}

  pause(): void {
    this.conn?.pause();
  }

  resume(): void {
    this.conn?.resume();
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    if (this.conn !== null) this.conn.drop();
    else this.pool.unqueue(this);
  }
}

/** One upstream connection and its parser; carries one job at a time. */
class Conn implements ResponseEvents {
  readonly socket: net.Socket;
  private readonly parser = new ResponseParser(this);
  job: Job | null = null;
  private connected = false;
  private dead = false;
  /** performance.now() by which the whole head must be in. */
  private headDeadline = 0;
  private body: NodeJS.ReadableStream | null = null;
  private bodyDone = true;
  private chunked = false;
  /** Reading stopped because the client is full (Exchange backpressure). */
  private paused = false;

  constructor(
    private readonly pool: OriginPool,
    first: Job,
  ) {
    const t = pool.target;
    this.job = first;
    first.conn = this;
    const s = net.connect({ host: t.hostname, port: t.port });
    this.socket = s;
    s.setNoDelay(true);
    s.setTimeout(Math.min(pool.timeoutMs, 10_000));
    s.on('connect', () => {
      this.connected = true;
      // From now on: silent this long while a request is in flight (idle ones are swept by the pool).
      s.setTimeout(pool.timeoutMs);
      if (this.job !== null) this.begin(this.job);
    });
    s.on('data', (d: Buffer) => this.onData(d));
    s.on('end', () => this.onEnd());
    s.on('error', () => this.lost('upstream_unavailable'));
    s.on('close', () => this.onClose());
    s.on('timeout', () => this.lost('upstream_timeout'));
    s.on('drain', () => {
      if (this.body !== null && !this.bodyDone) (this.body as unknown as { resume(): void }).resume();
    });
  }

  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.socket.pause();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.socket.resume();
  }

  /** Sends `job` on this (connected, free) connection. */
  begin(job: Job): void {
    this.job = job;
    job.conn = this;
    const r = job.req;
    const s = this.socket;
    // The last answer may have ended while its client was full.
    this.resume();
    this.headDeadline = performance.now() + this.pool.timeoutMs;
    this.parser.reset(r.method === 'HEAD');
    let head = r.method + ' ' + r.path + ' HTTP/1.1\r\n' + this.pool.fixedHead;
    const h = r.headers;
    let length = false;
    for (let i = 0; i < h.length; i += 2) {
      const v = h[i + 1];
      if (INVALID_VALUE.test(v)) return this.fail('upstream_unavailable');
      if (!length && h[i].length === 14 && h[i].toLowerCase() === 'content-length') length = true;
      head += h[i] + ': ' + v + '\r\n';
    }
    const body = r.body;
    if (body === null) {
      this.bodyDone = true;
      s.write(head + '\r\n', 'latin1');
      return;
    }
    this.chunked = !length;
    s.write(this.chunked ? head + 'transfer-encoding: chunked\r\n\r\n' : head + '\r\n', 'latin1');
    this.body = body;
    this.bodyDone = false;
    body.on('data', this.onBodyData);
    body.on('end', this.onBodyEnd);
    body.on('error', this.onBodyError);
  }

  private readonly onBodyData = (c: Buffer): void => {
    if (this.dead) return;
    const s = this.socket;
    let ok: boolean;
    if (this.chunked) {
      if (c.length === 0) return;
      s.cork();
      s.write(c.length.toString(16) + '\r\n', 'latin1');
      s.write(c);
      ok = s.write('\r\n', 'latin1');
      s.uncork();
    } else ok = s.write(c);
    if (!ok) (this.body as unknown as { pause(): void }).pause();
  };

  private readonly onBodyEnd = (): void => {
    if (this.dead) return;
    if (this.chunked) this.socket.write('0\r\n\r\n', 'latin1');
    this.detachBody(true);
  };

  /** The client's body failed (it went away): its Exchange hears of it through the response's close. */
  private readonly onBodyError = (): void => {
    this.detachBody(false);
  };

  private detachBody(done: boolean): void {
    const b = this.body;
    if (b === null) return;
    b.removeListener('data', this.onBodyData);
    b.removeListener('end', this.onBodyEnd);
    b.removeListener('error', this.onBodyError);
    this.body = null;
    this.bodyDone = done;
  }

  private onData(d: Buffer): void {
    if (this.job === null) {
      // Bytes nobody asked for, on an idle connection: never trust it again.
      this.drop();
      return;
    }
    if (!this.parser.headDone && performance.now() > this.headDeadline) return this.lost('upstream_timeout');
    this.parser.execute(d);
  }

  private onEnd(): void {
    if (this.job !== null) this.parser.finish();
    if (!this.dead) this.drop();
  }

  // ResponseEvents
  onHead(status: number, headers: string[]): void {
    this.job!.ex.startRaw(status, headers);
  }

  onBody(chunk: Buffer): void {
    if (!this.job!.ex.data(chunk)) this.pause();
  }

  onComplete(reusable: boolean, last: Buffer | null): void {
    const job = this.job!;
    this.job = null;
    job.conn = null;
    if (!this.bodyDone) this.detachBody(false); // answered before the whole body was sent: this connection is spent
    const keep = reusable && this.bodyDone && !this.dead;
    job.ex.end(last);
    if (keep) this.pool.release(this);
    else this.drop();
  }

  onInvalid(): void {
    this.fail('upstream_unavailable');
  }

  /** The job fails with `code`; the connection is dropped. */
  private fail(code: UpstreamFailure): void {
    const job = this.job;
    this.job = null;
    if (job !== null) {
      job.conn = null;
      job.ex.fail(code);
    }
    this.drop();
  }

  /** Something went wrong on the socket: the job (if any) fails, an idle connection just goes. */
  private lost(code: UpstreamFailure): void {
    if (this.dead) return;
    if (this.job !== null) this.fail(code);
    else this.drop();
  }

  /** Closes the connection for good (its job, if any, is not answered: the caller does that). */
  drop(): void {
    if (this.dead) return;
    this.dead = true;
    this.parser.abort();
    this.detachBody(false);
    if (this.job !== null) {
      this.job.conn = null;
      this.job = null;
    }
    this.socket.destroy();
    this.pool.gone(this);
  }

  private onClose(): void {
    if (this.job !== null) this.fail('upstream_unavailable');
    else this.drop();
  }

  /** performance.now() when the connection went idle, and how long it may stay so. */
  idleSince = 0;
  idleLimit = KEEP_ALIVE_MS;

  /** KEEP_ALIVE_MS, or less when the upstream said it closes idle connections sooner (`Keep-Alive: timeout=N`, less 1 s as undici does). */
  keepAliveFor(): number {
    const hint = this.parser.keepAliveTimeout;
    return hint < 0 ? KEEP_ALIVE_MS : Math.min(KEEP_ALIVE_MS, hint * 1000 - 1000);
  }

  get live(): boolean {
    return !this.dead && this.connected;
  }
}

/** The connections to one origin and the requests waiting for one. */
class OriginPool {
  readonly fixedHead: string;
  private readonly idleConns: Conn[] = [];
  private readonly queue: Job[] = [];
  private count = 0;
  closing = false;

  constructor(
    readonly target: Target,
    readonly timeoutMs: number,
  ) {
    // The part of every request head this origin shares, serialized once.
    this.fixedHead = `host: ${target.host}\r\nconnection: keep-alive\r\n`;
  }

  send(job: Job): void {
    if (this.idleConns.length > 0) {
      const now = performance.now();
      while (this.idleConns.length > 0) {
        const c = this.idleConns.pop()!;
        if (c.live && now - c.idleSince < c.idleLimit) return c.begin(job);
        c.drop();
      }
    }
    if (this.count < MAX_CONNECTIONS) {
      this.count++;
      new Conn(this, job);
    } else this.queue.push(job);
  }

  unqueue(job: Job): void {
    const i = this.queue.indexOf(job);
    if (i >= 0) this.queue.splice(i, 1);
  }

  /** A connection finished its job cleanly: the next waiting request, or the idle list. */
  release(c: Conn): void {
    const next = this.queue.shift();
    if (next !== undefined) return c.begin(next);
    if (this.closing) return c.drop();
    c.idleLimit = c.keepAliveFor();
    if (c.idleLimit <= 0) return c.drop();
    c.idleSince = performance.now();
    this.idleConns.push(c);
    if (this.sweeper === null) {
      this.sweeper = setInterval(() => this.sweep(), 1_000);
      this.sweeper.unref();
    }
  }

  /** Closes the connections idle for longer than their limit (one timer per pool, not one re-armed per request). */
  private sweeper: NodeJS.Timeout | null = null;
  private sweep(): void {
    const now = performance.now();
    for (let i = this.idleConns.length - 1; i >= 0; i--) {
      const c = this.idleConns[i];
      if (now - c.idleSince >= c.idleLimit) c.drop();
    }
    if (this.idleConns.length === 0 && this.sweeper !== null) {
      clearInterval(this.sweeper);
      this.sweeper = null;
    }
  }

  /** A connection closed: a slot is free for a waiting request. */
  gone(c: Conn): void {
    this.count--;
    const i = this.idleConns.indexOf(c);
    if (i >= 0) this.idleConns.splice(i, 1);
    if (this.queue.length > 0 && this.count < MAX_CONNECTIONS) {
      this.count++;
      new Conn(this, this.queue.shift()!);
    }
  }

  /** No new requests; idle connections close now, busy ones after their answer. */
  close(): void {
    this.closing = true;
    for (const c of this.idleConns.splice(0)) c.drop();
    if (this.sweeper !== null) clearInterval(this.sweeper);
    this.sweeper = null;
  }
}

export class LeanClient implements UpstreamClient {
  private readonly pools = new Map<string, OriginPool>();

  constructor(private readonly timeoutMs: number) {}

  send(r: UpstreamRequest, ex: Exchange): void {
    let pool = this.pools.get(r.target.origin);
    if (pool === undefined) {
      pool = new OriginPool(r.target, this.timeoutMs);
      this.pools.set(r.target.origin, pool);
    }
    const job = new Job(r, ex, pool);
    ex.attach(job);
    if (!job.aborted) pool.send(job);
  }

  retain(live: ReadonlySet<string>): void {
    for (const [origin, pool] of this.pools) {
      if (!live.has(origin)) {
        this.pools.delete(origin);
        pool.close();
      }
    }
  }

  close(): Promise<void> {
    for (const p of this.pools.values()) p.close();
    this.pools.clear();
    return Promise.resolve();
  }
}
