/**
 * Owner: reliability. Helpers for fault, load and hostile-input tests: a seeded PRNG, a bounded
 * concurrent loop, raw-socket exchanges, process resource readings from /proc, and metrics parsing.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';

/** Deterministic PRNG (mulberry32): the same seed gives the same fuzz cases, so a failure replays. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Helpers over a seeded PRNG. */
export function rng(seed: number) {
  const next = seededRandom(seed);
  const int = (n: number) => Math.floor(next() * n);
  return {
    next,
    int,
    pick: <T>(xs: readonly T[]): T => xs[int(xs.length)],
    bool: () => next() < 0.5,
  };
}

/**
 * Runs `fn(i)` for i in [0, total) with at most `concurrency` calls in flight; resolves with every
 * result in index order. A rejection of `fn` is captured as the result (never lost, never fatal).
 */
export async function runConcurrent<T>(total: number, concurrency: number, fn: (i: number) => Promise<T>): Promise<Array<T | Error>> {
  const out = new Array<T | Error>(total);
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const i = next++;
      try {
        out[i] = await fn(i);
      } catch (e) {
        out[i] = e instanceof Error ? e : new Error(String(e));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return out;
}

/** Resident set size (bytes) and open file descriptors of a live process, from /proc (Linux). */
export function processResources(pid: number): { rssBytes: number; fds: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!m) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return { rssBytes: Number(m[1]) * 1024, fds: fs.readdirSync(`/proc/${pid}/fd`).length };
}

export interface RawExchangeResult {
  /** Everything the server sent before closing (or before `idleMs` of silence). */
  data: string;
  /** The server closed the connection (FIN or reset), as opposed to us giving up. */
  closedByServer: boolean;
  /** The connection was reset rather than closed. */
  reset: boolean;
}

/**
 * Writes `chunks` to a raw TCP connection (each chunk after the previous one is flushed), then
 * collects the answer until the server closes, or `idleMs` passes with nothing received.
 * For request-smuggling and malformed-request tests that an HTTP client would refuse to send.
 */
export function rawExchange(port: number, chunks: Array<string | Buffer>, idleMs = 2000): Promise<RawExchangeResult> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    const got: Buffer[] = [];
    let reset = false;
    let settled = false;
    let idle: NodeJS.Timeout | undefined;
    const finish = (closedByServer: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(idle);
      sock.destroy();
      resolve({ data: Buffer.concat(got).toString('latin1'), closedByServer, reset });
    };
    const arm = () => {
      clearTimeout(idle);
      idle = setTimeout(() => finish(false), idleMs);
    };
    sock.on('data', (d: Buffer) => {
      got.push(d);
      arm();
    });
    sock.on('end', () => finish(true));
    sock.on('close', () => finish(true));
    sock.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNRESET' || e.code === 'EPIPE') {
        reset = true;
        return finish(true);
      }
      if (!settled) {
        settled = true;
        reject(e);
      }
    });
    sock.on('connect', async () => {
      for (const c of chunks) {
        if (settled) return;
        await new Promise<void>((r) => sock.write(c, () => r()));
      }
      arm();
    });
  });
}

/** Status codes of every HTTP response in a raw byte stream (`HTTP/1.1 400 ...` lines). */
export function statusLines(data: string): number[] {
  return [...data.matchAll(/HTTP\/1\.[01] (\d{3})/g)].map((m) => Number(m[1]));
}

/** The value of an unlabelled (or summed over labels) metric from Prometheus text exposition. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const l = m[2] ?? '';
    if (Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`))) sum += Number(m[3]);
  }
  return sum;
}

/** Polls `probe` until it returns a truthy value; rejects after `timeoutMs` with `what`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
