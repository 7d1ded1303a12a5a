/**
 * Response-framing fuzz for the upstream client the gateway ships (undici Pools, undici-client.ts,
 * with the gateway's own checks in exchange.ts). A raw net.Server upstream answers 3,000 generated
 * answers (fixed seed: a failure replays) through the real data plane in this process, between
 * well-formed control answers. The gateway re-frames every answer for its own client, so the
 * downstream never sees the upstream's framing: what must hold is that no client ever gets another
 * request's answer, nothing hangs, and each class of answer gets the one outcome RFC 9112 and the
 * shipped client give it (the `expect` of each generator below, with its reason):
 * - refused, a complete 502 `upstream_unavailable`: a broken head (bare LF, obs-fold, control bytes,
 *   bad names, whitespace before the colon, two or listed Content-Length, a bad Content-Length, both
 *   Transfer-Encoding and Content-Length, bad status lines, a status above 599, a 101 nobody asked
 *   for, random bytes, a head over 16 KiB, a truncated head);
 * - cut, the client connection closed without a complete answer (a status, if one came, is the
 *   upstream's): a broken or truncated body after a good head, a Content-Length no body reaches,
 *   a Content-Length on a 204, a close-delimited body on a connection the upstream keeps open
 *   (cut at the upstream timeout);
 * - relayed, the status and exactly the body the framing gives: a good answer followed by bytes
 *   nobody asked for (dropped with the connection), `Connection: close`, HTTP/1.0, a 204 with bytes
 *   after its head, a body delimited by the upstream's close, a Transfer-Encoding whose final coding
 *   is not chunked (close-delimited, RFC 9112 §6.3 rule 4: the raw bytes are the body), chunked
 *   listed twice or after another coding (decoded once), an unsolicited 100 with odd header lines
 *   (dropped whole), a status line undici reads leniently (a NUL in the reason phrase, which a client
 *   ignores: RFC 9112 §4; `HTTP/2.0`).
 * Every request carries a unique id and every answer the upstream means for it carries that id
 * (smuggled answers carry `junk`): a client that gets any body must find no other id in it, so a
 * socket reused after an unclean answer would show as a mixed-up response. The gateway's upstream
 * timeout is 2 s and the upstream never stalls but in the one class above (a truncated answer is
 * followed by a FIN), so a request the client failed to end would show as a 504.
 */
import * as http from 'node:http';
import * as net from 'node:net';
import { DEFAULT_SETTINGS } from '@oauth2/core';
import { metricValue, rng, runConcurrent } from '@oauth2/testing';
import { startGatewayInProcess, type InProcessGateway, type InProcessGatewayEnv } from '../libs/testing/src/gateway-in-process';

const SEED = 18_2026;
const CASES = 3000;

/**
 * What the client must see: `refuse` a complete 502 upstream_unavailable; `cut` the connection
 * closed without a complete answer (with `status` or no status at all); `relay` `status` and
 * exactly `body`.
 */
type Expect = 'refuse' | 'cut' | 'relay';
interface Verdict {
  /** The generator class (the tally: every class must be met). */
  cls: string;
  expect: Expect;
  status?: number;
  body?: string;
}
interface Answer extends Verdict {
  bytes: string;
  /** The upstream closes its side after writing (truncations, close-delimited bodies). */
  close: boolean;
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
function wellFormed(id: string, r: Rng): { bytes: string; body: string } {
  const body = bodyFor(id, r);
  const interim = r.int(6) === 0 ? 'HTTP/1.1 100 Continue\r\n\r\n' : '';
  if (r.bool()) return { bytes: `${interim}HTTP/1.1 200 OK\r\n${extraHeaders(r)}Content-Length: ${body.length}\r\nX-Id: ${id}\r\n\r\n${body}`, body };
  return { bytes: `${interim}HTTP/1.1 200 OK\r\n${extraHeaders(r)}Transfer-Encoding: chunked\r\nX-Id: ${id}\r\n\r\n${chunked(body, r, false)}`, body };
}

const junk = (r: Rng) => {
  const b = `id=junk;${filler(r, 50)}`;
  return `HTTP/1.1 200 OK\r\nX-Id: junk\r\nContent-Length: ${b.length}\r\n\r\n${b}`;
};

/** A head defect's bytes and verdict; `closeDelimited`: the body runs to the upstream's close (decided by fuzzAnswer). */
type Made = { bytes: string; cls: string } & ({ closeDelimited: true } | Omit<Verdict, 'cls'>);
const refused = (cls: string, bytes: string): Made => ({ cls, bytes, expect: 'refuse' });
const relayed = (cls: string, bytes: string, body: string): Made => ({ cls, bytes, expect: 'relay', status: 200, body });

/** Head defects: a valid-looking status line and headers with exactly one thing wrong (or odd). */
const HEAD_DEFECTS: Array<(r: Rng, body: string) => Made> = [
  (r, b) => refused('head: bare LF line ends', `HTTP/1.1 200 OK\nContent-Length: ${b.length}\n\n${b}`),
  (r, b) => refused('head: one bare LF', `HTTP/1.1 200 OK\r\nContent-Length: ${b.length}\r\nX-A: a\nX-B: b\r\n\r\n${b}`),
  (r, b) => refused('head: obs-fold', `HTTP/1.1 200 OK\r\nX-A: a\r\n${r.bool() ? ' ' : '\t'}folded\r\nContent-Length: ${b.length}\r\n\r\n${b}`),
  (r, b) => refused('head: control byte in a value', `HTTP/1.1 200 OK\r\nX-A: a${r.pick(['\x00', '\x01', '\x7f', '\r', '\x1b'])}b\r\nContent-Length: ${b.length}\r\n\r\n${b}`),
  (r, b) => refused('head: whitespace before the colon', `HTTP/1.1 200 OK\r\nContent-Length${r.pick([' ', '\t', '  '])}: ${b.length}\r\n\r\n${b}`),
  (r, b) => refused('head: two Content-Length', `HTTP/1.1 200 OK\r\nContent-Length: ${b.length}\r\nContent-Length: ${r.bool() ? b.length : b.length + 1}\r\n\r\n${b}`),
  (r, b) => refused('head: listed Content-Length', `HTTP/1.1 200 OK\r\nContent-Length: ${b.length}, ${b.length}\r\n\r\n${b}`),
  (r, b) => {
    const cl = r.pick(['-1', '+5', '0x10', '', 'abc', '1e3', '99999999999999999', ' 5 5']);
    const bytes = `HTTP/1.1 200 OK\r\nContent-Length: ${cl}\r\n\r\n${b}`;
    // 1*DIGIT, so valid (RFC 9112 §6.3 rule 6): the head is relayed, and the body never completes.
    if (cl === '99999999999999999') return { cls: 'head: a Content-Length no body reaches', bytes, expect: 'cut', status: 200 };
    return refused('head: bad Content-Length', bytes);
  },
  (r, b) => {
    const te = r.pick(['identity', 'gzip', 'chunked, identity', 'gzip, chunked', 'chunked;q=1', 'xchunked', 'chunked, chunked']);
    const bytes = `HTTP/1.1 200 OK\r\nTransfer-Encoding: ${te}\r\n\r\n${chunked(b, r)}`;
    // RFC 9112 §6.3 rule 4: chunked last is decoded (once); otherwise the body runs to the close.
    if (te === 'gzip, chunked' || te === 'chunked, chunked') return relayed('head: chunked after another coding or twice (decoded once)', bytes, b);
    return { cls: 'head: Transfer-Encoding not ending in chunked (close-delimited)', bytes, closeDelimited: true };
  },
  (r, b) => refused('head: Transfer-Encoding and Content-Length', `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: ${b.length}\r\n\r\n${chunked(b, r)}`),
  (r, b) => refused('head: Content-Length and Transfer-Encoding', `HTTP/1.1 200 OK\r\nContent-Length: ${b.length}\r\nTransfer-Encoding: chunked\r\n\r\n${chunked(b, r)}`),
  (r, b) => relayed('head: chunked on two lines (decoded once)', `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n${chunked(b, r)}`, b),
  (r, b) => {
    const line = r.pick([
      'HTTP/2.0 200 OK',
      'HTTP/1.2 200 OK',
      'http/1.1 200 OK',
      'HTTP/1.1 2OO OK',
      'HTTP/1.1 20 OK',
      'HTTP/1.1 2000 OK',
      'HTTP/1.1  200 OK',
      'HTTP/1.1 600 X',
      'ICY 200 OK',
      'HTTP/1.1 200 O\x00K',
    ]);
    const bytes = `${line}\r\nContent-Length: ${b.length}\r\n\r\n${b}`;
    // The reason phrase is ignored (RFC 9112 §4); llhttp takes HTTP/2.0's version and the Content-Length frames it.
    if (line === 'HTTP/2.0 200 OK' || line === 'HTTP/1.1 200 O\x00K') return relayed('head: status line read leniently (reason, version)', bytes, b);
    // RFC 9110 §15: not a status; the gateway's own check (exchange.ts), as undici takes any three digits.
    if (line === 'HTTP/1.1 600 X') return refused('head: status above 599', bytes);
    return refused('head: bad status line', bytes);
  },
  (r, b) => refused('head: 101 nobody asked for', `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n${b}`),
  (r, b) => refused('head: bad header name', `HTTP/1.1 200 OK\r\n${r.pick(['X(A)', 'X A', 'X/A', 'X\u00e9', 'X"A', '', 'X{A}'])}: v\r\nContent-Length: ${b.length}\r\n\r\n${b}`),
  (r, b) => refused('head: line without a colon', `HTTP/1.1 200 OK\r\nNoColonHere\r\nContent-Length: ${b.length}\r\n\r\n${b}`),
  (r) => {
    // random bytes that do not start like a status line
    let s = r.pick(['', 'GARBAGE ', '<html>', '\x00\x01', 'HTTP ']);
    for (let k = 1 + r.int(200); k > 0; k--) s += String.fromCharCode(r.int(256));
    return refused('head: random bytes', 'X' + s + '\r\n\r\n');
  },
  (r, b) => refused('head: over 16 KiB', `HTTP/1.1 200 OK\r\nX-Pad: ${'p'.repeat(16 * 1024 + r.int(2000))}\r\nContent-Length: ${b.length}\r\n\r\n${b}`),
  // The interim answer is dropped whole up to its empty line, unread (undici-client.ts tolerateContinue); a 1xx is never relayed.
  (r, b) =>
    relayed(
      'head: 100 Continue with odd header lines, then the answer',
      `HTTP/1.1 100 Continue\r\n${r.pick(['X A: 1', 'X: a\nb'])}\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: ${b.length}\r\n\r\n${b}`,
      b,
    ),
];

/** Truncations of the head, followed by the upstream's FIN. */
const TRUNCATED_HEAD = (r: Rng, b: string) => {
  const full = `HTTP/1.1 200 OK\r\nContent-Length: ${b.length}\r\n\r\n`;
  return full.slice(0, r.int(full.length - 1));
};

/** Body defects after a good head: cut (the status, if it went out, was 200). */
const BODY_DEFECTS: Array<{ cls: string; make: (r: Rng, b: string, id: string) => string; close: boolean }> = [
  {
    cls: 'body: bad chunk size',
    make: (r, b, id) => `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Id: ${id}\r\n\r\n${r.pick(['zz', ' 5', '5 ', '-5', '0x5', '', 'f'.repeat(14)])}\r\n${b}\r\n0\r\n\r\n`,
    close: false,
  },
  {
    cls: 'body: chunk shorter than its data',
    make: (r, b, id) => `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Id: ${id}\r\n\r\n${Math.max(1, b.length - 1 - r.int(5)).toString(16)}\r\n${b}\r\n0\r\n\r\n`,
    close: false,
  },
  {
    cls: 'body: bad chunk-size line end or extension',
    make: (r, b, id) => `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Id: ${id}\r\n\r\n${b.length.toString(16)}${r.pick(['\n', '\r', ';a\x00b\r\n', ';a\nb\r\n'])}${b}\r\n0\r\n\r\n`,
    close: false,
  },
  {
    cls: 'body: no CRLF after chunk data',
    make: (r, b, id) => `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Id: ${id}\r\n\r\n${b.length.toString(16)}\r\n${b}${r.pick(['\n', 'XX', '\r\r', ' \r\n'])}0\r\n\r\n`,
    close: false,
  },
  {
    cls: 'body: bad trailer',
    make: (r, b, id) =>
      `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Id: ${id}\r\n\r\n${b.length.toString(16)}\r\n${b}\r\n0\r\n${r.pick(['X-T: 1\n\r\n', 'X-T: 1\r\n folded\r\n\r\n', 'nocolon\r\n\r\n', 'Content-Length: 5\r\n\r\n', 'X T: 1\r\n\r\n'])}`,
    close: false,
  },
  {
    cls: 'body: chunked, truncated',
    make: (r, b, id) => {
      const all = `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Id: ${id}\r\n\r\n${chunked(b, r)}`;
      const head = all.indexOf('\r\n\r\n') + 4;
      return all.slice(0, head + r.int(all.length - head - 1));
    },
    close: true,
  },
  { cls: 'body: shorter than its Content-Length', make: (r, b, id) => `HTTP/1.1 200 OK\r\nContent-Length: ${b.length + 1 + r.int(1000)}\r\nX-Id: ${id}\r\n\r\n${b}`, close: true },
];

/** The answer for fuzz case `n` to the request with `id`. */
function fuzzAnswer(n: number, id: string): Answer {
  const r = rng(SEED * 7919 + n);
  const body = bodyFor(id, r);
  const kind = r.int(10);
  if (kind < 4) {
    const { closeDelimited, ...made } = { closeDelimited: false, ...r.pick(HEAD_DEFECTS)(r, body) };
    const close = r.int(4) === 0;
    if (!closeDelimited) return { expect: 'refuse', ...made, close };
    // The body is every byte after the head, up to the upstream's close; an upstream that keeps the
    // connection open never ends it: the head is out, so the upstream timeout cuts the client.
    const raw = made.bytes.slice(made.bytes.indexOf('\r\n\r\n') + 4);
    return close
      ? { cls: `${made.cls}, the upstream closes`, bytes: made.bytes, close, expect: 'relay', status: 200, body: raw }
      : { cls: `${made.cls}, the upstream keeps the connection`, bytes: made.bytes, close, expect: 'cut', status: 200 };
  }
  if (kind === 4) return { cls: 'head: truncated', bytes: TRUNCATED_HEAD(r, body), close: true, expect: 'refuse' };
  if (kind < 7) {
    const d = r.pick(BODY_DEFECTS);
    return { cls: d.cls, bytes: d.make(r, body, id), close: d.close, expect: 'cut', status: 200 };
  }
  // Good answers that leave something behind, or that end with the connection.
  switch (r.int(5)) {
    case 0: {
      const w = wellFormed(id, r);
      return { cls: 'after: an answer nobody asked for', bytes: w.bytes + junk(r), close: false, expect: 'relay', status: 200, body: w.body };
    }
    case 1: {
      const declared = r.bool();
      const bytes = `HTTP/1.1 204 No Content\r\nX-Id: ${id}\r\n${declared ? 'Content-Length: 5\r\n' : ''}\r\n${junk(r)}`;
      // RFC 9112 §6.3 rule 1 ends a 204 at its empty line whatever its headers (and a server must not
      // send a Content-Length on one, RFC 9110 §8.6); undici holds the answer to the length it declared:
      // a mismatch, the exchange fails before anything reached the client, whose connection is closed.
      if (declared) return { cls: 'after: a 204 declaring a Content-Length', bytes, close: false, expect: 'cut', status: 204 };
      return { cls: 'after: bytes after a 204', bytes, close: false, expect: 'relay', status: 204, body: '' };
    }
    case 2:
      return {
        cls: 'after: Connection: close, then more',
        bytes: `HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: ${body.length}\r\n\r\n${body}${junk(r)}`,
        close: false,
        expect: 'relay',
        status: 200,
        body,
      };
    case 3:
      return { cls: 'body: delimited by the close', bytes: `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Id: ${id}\r\n\r\n${body}`, close: true, expect: 'relay', status: 200, body };
    default:
      return { cls: 'after: HTTP/1.0, then more', bytes: `HTTP/1.0 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}${junk(r)}`, close: false, expect: 'relay', status: 200, body };
  }
}

/** Every class the generator above can give (the tally must meet each). */
const CLASSES = [
  'head: bare LF line ends',
  'head: one bare LF',
  'head: obs-fold',
  'head: control byte in a value',
  'head: whitespace before the colon',
  'head: two Content-Length',
  'head: listed Content-Length',
  'head: bad Content-Length',
  'head: a Content-Length no body reaches',
  'head: chunked after another coding or twice (decoded once)',
  'head: Transfer-Encoding not ending in chunked (close-delimited), the upstream closes',
  'head: Transfer-Encoding not ending in chunked (close-delimited), the upstream keeps the connection',
  'head: Transfer-Encoding and Content-Length',
  'head: Content-Length and Transfer-Encoding',
  'head: chunked on two lines (decoded once)',
  'head: status line read leniently (reason, version)',
  'head: status above 599',
  'head: bad status line',
  'head: 101 nobody asked for',
  'head: bad header name',
  'head: line without a colon',
  'head: random bytes',
  'head: over 16 KiB',
  'head: 100 Continue with odd header lines, then the answer',
  'head: truncated',
  ...BODY_DEFECTS.map((d) => d.cls),
  'after: an answer nobody asked for',
  'after: a 204 declaring a Content-Length',
  'after: bytes after a 204',
  'after: Connection: close, then more',
  'body: delimited by the close',
  'after: HTTP/1.0, then more',
];

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
        const a = m[1] === 'fuzz' ? fuzzAnswer(Number(m[2]), id) : { bytes: wellFormed(id, rng(SEED + Number(m[2]))).bytes, close: false };
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

/** A gateway in this process with one route, `name`, for every path to the raw `server` (no auth). */
function gatewayTo(name: string, server: net.Server, env: InProcessGatewayEnv = {}): Promise<InProcessGateway> {
  const upstream = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return startGatewayInProcess({
    env,
    source: () => ({
      revision: 1,
      settings: { ...DEFAULT_SETTINGS, global_auth: false },
      consumers: [],
      routes: [{ name, hosts: [], path_prefix: '/', upstream, strip_prefix: false }],
      rules: [],
    }),
  });
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
function judge(fuzz: boolean, n: number, id: string, seen: Seen, tally: Record<string, number>, classes: Record<string, number> = {}): string[] {
  const problems: string[] = [];
  const a: Verdict = fuzz ? fuzzAnswer(n, id) : { cls: 'control', expect: 'relay', status: 200, body: wellFormed(id, rng(SEED + n)).body };
  const outcome = seen.status === 502 && seen.complete ? 'refused' : seen.error || !seen.complete ? 'cut' : `relayed ${seen.status}`;
  tally[`${a.expect} -> ${outcome}`] = (tally[`${a.expect} -> ${outcome}`] ?? 0) + 1;
  if (fuzz) classes[a.cls] = (classes[a.cls] ?? 0) + 1;
  // Whatever happened, a body that names a request names this one (never `junk`, never another id).
  const ids = [...seen.body.matchAll(/id=([\w-]+);/g)].map((m) => m[1]);
  const foreign = ids.filter((x) => x !== id);
  const what = `${fuzz ? `fuzz case ${n}` : `control ${n}`} (${id})`;
  if (seen.status !== 502 && foreign.length > 0) problems.push(`${what} got a body for ${foreign.join(',')}`);
  const ok =
    a.expect === 'refuse'
      ? outcome === 'refused' && JSON.parse(seen.body).reason === 'upstream_unavailable'
      : a.expect === 'cut'
        ? outcome === 'cut' && (seen.status === 0 || seen.status === a.status)
        : outcome === `relayed ${a.status}` && seen.body === a.body;
  if (!ok) problems.push(`${what} [${a.cls}]: expected ${a.expect}${a.status ? ' ' + a.status : ''}, got ${outcome} ${JSON.stringify(seen.body.slice(0, 80))}`);
  return problems;
}

describe('the shipped upstream client (undici): response-framing fuzz (fixed seed)', () => {
  let gw: InProcessGateway;
  let upstream: net.Server;
  const perConn: number[] = [];

  beforeAll(async () => {
    upstream = rawUpstream(perConn);
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    gw = await gatewayTo('raw', upstream, { GATEWAY_UPSTREAM_TIMEOUT_MS: 2000 });
  });
  afterAll(async () => {
    await gw?.close();
    await new Promise<void>((r) => upstream?.close(() => r()));
  });

  it(`${CASES} generated answers between well-formed ones: each refused, cut or relayed as its class says; every client sees its own id`, async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    const problems: string[] = [];
    const tally: Record<string, number> = {};
    const classes: Record<string, number> = {};
    await runConcurrent(CASES * 2, 8, async (i) => {
      const n = i >> 1;
      const id = `r${i}`;
      const fuzz = (i & 1) === 1;
      const seen = await get(gw.port, agent, `/${fuzz ? 'fuzz' : 'good'}/${n}?id=${id}`);
      problems.push(...judge(fuzz, n, id, seen, tally, classes));
    });
    agent.destroy();
    expect(problems.slice(0, 20)).toEqual([]);
    // Every class was generated (each case of it judged above), every outcome met, and nothing timed
    // out (a 504 would be a problem above).
    expect(Object.keys(classes).sort()).toEqual([...CLASSES].sort());
    expect(Object.keys(tally).sort()).toEqual(['cut -> cut', 'refuse -> refused', 'relay -> relayed 200', 'relay -> relayed 204']);
    // The control is meaningful only if upstream connections were reused between answers.
    // (a request on a connection that had already carried one: most of the controls, after a clean answer).
    const reused = perConn.reduce((sum, c) => sum + Math.max(0, c - 1), 0);
    expect(reused).toBeGreaterThan(CASES / 2);
  });

  it('a final status above 599 (600, 999: undici takes any three digits) is a 502 upstream_unavailable, counted, and its upstream connection is not reused; 599 is relayed', async () => {
    const conns: string[][] = [];
    const odd = net.createServer((sock) => {
      const seen: string[] = [];
      conns.push(seen);
      sock.on('error', () => undefined);
      sock.on('data', (d: Buffer) => {
        const status = /\/status\/(\d+)/.exec(d.toString('latin1'))?.[1] ?? '500';
        seen.push(status);
        sock.write(`HTTP/1.1 ${status} X\r\nContent-Length: 6\r\n\r\nid=up;`);
      });
    });
    await new Promise<void>((r) => odd.listen(0, '127.0.0.1', r));
    const other = await gatewayTo('odd', odd);
    try {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const got: Array<[number, string]> = [];
      for (const status of ['599', '600', '200', '999', '200']) {
        const seen = await get(other.port, agent, `/status/${status}`);
        got.push([seen.status, seen.status === 502 ? JSON.parse(seen.body).reason : seen.body]);
      }
      agent.destroy();
      expect(got).toEqual([
        [599, 'id=up;'],
        [502, 'upstream_unavailable'],
        [200, 'id=up;'],
        [502, 'upstream_unavailable'],
        [200, 'id=up;'],
      ]);
      // 599 left its connection reusable; each invalid status ended its own.
      expect(conns).toEqual([['599', '600'], ['200', '999'], ['200']]);
      expect(metricValue(await other.metrics.registry.metrics(), 'gateway_requests_total', { route: 'odd', reason: 'upstream_unavailable' })).toBe(2);
    } finally {
      await other.close();
      await new Promise<void>((r) => odd.close(() => r()));
    }
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
    const other = await gatewayTo('stale', stale);
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
