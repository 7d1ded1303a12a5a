/**
 * Response-framing fuzz for the lean upstream client (issue 18). A raw net.Server upstream answers
 * thousands of generated answers (fixed seed: a failure replays) through the real data plane in this
 * process, with GATEWAY_UPSTREAM_CLIENT=lean:
 * - a broken head (bare LF, obs-fold, NUL, bad names, CL/TE conflicts, bad status lines, random bytes,
 *   oversized, truncated, ...) must be a 502 JSON answer;
 * - a broken body after a good head (bad chunk sizes, missing CRLFs, bad trailers, truncation) must
 *   be a cut client connection (the status is already out);
 * - a good answer with something after it on the connection (a whole smuggled response in the same
 *   write, a body on a 204, Connection: close), or a close-delimited body, must be relayed as sent.
 * Between them, well-formed control answers. Every request carries a unique id and every answer the
 * upstream means for it carries that id (smuggled answers carry `junk`): a client that gets any body
 * must find its own id in it, so a socket reused after an unclean answer would show as a mixed-up
 * response. The gateway's upstream timeout is 2 s and the upstream never stalls (a truncated answer
 * is followed by a FIN), so a request the client failed to end would show as a 504.
 */
import * as http from 'node:http';
import * as net from 'node:net';
import { DEFAULT_SETTINGS } from '@oauth2/core';
import { rng, runConcurrent } from '@oauth2/testing';
import { startGatewayInProcess, type InProcessGateway } from '../libs/testing/src/gateway-in-process';

const SEED = 18_2026;
const CASES = 3000;

type Expect = 'refuse' | 'cut' | 'relay';
interface Answer {
  bytes: string;
  /** The upstream closes its side after writing (truncations, close-delimited bodies). */
  close: boolean;
  expect: Expect;
  /** For 'relay': the status the client must see. */
  status?: number;
}
type Rng = ReturnType<typeof rng>;

const filler = (r: Rng, max: number) => 'abcdefghij'.repeat(Math.ceil(max / 10)).slice(0, r.int(max));
const bodyFor = (id: string, r: Rng) => `id=${id};${filler(r, 3000)}`;

/** Chunked encoding of `body` in random pieces (random hex case, sometimes extensions and trailers). */
function chunked(body: string, r: Rng, trailers = r.int(4) === 0): string {
  let out = '';
  let i = 0;
  while (i < body.length) {
    const n = 1 + r.int(Math.min(1200, body.length - i));
    const hex = r.bool() ? n.toString(16) : n.toString(16).toUpperCase();
    out += `${hex}${r.int(5) === 0 ? ';ext=1' : ''}\r\n${body.slice(i, i + n)}\r\n`;
    i += n;
  }
  return out + '0\r\n' + (trailers ? 'X-Trailer: t\r\n' : '') + '\r\n';
}

function extraHeaders(r: Rng): string {
  const pool = ['Content-Type: text/plain', 'Cache-Control: no-cache', 'X-Request-Note: a b c', 'Set-Cookie: a=1', 'Set-Cookie: b=2', 'Vary: Accept', 'ETag: "x"'];
  let h = '';
  for (let k = r.int(4); k > 0; k--) h += r.pick(pool) + '\r\n';
  return h;
}

/** A well-formed answer for `id`: Content-Length or chunked, a few ordinary headers, sometimes a 100 Continue first. */
function wellFormed(id: string, r: Rng): string {
  const body = bodyFor(id, r);
  const interim = r.int(6) === 0 ? 'HTTP/1.1 100 Continue\r\n\r\n' : '';
  if (r.bool()) return `${interim}HTTP/1.1 200 OK\r\n${extraHeaders(r)}Content-Length: ${body.length}\r\nX-Id: ${id}\r\n\r\n${body}`;
  return `${interim}HTTP/1.1 200 OK\r\n${extraHeaders(r)}Transfer-Encoding: chunked\r\nX-Id: ${id}\r\n\r\n${chunked(body, r, false)}`;
}

const junk = (r: Rng) => {
  const b = `id=junk;${filler(r, 50)}`;
  return `HTTP/1.1 200 OK\r\nX-Id: junk\r\nContent-Length: ${b.length}\r\n\r\n${b}`;
};

/** Head defects: a valid-looking status line and headers with exactly one thing wrong. */
const HEAD_DEFECTS: Array<(r: Rng, body: string) => string> = [
  (r, b) => `HTTP/1.1 200 OK\nContent-Length: ${b.length}\n\n${b}`,
  (r, b) => `HTTP/1.1 200 OK\r\nContent-Length: ${b.length}\r\nX-A: a\nX-B: b\r\n\r\n${b}`,
  (r, b) => `HTTP/1.1 200 OK\r\nX-A: a\r\n${r.bool() ? ' ' : '\t'}folded\r\nContent-Length: ${b.length}\r\n\r\n${b}`,
  (r, b) => `HTTP/1.1 200 OK\r\nX-A: a${r.pick(['\x00', '\x01', '\x7f', '\r', '\x1b'])}b\r\nContent-Length: ${b.length}\r\n\r\n${b}`,
  (r, b) => `HTTP/1.1 200 OK\r\nContent-Length${r.pick([' ', '\t', '  '])}: ${b.length}\r\n\r\n${b}`,
  (r, b) => `HTTP/1.1 200 OK\r\nContent-Length: ${b.length}\r\nContent-Length: ${r.bool() ? b.length : b.length + 1}\r\n\r\n${b}`,
  (r, b) => `HTTP/1.1 200 OK\r\nContent-Length: ${b.length}, ${b.length}\r\n\r\n${b}`,
  (r, b) => `HTTP/1.1 200 OK\r\nContent-Length: ${r.pick(['-1', '+5', '0x10', '', 'abc', '1e3', '99999999999999999', ' 5 5'])}\r\n\r\n${b}`,
  (r, b) => `HTTP/1.1 200 OK\r\nTransfer-Encoding: ${r.pick(['identity', 'gzip', 'chunked, identity', 'gzip, chunked', 'chunked;q=1', 'xchunked', 'chunked, chunked'])}\r\n\r\n${chunked(b, r)}`,
  (r, b) => `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: ${b.length}\r\n\r\n${chunked(b, r)}`,
  (r, b) => `HTTP/1.1 200 OK\r\nContent-Length: ${b.length}\r\nTransfer-Encoding: chunked\r\n\r\n${chunked(b, r)}`,
  (r, b) => `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n${chunked(b, r)}`,
  (r, b) =>
    `${r.pick(['HTTP/2.0 200 OK', 'HTTP/1.2 200 OK', 'http/1.1 200 OK', 'HTTP/1.1 2OO OK', 'HTTP/1.1 20 OK', 'HTTP/1.1 2000 OK', 'HTTP/1.1  200 OK', 'HTTP/1.1 600 X', 'ICY 200 OK', 'HTTP/1.1 200 O\x00K'])}\r\nContent-Length: ${b.length}\r\n\r\n${b}`,
  (r, b) => `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n${b}`,
  (r, b) => `HTTP/1.1 200 OK\r\n${r.pick(['X(A)', 'X A', 'X/A', 'X\u00e9', 'X"A', '', 'X{A}'])}: v\r\nContent-Length: ${b.length}\r\n\r\n${b}`,
  (r, b) => `HTTP/1.1 200 OK\r\nNoColonHere\r\nContent-Length: ${b.length}\r\n\r\n${b}`,
  (r) => {
    // random bytes that do not start like a status line
    let s = r.pick(['', 'GARBAGE ', '<html>', '\x00\x01', 'HTTP ']);
    for (let k = 1 + r.int(200); k > 0; k--) s += String.fromCharCode(r.int(256));
    return 'X' + s + '\r\n\r\n';
  },
  (r, b) => `HTTP/1.1 200 OK\r\nX-Pad: ${'p'.repeat(16 * 1024 + r.int(2000))}\r\nContent-Length: ${b.length}\r\n\r\n${b}`,
  (r, b) => `HTTP/1.1 100 Continue\r\n${r.pick(['X A: 1', 'X: a\nb'])}\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: ${b.length}\r\n\r\n${b}`,
];

/** Truncations of the head, followed by the upstream's FIN. */
const TRUNCATED_HEAD = (r: Rng, b: string) => {
  const full = `HTTP/1.1 200 OK\r\nContent-Length: ${b.length}\r\n\r\n`;
  return full.slice(0, r.int(full.length - 1));
};

/** Body defects after a good head (for Content-Length framings the relayed status is followed by a cut). */
const BODY_DEFECTS: Array<{ make: (r: Rng, b: string, id: string) => string; close: boolean }> = [
  { make: (r, b, id) => `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Id: ${id}\r\n\r\n${r.pick(['zz', ' 5', '5 ', '-5', '0x5', '', 'f'.repeat(14)])}\r\n${b}\r\n0\r\n\r\n`, close: false },
  { make: (r, b, id) => `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Id: ${id}\r\n\r\n${Math.max(1, b.length - 1 - r.int(5)).toString(16)}\r\n${b}\r\n0\r\n\r\n`, close: false },
  {
    make: (r, b, id) => `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Id: ${id}\r\n\r\n${b.length.toString(16)}${r.pick(['\n', '\r', ';a\x00b\r\n', ';a\nb\r\n'])}${b}\r\n0\r\n\r\n`,
    close: false,
  },
  { make: (r, b, id) => `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Id: ${id}\r\n\r\n${b.length.toString(16)}\r\n${b}${r.pick(['\n', 'XX', '\r\r', ' \r\n'])}0\r\n\r\n`, close: false },
  {
    make: (r, b, id) =>
      `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Id: ${id}\r\n\r\n${b.length.toString(16)}\r\n${b}\r\n0\r\n${r.pick(['X-T: 1\n\r\n', 'X-T: 1\r\n folded\r\n\r\n', 'nocolon\r\n\r\n', 'Content-Length: 5\r\n\r\n', 'X T: 1\r\n\r\n'])}`,
    close: false,
  },
  {
    make: (r, b, id) => {
      const all = `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Id: ${id}\r\n\r\n${chunked(b, r)}`;
      const head = all.indexOf('\r\n\r\n') + 4;
      return all.slice(0, head + r.int(all.length - head - 1));
    },
    close: true,
  },
  { make: (r, b, id) => `HTTP/1.1 200 OK\r\nContent-Length: ${b.length + 1 + r.int(1000)}\r\nX-Id: ${id}\r\n\r\n${b}`, close: true },
];

/** The answer for fuzz case `n` to the request with `id`. */
function fuzzAnswer(n: number, id: string): Answer {
  const r = rng(SEED * 7919 + n);
  const body = bodyFor(id, r);
  const kind = r.int(10);
  if (kind < 4) return { bytes: r.pick(HEAD_DEFECTS)(r, body), close: r.int(4) === 0, expect: 'refuse' };
  if (kind === 4) return { bytes: TRUNCATED_HEAD(r, body), close: true, expect: 'refuse' };
  if (kind < 7) {
    const d = r.pick(BODY_DEFECTS);
    return { bytes: d.make(r, body, id), close: d.close, expect: 'cut' };
  }
  // Good answers that leave something behind, or that end with the connection.
  switch (r.int(5)) {
    case 0:
      return { bytes: wellFormed(id, r) + junk(r), close: false, expect: 'relay', status: 200 };
    case 1:
      return { bytes: `HTTP/1.1 204 No Content\r\nX-Id: ${id}\r\n${r.bool() ? 'Content-Length: 5\r\n' : ''}\r\n${junk(r)}`, close: false, expect: 'relay', status: 204 };
    case 2:
      return { bytes: `HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: ${body.length}\r\n\r\n${body}${junk(r)}`, close: false, expect: 'relay', status: 200 };
    case 3:
      return { bytes: `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Id: ${id}\r\n\r\n${body}`, close: true, expect: 'relay', status: 200 };
    default:
      return { bytes: `HTTP/1.0 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}${junk(r)}`, close: false, expect: 'relay', status: 200 };
  }
}

/** Answers each request on a connection in turn (the gateway sends no bodies here); counts requests per connection. */
function rawUpstream(perConn: number[]): net.Server {
  return net.createServer((sock) => {
    const k = perConn.push(0) - 1;
    let buf = '';
    sock.on('error', () => undefined);
    sock.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      for (let end = buf.indexOf('\r\n\r\n'); end >= 0; end = buf.indexOf('\r\n\r\n')) {
        const target = buf.slice(0, end).split(' ')[1];
        buf = buf.slice(end + 4);
        perConn[k]++;
        const m = /^\/(fuzz|good)\/(\d+)\?id=([\w-]+)$/.exec(target);
        if (!m) {
          sock.destroy();
          return;
        }
        const id = m[3];
        const a = m[1] === 'fuzz' ? fuzzAnswer(Number(m[2]), id) : { bytes: wellFormed(id, rng(SEED + Number(m[2]))), close: false };
        if (a.close) sock.end(a.bytes, 'latin1');
        else sock.write(a.bytes, 'latin1');
      }
    });
  });
}

interface Seen {
  status: number;
  body: string;
  complete: boolean;
  error: boolean;
}

function get(port: number, agent: http.Agent, path: string): Promise<Seen> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body, complete: res.complete, error: false }));
      res.on('error', () => resolve({ status: res.statusCode!, body, complete: false, error: true }));
      res.on('aborted', () => resolve({ status: res.statusCode!, body, complete: false, error: true }));
    });
    req.on('error', () => resolve({ status: 0, body: '', complete: false, error: true }));
  });
}

/** What is wrong with what a client saw for request `id` (fuzz case or control `n`); [] when nothing. */
function judge(fuzz: boolean, n: number, id: string, seen: Seen, tally: Record<string, number>): string[] {
  const problems: string[] = [];
  const a = fuzz ? fuzzAnswer(n, id) : { expect: 'relay' as Expect, status: 200 };
  const outcome = seen.status === 502 && seen.complete ? 'refused' : seen.error || !seen.complete ? 'cut' : `relayed ${seen.status}`;
  tally[`${a.expect} -> ${outcome}`] = (tally[`${a.expect} -> ${outcome}`] ?? 0) + 1;
  // Whatever happened, a body that names a request names this one (never `junk`, never another id).
  const ids = [...seen.body.matchAll(/id=([\w-]+);/g)].map((m) => m[1]);
  const foreign = ids.filter((x) => x !== id);
  const what = `${fuzz ? `fuzz case ${n}` : `control ${n}`} (${id})`;
  if (seen.status !== 502 && foreign.length > 0) problems.push(`${what} got a body for ${foreign.join(',')}`);
  const ok =
    a.expect === 'refuse'
      ? outcome === 'refused' && JSON.parse(seen.body).reason === 'upstream_unavailable'
      : a.expect === 'cut'
        ? outcome === 'cut' && (seen.status === 200 || seen.status === 0)
        : outcome === `relayed ${a.status}` && (a.status === 204 || ids.includes(id));
  if (!ok) problems.push(`${what}: expected ${a.expect}${a.status ? ' ' + a.status : ''}, got ${outcome} ${seen.body.slice(0, 80)}`);
  return problems;
}

describe('lean upstream client: response-framing fuzz (fixed seed)', () => {
  let gw: InProcessGateway;
  let upstream: net.Server;
  const perConn: number[] = [];

  beforeAll(async () => {
    upstream = rawUpstream(perConn);
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(upstream.address() as net.AddressInfo).port}`;
    gw = await startGatewayInProcess({
      env: { GATEWAY_UPSTREAM_CLIENT: 'lean', GATEWAY_UPSTREAM_TIMEOUT_MS: 2000 },
      source: () => ({
        revision: 1,
        settings: { ...DEFAULT_SETTINGS, global_auth: false },
        consumers: [],
        routes: [{ name: 'raw', hosts: [], path_prefix: '/', upstream: url, strip_prefix: false }],
        rules: [],
      }),
    });
  });
  afterAll(async () => {
    await gw?.close();
    await new Promise<void>((r) => upstream?.close(() => r()));
  });

  it(`${CASES} generated answers between well-formed ones: each refused, cut or relayed as sent; every client sees its own id`, async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    const problems: string[] = [];
    const tally: Record<string, number> = {};
    await runConcurrent(CASES * 2, 8, async (i) => {
      const n = i >> 1;
      const id = `r${i}`;
      const fuzz = (i & 1) === 1;
      const seen = await get(gw.port, agent, `/${fuzz ? 'fuzz' : 'good'}/${n}?id=${id}`);
      problems.push(...judge(fuzz, n, id, seen, tally));
    });
    agent.destroy();
    expect(problems.slice(0, 20)).toEqual([]);
    // Every kind of case was generated and met (and nothing timed out: a 504 would be a problem above).
    expect(Object.keys(tally).sort()).toEqual(['cut -> cut', 'refuse -> refused', 'relay -> relayed 200', 'relay -> relayed 204']);
    // The control is meaningful only if upstream connections were reused between answers.
    // (a request on a connection that had already carried one: most of the controls, after a clean answer).
    const reused = perConn.reduce((sum, c) => sum + Math.max(0, c - 1), 0);
    expect(reused).toBeGreaterThan(CASES / 2);
  });

  it("control: the same check reports a mixed-up response (an upstream answering each request with the previous one's id)", async () => {
    let last = 'none';
    const stale = net.createServer((sock) => {
      sock.on('error', () => undefined);
      sock.on('data', (d: Buffer) => {
        const id = /\?id=([\w-]+)/.exec(d.toString('latin1'))?.[1] ?? 'none';
        const body = `id=${last};`;
        last = id;
        sock.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
      });
    });
    await new Promise<void>((r) => stale.listen(0, '127.0.0.1', r));
    const other = await startGatewayInProcess({
      env: { GATEWAY_UPSTREAM_CLIENT: 'lean' },
      source: () => ({
        revision: 1,
        settings: { ...DEFAULT_SETTINGS, global_auth: false },
        consumers: [],
        routes: [{ name: 'stale', hosts: [], path_prefix: '/', upstream: `http://127.0.0.1:${(stale.address() as net.AddressInfo).port}`, strip_prefix: false }],
        rules: [],
      }),
    });
    try {
      const agent = new http.Agent({ keepAlive: true });
      const problems: string[] = [];
      for (let n = 0; n < 3; n++) problems.push(...judge(false, n, `s${n}`, await get(other.port, agent, `/good/${n}?id=s${n}`), {}));
      agent.destroy();
      expect(problems).toEqual(expect.arrayContaining(['control 1 (s1) got a body for s0', 'control 2 (s2) got a body for s1']));
    } finally {
      await other.close();
      await new Promise<void>((r) => stale.close(() => r()));
    }
  });
});
