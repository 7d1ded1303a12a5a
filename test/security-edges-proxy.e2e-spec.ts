import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { AT_HEADER, craftHs256, metricValue, rawExchange, standardClaims, startGatewayStack, statusLines, type GatewayStack } from '@oauth2/testing';

// Issue 11, the gateway's edges: what reaches an upstream that folds header names as CGI does,
// 1xx answers from the upstream, bodies of refused requests and `Expect: 100-continue`, TRACE and
// WebSocket upgrades. Raw sockets wherever an HTTP client would add, fix or hide something.
jest.setTimeout(60_000);

const SECRET = 'c1-secret-0123456789abcdef0123456789';
let s: GatewayStack;
let port: number;
let cgi: http.Server;
let raw: net.Server;
const upstreamSaw: string[] = [];

/**
 * An upstream that sees headers as WSGI, Rack and PHP do: `HTTP_` + upper-case + `-` -> `_`, every
 * value of a name that folds the same way kept (in order). Answers the environ as JSON.
 */
function cgiEnviron(req: http.IncomingMessage): Record<string, string[]> {
  const env: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const key = 'HTTP_' + req.rawHeaders[i].toUpperCase().replace(/-/g, '_');
    (env[key] ??= []).push(req.rawHeaders[i + 1]);
  }
  return env;
}

/**
 * A raw upstream for 1xx answers: `/interim/joined` sends `100 Continue` and the final answer in one
 * write, `/interim/split` in two, `/interim/two` two 100s then a 103 then the answer.
 */
function rawUpstream(socket: net.Socket): void {
  let buf = '';
  socket.on('data', (d: Buffer) => {
    buf += d.toString('latin1');
    const end = buf.indexOf('\r\n\r\n');
    if (end < 0) return;
    const head = buf.slice(0, end);
    const declared = /\r\ncontent-length: *(\d+)/i.exec(head);
    if (declared && buf.length - end - 4 < Number(declared[1])) return; // wait for the whole body
    const target = head.split(' ')[1];
    const body = `final for ${target}`;
    const final = `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    buf = '';
    upstreamSaw.push(target);
    if (target.endsWith('/joined')) socket.write('HTTP/1.1 100 Continue\r\n\r\n' + final);
    else if (target.endsWith('/two')) socket.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 100 Continue\r\nX-A: 1\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n' + final);
    else socket.write('HTTP/1.1 100 Continue\r\n\r\n', () => setTimeout(() => socket.write(final), 30));
  });
  socket.on('error', () => undefined);
}

const token = (): string => {
  const now = Math.floor(Date.now() / 1000);
  return craftHs256(AT_HEADER, standardClaims({ name: 'c1', clientId: 'c1-id', now }), SECRET);
};

beforeAll(async () => {
  cgi = http.createServer((req, res) => {
    upstreamSaw.push(req.url ?? '');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ environ: cgiEnviron(req), body: Buffer.concat(chunks).toString('latin1'), method: req.method }));
    });
  });
  await new Promise<void>((r) => cgi.listen(0, '127.0.0.1', r));
  raw = net.createServer(rawUpstream);
  await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
  s = await startGatewayStack();
  const cgiUrl = `http://127.0.0.1:${(cgi.address() as AddressInfo).port}`;
  await s.call('PATCH', '/v1/settings', { global_auth: false });
  await s.call('POST', '/v1/consumers', { name: 'c1', client_id: 'c1-id', client_secret: SECRET });
  await s.call('POST', '/v1/routes', { name: 'open', upstream: cgiUrl, path_prefix: '/open' });
  await s.call('POST', '/v1/routes', { name: 'guarded', upstream: cgiUrl, path_prefix: '/guarded' });
  await s.call('POST', '/v1/routes', { name: 'interim', upstream: `http://127.0.0.1:${(raw.address() as AddressInfo).port}`, path_prefix: '/interim' });
  await s.call('POST', '/v1/rules', { routes: ['guarded'], allow: ['c1'] });
  await s.sync();
  port = Number(new URL(s.gateway.url).port);
});
afterAll(async () => {
  await s?.stop();
  await new Promise<void>((r) => cgi.close(() => r()));
  await new Promise<void>((r) => raw.close(() => r()));
});

describe('header names an upstream folds (`_` = `-`, the Puma CVE-2024-45614 class)', () => {
  it.each<[string, string, string]>([
    ['X_Mse_Consumer', 'root', 'HTTP_X_MSE_CONSUMER'],
    ['X-Mse_Consumer', 'root4', 'HTTP_X_MSE_CONSUMER'],
    ['x_mse_consumer', 'root5', 'HTTP_X_MSE_CONSUMER'],
    ['X-Authenticated-Scope', 'admin', 'HTTP_X_AUTHENTICATED_SCOPE'],
    ['X_Authenticated_Scope', 'admin', 'HTTP_X_AUTHENTICATED_SCOPE'],
    ['X_Forwarded_Host', 'evil.example', 'HTTP_X_FORWARDED_HOST'],
    ['X_Forwarded_Proto', 'https', 'HTTP_X_FORWARDED_PROTO'],
    ['X_Forwarded_For', '6.6.6.6', 'HTTP_X_FORWARDED_FOR'],
  ])('pass-through, no token: a client %s: %s is not what the upstream sees as %s', async (name, value, key) => {
    const r = await s.request('/open/x', { headers: { [name]: value, host: 'front.test' } });
    expect(r.status).toBe(200);
    const seen: string[] | undefined = r.json.environ[key];
    expect(seen ?? []).not.toContain(value);
    // Only the gateway's own values, one of each.
    if (key === 'HTTP_X_FORWARDED_HOST') expect(seen).toEqual(['front.test']);
    if (key === 'HTTP_X_FORWARDED_PROTO') expect(seen).toEqual(['http']);
    if (key === 'HTTP_X_FORWARDED_FOR') expect(seen).toEqual(['127.0.0.1']);
    if (key === 'HTTP_X_MSE_CONSUMER' || key === 'HTTP_X_AUTHENTICATED_SCOPE') expect(seen).toBeUndefined();
  });

  it('authenticated: the upstream sees exactly the verified consumer, whatever the client folded in', async () => {
    const r = await s.request('/guarded/x', { headers: { authorization: `Bearer ${token()}`, X_Mse_Consumer: 'root', 'X-Mse_Consumer': 'root4' } });
    expect(r.status).toBe(200);
    expect(r.json.environ.HTTP_X_MSE_CONSUMER).toEqual(['c1']);
  });

  it('control: other names with `_` are forwarded', async () => {
    const r = await s.request('/open/x', { headers: { X_Api_Version: '2' } });
    expect(r.json.environ.HTTP_X_API_VERSION).toEqual(['2']);
  });
});

describe('1xx answers the upstream did not ask for (RFC 9110 §15.2)', () => {
  it.each(['/interim/joined', '/interim/split', '/interim/two'])('GET %s: the final answer reaches the client (was 502)', async (p) => {
    const r = await s.request(p);
    expect(r.status).toBe(200);
    expect(r.text).toBe(`final for ${p}`);
  });

  it('POST with a body, then a second request on the same upstream connection', async () => {
    const a = await s.request('/interim/split', { method: 'POST', body: 'hello', headers: { 'content-type': 'text/plain' } });
    expect(a.status).toBe(200);
    const b = await s.request('/interim/joined');
    expect([b.status, b.text]).toEqual([200, 'final for /interim/joined']);
  });
});

describe('the body of a refused request is not read', () => {
  const BIG = 209_715_200; // 200 MiB declared

  it('no token, Content-Length 200 MiB, no body sent: 401 with Connection: close, and the gateway closes', async () => {
    const r = await rawExchange(port, [`POST /guarded/x HTTP/1.1\r\nHost: a\r\nContent-Type: application/octet-stream\r\nContent-Length: ${BIG}\r\n\r\n`], 8000);
    expect(statusLines(r.data)).toEqual([401]);
    expect(r.data.toLowerCase()).toContain('\r\nconnection: close\r\n');
    expect(r.closedByServer).toBe(true);
  });

  it('a client that keeps sending gets its 401 and is cut after a bounded amount (not 200 MiB)', async () => {
    const LIMIT = 64 * 1024 * 1024;
    const result = await new Promise<{ data: string; written: number }>((resolve) => {
      const sock = net.connect({ host: '127.0.0.1', port });
      let data = '';
      let written = 0;
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        sock.destroy();
        resolve({ data, written });
      };
      sock.on('data', (d: Buffer) => (data += d.toString('latin1')));
      sock.on('error', finish);
      sock.on('close', finish);
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      const pump = () => {
        while (!done && written < LIMIT) {
          written += chunk.length;
          if (!sock.write(chunk)) return void sock.once('drain', pump);
        }
        if (written >= LIMIT) finish();
      };
      sock.on('connect', () => {
        sock.write(`POST /guarded/x HTTP/1.1\r\nHost: a\r\nContent-Length: ${BIG}\r\n\r\n`);
        pump();
      });
    });
    expect(statusLines(result.data)).toEqual([401]);
    expect(result.written).toBeLessThan(64 * 1024 * 1024);
  });

  it('Expect: 100-continue and no token: the 401 comes first, no 100 Continue', async () => {
    const r = await rawExchange(port, [`POST /guarded/x HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n`], 8000);
    expect(statusLines(r.data)).toEqual([401]);
    expect(r.data.toLowerCase()).toContain('\r\nconnection: close\r\n');
  });

  it('Expect: 100-continue on a forwarded request: 100 Continue, then the body reaches the upstream', async () => {
    const sock = net.connect({ host: '127.0.0.1', port });
    let data = '';
    let waiting: (() => void) | null = null;
    sock.on('data', (d: Buffer) => {
      data += d.toString('latin1');
      waiting?.();
    });
    const got = (re: RegExp) =>
      new Promise<void>((resolve) => {
        waiting = () => (re.test(data) ? resolve() : undefined);
        waiting();
      });
    await new Promise<void>((r) => sock.on('connect', () => r()));
    sock.write(`POST /guarded/x HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer ${token()}\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n`);
    await got(/^HTTP\/1\.1 100 Continue\r\n\r\n/);
    sock.write('hello');
    await got(/"body":"hello"/);
    sock.destroy();
    expect(statusLines(data)).toEqual([100, 200]);
    expect(data.toLowerCase()).not.toContain('connection: close');
  });

  it('Expect: 100-continue at the token endpoint: 100 Continue, then the token', async () => {
    const form = `grant_type=client_credentials&client_id=c1-id&client_secret=${SECRET}`;
    const sock = net.connect({ host: '127.0.0.1', port });
    let data = '';
    const answered = new Promise<void>((resolve) =>
      sock.on('data', (d: Buffer) => {
        data += d.toString('latin1');
        if (data.startsWith('HTTP/1.1 100 Continue\r\n\r\n') && data.length === 25) sock.write(form);
        if (data.includes('access_token')) resolve();
      }),
    );
    sock.on('connect', () => sock.write(`POST /oauth2/token HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\nExpect: 100-continue\r\nContent-Length: ${form.length}\r\n\r\n`));
    await answered;
    sock.destroy();
    expect(statusLines(data)).toEqual([100, 200]);
  });

  it('control: a small refused body is still drained, the connection is reused', async () => {
    const r = await rawExchange(port, [`POST /guarded/x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello`, `GET /open/x HTTP/1.1\r\nHost: a\r\n\r\n`]);
    expect(statusLines(r.data)).toEqual([401, 200]);
  });
});

describe('TRACE and WebSocket upgrades', () => {
  it('TRACE is refused on every route: 405 with Allow, never forwarded', async () => {
    const before = upstreamSaw.length;
    for (const p of ['/open/x', '/guarded/x', '/nosuch']) {
      const r = await rawExchange(port, [`TRACE ${p} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`]);
      expect(statusLines(r.data)).toEqual([405]);
      expect(r.data).toContain('{"code":405,"msg":"method TRACE is not allowed","reason":"trace_refused"}');
      expect(r.data.toLowerCase()).toMatch(/\r\nallow: get, head, post/);
    }
    expect(upstreamSaw.length).toBe(before);
    const metrics = await (await fetch(s.gateway.statusUrl + '/metrics')).text();
    expect(metricValue(metrics, 'gateway_requests_total', { outcome: 'bad_request', reason: 'trace_refused' })).toBe(3);
  });

  it('Upgrade: websocket -> 501 JSON, Connection: close, the gateway closes; nothing forwarded', async () => {
    const before = upstreamSaw.length;
    const r = await rawExchange(port, [
      `GET /open/ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    ]);
    expect(statusLines(r.data)).toEqual([501]);
    expect(r.data).toContain('{"code":501,"msg":"WebSocket upgrades are not supported","reason":"websocket_refused"}');
    expect(r.data.toLowerCase()).toContain('\r\nconnection: close\r\n');
    expect(r.closedByServer).toBe(true);
    expect(upstreamSaw.length).toBe(before);
  });

  it('control: Upgrade: h2c is ignored (RFC 9110 §7.8), the request is served as HTTP/1.1', async () => {
    const r = await rawExchange(port, [`GET /open/x HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n`]);
    expect(statusLines(r.data)).toEqual([200]);
  });
});
