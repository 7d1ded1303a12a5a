import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { rawExchange, statusLines, startGatewayStack, type GatewayStack } from '@oauth2/testing';

// HTTP-level abuse of the data plane (its size and time limits): oversized headers and token bodies, and
// request-smuggling shapes sent over a raw socket, checked against an upstream that records every
// request it sees.
jest.setTimeout(60_000);

let s: GatewayStack;
let port: number;
let upstream: http.Server;
const seen: string[] = [];

beforeAll(async () => {
  upstream = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  s = await startGatewayStack();
  await s.call('PATCH', '/v1/settings', { global_auth: false }); // pass-through, so anything parsed would reach the upstream
  await s.call('POST', '/v1/routes', { name: 'open', upstream: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`, path_prefix: '/open' });
  await s.call('POST', '/v1/consumers', { name: 'c1', client_id: 'c1-id', client_secret: 'c1-secret-0123456789abcdef0123456789' });
  await s.sync();
  port = Number(new URL(s.gateway.url).port);
});
afterAll(async () => {
  await s?.stop();
  await new Promise<void>((r) => upstream.close(() => r()));
});

describe('size limits', () => {
  it('a request header block over 16 KiB -> 431', async () => {
    const r = await rawExchange(port, [`GET /open/x HTTP/1.1\r\nHost: a\r\nX-Big: ${'a'.repeat(17 * 1024)}\r\n\r\n`]);
    expect(statusLines(r.data)[0]).toBe(431);
  });

  it('a 20 KiB bearer token -> 431 (never reaches the verifier or the upstream)', async () => {
    const before = seen.length;
    const r = await rawExchange(port, [`GET /open/x HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer ${'e'.repeat(20 * 1024)}\r\n\r\n`]);
    expect(statusLines(r.data)[0]).toBe(431);
    expect(seen.length).toBe(before);
  });

  it('a token form body declared over 64 KiB (Content-Length) -> 413 before the body is read', async () => {
    const r = await rawExchange(port, [`POST /oauth2/token HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${64 * 1024 + 1}\r\n\r\n`]);
    expect(statusLines(r.data)[0]).toBe(413);
    expect(r.data).toContain('"code":413');
  });

  it('a client that keeps sending a 200 KiB body after the early 413 still reads the 413 (no reset)', async () => {
    const size = 200 * 1024;
    const chunks = [`POST /oauth2/token HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${size}\r\n\r\n`];
    for (let sent = 0; sent < size; sent += 16 * 1024) chunks.push('p'.repeat(Math.min(16 * 1024, size - sent)));
    const r = await rawExchange(port, chunks);
    expect(statusLines(r.data)[0]).toBe(413);
  });

  it('a chunked token form body growing past 64 KiB -> 413', async () => {
    const chunk = 'p'.repeat(64 * 1024 + 1);
    const r = await rawExchange(port, [
      `POST /oauth2/token HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n${chunk.length.toString(16)}\r\n${chunk}\r\n0\r\n\r\n`,
    ]);
    expect(statusLines(r.data)[0]).toBe(413);
  });

  it('a token form body of exactly 64 KiB is read (not 413)', async () => {
    const head = 'grant_type=client_credentials&client_id=c1-id&client_secret=wrong&pad=';
    const body = head + 'p'.repeat(64 * 1024 - head.length);
    const r = await s.request('/oauth2/token', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ error: 'invalid_client' });
  });
});

describe('request smuggling shapes (raw socket)', () => {
  const smuggled = 'GET /open/smuggled HTTP/1.1\r\nHost: a\r\n\r\n';
  it.each<[string, string]>([
    ['Content-Length and Transfer-Encoding together (CL.TE)', `POST /open/x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${smuggled}`],
    ['Transfer-Encoding and Content-Length together (TE.CL)', `POST /open/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n5c\r\n${smuggled}\r\n0\r\n\r\n`],
    ['two differing Content-Length headers', `POST /open/x HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nContent-Length: ${smuggled.length}\r\n\r\n${smuggled}`],
    ['a Content-Length list with differing values', `POST /open/x HTTP/1.1\r\nHost: a\r\nContent-Length: 0, ${smuggled.length}\r\n\r\n${smuggled}`],
    ['an obfuscated Transfer-Encoding (space before the colon)', `POST /open/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\nContent-Length: 0\r\n\r\n${smuggled}`],
    ['Transfer-Encoding not ending in chunked', `POST /open/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n${smuggled}`],
    ['a negative Content-Length', `POST /open/x HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n${smuggled}`],
    ['a header line folded over two lines (obs-fold)', `POST /open/x HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nX-A: b\r\n  Transfer-Encoding: chunked\r\n\r\n${smuggled}`],
  ])('%s -> 400, and the upstream never sees a second request', async (_name, bytes) => {
    const before = seen.length;
    const r = await rawExchange(port, [bytes]);
    const statuses = statusLines(r.data);
    expect(statuses[0]).toBe(400);
    expect(statuses).toHaveLength(1);
    expect(seen.slice(before).filter((x) => x.includes('smuggled'))).toEqual([]);
    expect(r.closedByServer).toBe(true);
  });

  it('control: the same bytes without the smuggling header pair are two ordinary requests', async () => {
    // Proves the harness would notice a second request reaching the upstream.
    const before = seen.length;
    const second = smuggled.replace('\r\n\r\n', '\r\nConnection: close\r\n\r\n');
    const r = await rawExchange(port, [`POST /open/x HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n${second}`]);
    expect(statusLines(r.data)).toEqual([200, 200]);
    expect(seen.slice(before).sort()).toEqual(['GET /open/smuggled', 'POST /open/x']);
  });
});

describe('odd request targets', () => {
  it.each<[string, string]>([
    ['dot segments', 'GET /open/../admin HTTP/1.1\r\nHost: a\r\n\r\n'],
    ['encoded dot segments', 'GET /open/%2e%2e/admin HTTP/1.1\r\nHost: a\r\n\r\n'],
    ['a non-HTTP absolute-form target', 'GET ftp://a/open/x HTTP/1.1\r\nHost: a\r\n\r\n'],
    ['a NUL byte in the path', 'GET /open/a\u0000b HTTP/1.1\r\nHost: a\r\n\r\n'],
    ['an asterisk target on GET', 'GET * HTTP/1.1\r\nHost: a\r\n\r\n'],
  ])('%s -> 400, nothing forwarded', async (_name, bytes) => {
    const before = seen.length;
    const r = await rawExchange(port, [bytes]);
    expect(statusLines(r.data)[0]).toBe(400);
    expect(seen.length).toBe(before);
  });
});
