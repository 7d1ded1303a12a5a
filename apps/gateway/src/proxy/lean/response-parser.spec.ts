import { MAX_HEAD, ResponseParser, type ResponseEvents } from './response-parser';

interface Outcome {
  status?: number;
  headers?: string[];
  body: string;
  /** 'reuse' | 'close' (complete, not reusable) | 'invalid: reason' | 'pending' (still waiting) */
  end: string;
}

/** Feeds `pieces` (then EOF when `eof`) to a fresh parser and records what it reported. */
function run(pieces: Array<string | Buffer>, opts: { head?: boolean; eof?: boolean } = {}): Outcome {
  const out: Outcome = { body: '', end: 'pending' };
  const ev: ResponseEvents = {
    onHead: (status, headers) => {
      out.status = status;
      out.headers = headers;
    },
    onBody: (c) => (out.body += c.toString('latin1')),
    onComplete: (reusable, last) => {
      if (last !== null) out.body += last.toString('latin1');
      out.end = reusable ? 'reuse' : 'close';
    },
    onInvalid: (reason) => (out.end = `invalid: ${reason}`),
  };
  const p = new ResponseParser(ev);
  p.reset(opts.head === true);
  for (const x of pieces) p.execute(typeof x === 'string' ? Buffer.from(x, 'latin1') : x);
  if (opts.eof) p.finish();
  return out;
}

/** The same bytes one at a time, and split at every position: the outcome must not depend on the split. */
function splits(text: string, opts: { head?: boolean; eof?: boolean; whole?: boolean } = {}): Outcome[] {
  if (opts.whole) return [run([text], opts)];
  const all = [run([text], opts), run(text.split(''), opts)];
  for (let k = 1; k < text.length; k += Math.max(1, Math.floor(text.length / 17))) all.push(run([text.slice(0, k), text.slice(k)], opts));
  return all;
}

const OK = 'HTTP/1.1 200 OK\r\n';

describe('ResponseParser: valid framings', () => {
  it.each<[string, string, { head?: boolean; eof?: boolean; whole?: boolean }, Partial<Outcome>]>([
    ['Content-Length', `${OK}Content-Length: 5\r\nX-A: b\r\n\r\nhello`, {}, { status: 200, body: 'hello', end: 'reuse', headers: ['content-length', '5', 'x-a', 'b'] }],
    ['Content-Length 0', `${OK}Content-Length: 0\r\n\r\n`, {}, { body: '', end: 'reuse' }],
    ['chunked', `${OK}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n`, {}, { body: 'hello world', end: 'reuse' }],
    ['chunked, upper-case hex and TE value', `${OK}Transfer-Encoding: Chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n`, {}, { body: '0123456789', end: 'reuse' }],
    ['chunked with extensions', `${OK}Transfer-Encoding: chunked\r\n\r\n5;name=value;q="x y"\r\nhello\r\n0;last\r\n\r\n`, {}, { body: 'hello', end: 'reuse' }],
    ['chunked with trailers (dropped)', `${OK}Transfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\nX-Trailer: 1\r\nX-Other: two\r\n\r\n`, {}, { body: 'hi', end: 'reuse' }],
    ['no reason phrase', 'HTTP/1.1 204\r\n\r\n', {}, { status: 204, end: 'reuse' }],
    ['empty reason phrase', 'HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n', {}, { status: 200, end: 'reuse' }],
    ['obs-text in a value, OWS trimmed', `${OK}X-A: \t caf\xe9 \t\r\nContent-Length: 0\r\n\r\n`, {}, { headers: ['x-a', 'caf\xe9', 'content-length', '0'] }],
    ['empty value', `${OK}X-Empty:\r\nContent-Length: 0\r\n\r\n`, {}, { headers: ['x-empty', '', 'content-length', '0'], end: 'reuse' }],
    [
      'duplicate ordinary headers kept in order',
      `${OK}Set-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 0\r\n\r\n`,
      {},
      { headers: ['set-cookie', 'a=1', 'set-cookie', 'b=2', 'content-length', '0'] },
    ],
    ['100 Continue skipped', `HTTP/1.1 100 Continue\r\n\r\n${OK}Content-Length: 2\r\n\r\nok`, {}, { status: 200, body: 'ok', end: 'reuse' }],
    [
      'several 1xx (100, 100 with a header, 103) skipped',
      `HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 100 Continue\r\nX-A: 1\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n${OK}Content-Length: 2\r\n\r\nok`,
      {},
      { status: 200, body: 'ok' },
    ],
    ['204: no body even with Content-Length 0', 'HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n', {}, { status: 204, body: '', end: 'reuse' }],
    ['304: Content-Length describes the representation, no body', 'HTTP/1.1 304 Not Modified\r\nContent-Length: 1234\r\n\r\n', {}, { status: 304, body: '', end: 'reuse' }],
    ['HEAD: Content-Length without a body', `${OK}Content-Length: 1234\r\n\r\n`, { head: true }, { body: '', end: 'reuse' }],
    ['HEAD answered chunked: no body, connection not reused', `${OK}Transfer-Encoding: chunked\r\n\r\n`, { head: true }, { body: '', end: 'close' }],
    ['close-delimited body ends at EOF, not reused', `${OK}Content-Type: text/plain\r\n\r\nall of it`, { eof: true }, { body: 'all of it', end: 'close' }],
    ['HTTP/1.0 with Content-Length: complete, not reused', 'HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok', {}, { body: 'ok', end: 'close' }],
    ['Connection: close', `${OK}Connection: close\r\nContent-Length: 2\r\n\r\nok`, {}, { body: 'ok', end: 'close' }],
    ['Connection: a list naming close', `${OK}Connection: x-a, Close\r\nContent-Length: 2\r\n\r\nok`, {}, { end: 'close' }],
    // In one read only: bytes arriving later, on an idle connection, are the client's to refuse (lean-client.ts).
    ['bytes after the end of the answer: complete, not reused', `${OK}Content-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n\r\n`, { whole: true }, { body: 'ok', end: 'close' }],
    ['bytes after a chunked answer: complete, not reused', `${OK}Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nX`, { whole: true }, { end: 'close' }],
  ])('%s', (_name, text, opts, want) => {
    for (const got of splits(text, opts)) expect(got).toMatchObject(want);
  });

  it('a body far larger than one chunk arrives whole (Content-Length and chunked)', () => {
    const big = 'x'.repeat(200_000);
    expect(run([`${OK}Content-Length: ${big.length}\r\n\r\n`, big.slice(0, 70_000), big.slice(70_000)])).toMatchObject({ body: big, end: 'reuse' });
    const chunked = `${OK}Transfer-Encoding: chunked\r\n\r\n${big.length.toString(16)}\r\n${big}\r\n0\r\n\r\n`;
    expect(run([chunked.slice(0, 100), chunked.slice(100, 150_000), chunked.slice(150_000)])).toMatchObject({ body: big, end: 'reuse' });
  });

  it('a head of exactly MAX_HEAD bytes is taken', () => {
    const line = `${OK}Content-Length: 0\r\nX-Pad: `;
    const pad = 'p'.repeat(MAX_HEAD - line.length - 2);
    expect(run([`${line}${pad}\r\n\r\n`]).end).toBe('reuse');
  });
});

describe('ResponseParser: refused framings (the connection is closed, the request a 502)', () => {
  it.each<[string, string, { head?: boolean; eof?: boolean }?]>([
    ['not HTTP at all', 'this is not HTTP at all\r\n\r\n'],
    ['HTTP/2.0 status line', 'HTTP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n'],
    ['HTTP/1.2', 'HTTP/1.2 200 OK\r\nContent-Length: 0\r\n\r\n'],
    ['lower-case protocol', 'http/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'],
    ['two-digit status', 'HTTP/1.1 20 OK\r\nContent-Length: 0\r\n\r\n'],
    ['four-digit status', 'HTTP/1.1 2000 OK\r\nContent-Length: 0\r\n\r\n'],
    ['status 600', 'HTTP/1.1 600 X\r\nContent-Length: 0\r\n\r\n'],
    ['status 099', 'HTTP/1.1 099 X\r\nContent-Length: 0\r\n\r\n'],
    ['two spaces before the status', 'HTTP/1.1  200 OK\r\nContent-Length: 0\r\n\r\n'],
    ['NUL in the reason', 'HTTP/1.1 200 O\x00K\r\nContent-Length: 0\r\n\r\n'],
    ['bare LF line endings', 'HTTP/1.1 200 OK\nContent-Length: 0\n\n'],
    ['a bare LF inside the head', `${OK}Content-Length: 0\nX-A: b\r\n\r\n`],
    ['a bare CR inside a value', `${OK}X-A: b\rc\r\nContent-Length: 0\r\n\r\n`],
    ['NUL in a value', `${OK}X-A: b\x00c\r\nContent-Length: 0\r\n\r\n`],
    ['DEL in a value', `${OK}X-A: b\x7fc\r\nContent-Length: 0\r\n\r\n`],
    ['other control character in a value', `${OK}X-A: b\x01c\r\nContent-Length: 0\r\n\r\n`],
    ['NUL in a name', `${OK}X-\x00A: b\r\nContent-Length: 0\r\n\r\n`],
    ['obs-fold', `${OK}X-A: b\r\n  folded\r\nContent-Length: 0\r\n\r\n`],
    ['obs-fold with a tab', `${OK}Content-Length: 0\r\n\tTransfer-Encoding: chunked\r\n\r\n`],
    ['space before the colon', `${OK}Content-Length : 0\r\n\r\n`],
    ['space inside a name', `${OK}Content Length: 0\r\n\r\n`],
    ['a name with a non-token character', `${OK}X(A): b\r\nContent-Length: 0\r\n\r\n`],
    ['a non-ASCII name', `${OK}X-\xe9: b\r\nContent-Length: 0\r\n\r\n`],
    ['empty name', `${OK}: b\r\nContent-Length: 0\r\n\r\n`],
    ['a line without a colon', `${OK}Content-Length 0\r\n\r\n`],
    ['two equal Content-Length', `${OK}Content-Length: 2\r\nContent-Length: 2\r\n\r\nok`],
    ['two different Content-Length', `${OK}Content-Length: 2\r\nContent-Length: 5\r\n\r\nok`],
    ['a Content-Length list', `${OK}Content-Length: 2, 2\r\n\r\nok`],
    ['a negative Content-Length', `${OK}Content-Length: -1\r\n\r\n`],
    ['a signed Content-Length', `${OK}Content-Length: +2\r\n\r\nok`],
    ['a hex Content-Length', `${OK}Content-Length: 0x2\r\n\r\nok`],
    ['an empty Content-Length', `${OK}Content-Length:\r\n\r\n`],
    ['a 16-digit Content-Length', `${OK}Content-Length: 1000000000000000\r\n\r\n`],
    ['Transfer-Encoding: identity', `${OK}Transfer-Encoding: identity\r\n\r\nok`],
    ['Transfer-Encoding: gzip, chunked', `${OK}Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n`],
    ['Transfer-Encoding: chunked, chunked', `${OK}Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n`],
    ['Transfer-Encoding: chunked;q=1', `${OK}Transfer-Encoding: chunked;q=1\r\n\r\n0\r\n\r\n`],
    ['two Transfer-Encoding headers', `${OK}Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`],
    ['Transfer-Encoding and Content-Length', `${OK}Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n`],
    ['Content-Length then Transfer-Encoding', `${OK}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`],
    ['101 Switching Protocols (nothing asked)', 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n'],
    ['a chunk size that is not hex', `${OK}Transfer-Encoding: chunked\r\n\r\nzz\r\n`],
    ['an empty chunk size', `${OK}Transfer-Encoding: chunked\r\n\r\n\r\nhello\r\n0\r\n\r\n`],
    ['a chunk size with a leading space', `${OK}Transfer-Encoding: chunked\r\n\r\n 5\r\nhello\r\n0\r\n\r\n`],
    ['a chunk size with a trailing space', `${OK}Transfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n0\r\n\r\n`],
    ['a negative chunk size', `${OK}Transfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n`],
    ['a chunk size overflowing 2^52', `${OK}Transfer-Encoding: chunked\r\n\r\n${'f'.repeat(14)}\r\n`],
    ['a chunk size of 0x-prefixed hex', `${OK}Transfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n`],
    ['a bare LF after the chunk size', `${OK}Transfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n`],
    ['a bare CR after the chunk size', `${OK}Transfer-Encoding: chunked\r\n\r\n5\rhello\r\n0\r\n\r\n`],
    ['a control character in a chunk extension', `${OK}Transfer-Encoding: chunked\r\n\r\n5;a\x00b\r\nhello\r\n0\r\n\r\n`],
    ['a bare LF in a chunk extension', `${OK}Transfer-Encoding: chunked\r\n\r\n5;a\nb\r\nhello\r\n0\r\n\r\n`],
    ['chunk data longer than its size (missing CRLF)', `${OK}Transfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n`],
    ['chunk data followed by a bare LF', `${OK}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\n0\r\n\r\n`],
    ['the last chunk without its final CRLF, then EOF', `${OK}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n`, { eof: true }],
    ['a bare LF ending the trailers', `${OK}Transfer-Encoding: chunked\r\n\r\n0\r\nX-T: 1\n\r\n`],
    ['an obs-folded trailer', `${OK}Transfer-Encoding: chunked\r\n\r\n0\r\nX-T: 1\r\n folded\r\n\r\n`],
    ['a trailer without a colon', `${OK}Transfer-Encoding: chunked\r\n\r\n0\r\nnonsense\r\n\r\n`],
    ['a Content-Length trailer', `${OK}Transfer-Encoding: chunked\r\n\r\n0\r\nContent-Length: 5\r\n\r\n`],
    ['EOF before the declared Content-Length', `${OK}Content-Length: 10\r\n\r\nshort`, { eof: true }],
    ['EOF mid chunk', `${OK}Transfer-Encoding: chunked\r\n\r\n10\r\nshort`, { eof: true }],
    ['EOF mid head', `${OK}Content-Len`, { eof: true }],
    ['EOF before any byte', '', { eof: true }],
    ['EOF after a 100 Continue only', 'HTTP/1.1 100 Continue\r\n\r\n', { eof: true }],
    ['a head over MAX_HEAD', `${OK}X-Pad: ${'p'.repeat(MAX_HEAD)}\r\nContent-Length: 0\r\n\r\n`],
    ['a head over MAX_HEAD that never ends', `${OK}X-Pad: ${'p'.repeat(MAX_HEAD + 10)}`],
    ['a bad interim answer', `HTTP/1.1 100 Continue\r\nX A: 1\r\n\r\n${OK}Content-Length: 0\r\n\r\n`],
  ])('%s', (_name, text, opts = {}) => {
    for (const got of splits(text, opts)) expect(got.end).toMatch(/^invalid: /);
  });

  it('an incomplete head with bare LF is refused at once, not after a timeout', () => {
    expect(run(['HTTP/1.1 200 OK\nContent-Length: 0\n']).end).toMatch(/^invalid: /);
  });

  it('a head still arriving stays pending (no verdict, no event)', () => {
    expect(run([`${OK}Content-Length: 5\r\n`])).toEqual({ body: '', end: 'pending' });
  });

  it('the parser takes nothing after a verdict until reset', () => {
    const events: string[] = [];
    const p = new ResponseParser({
      onHead: (s) => events.push(`head ${s}`),
      onBody: (c) => events.push(`body ${c.toString()}`),
      onComplete: (r, last) => events.push(`complete ${r}${last ? ' ' + last.toString() : ''}`),
      onInvalid: (r) => events.push(`invalid ${r}`),
    });
    p.reset(false);
    p.execute(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 0, 1\r\n\r\n'));
    p.execute(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
    p.finish();
    expect(events).toEqual(['invalid bad Content-Length']);
    p.reset(false);
    p.execute(Buffer.from('HTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\nx'));
    expect(events.slice(1)).toEqual(['head 201', 'complete true x']);
  });

  it.each<[string, number]>([
    ['Keep-Alive: timeout=5', 5],
    ['Keep-Alive: timeout=2, max=100', 2],
    ['Keep-Alive: max=100;timeout=7', 7],
    ['Keep-Alive: xtimeout=5', -1],
    ['X-Other: 1', -1],
  ])('%s: the upstream idle limit the client honours is %s s', (line, want) => {
    const p = new ResponseParser({ onHead: () => undefined, onBody: () => undefined, onComplete: () => undefined, onInvalid: () => undefined });
    p.reset(false);
    p.execute(Buffer.from(`HTTP/1.1 200 OK\r\n${line}\r\nContent-Length: 0\r\n\r\n`));
    expect(p.keepAliveTimeout).toBe(want);
  });
});
