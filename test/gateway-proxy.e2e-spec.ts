import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { connect, createServer, type AddressInfo } from 'node:net';
import { AT_HEADER, craftHs256, rawRequest, spawnGateway, standardClaims, startGatewayStack, type GatewayProcess, type GatewayStack } from '@oauth2/testing';

// End-to-end: what the gateway sends upstream and back, route precedence (docs/request-flow.md), upstream
// failures, streaming, and the HTTP hardening of §7.
const ID = 'proxy-client';
const SECRET = 'proxy-secret-0123456789abcdef0123456789';
const token = () => craftHs256(AT_HEADER, standardClaims({ name: 'c1', clientId: ID, now: Math.floor(Date.now() / 1000) }), SECRET);

let s: GatewayStack;
let deadPort: number;

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

beforeAll(async () => {
  s = await startGatewayStack();
  deadPort = await freePort();
  const e = s.echo.url;
  await s.call('POST', '/v1/consumers', { name: 'c1', client_id: ID, client_secret: SECRET });
  const routes = [
    { name: 'pass', upstream: `${e}/pass`, path_prefix: '/p' },
    { name: 'strip', upstream: `${e}/base/`, path_prefix: '/s/', strip_prefix: true },
    { name: 'auth', upstream: `${e}/auth`, path_prefix: '/auth' },
    { name: 'dead', upstream: `http://127.0.0.1:${deadPort}`, path_prefix: '/dead' },
    { name: 'h-exact', upstream: `${e}/h-exact`, hosts: ['api.example.com'] },
    { name: 'h-wild', upstream: `${e}/h-wild`, hosts: ['*.example.com'] },
    { name: 'h-wild-long', upstream: `${e}/h-wild-long`, hosts: ['*.b.example.com'] },
    { name: 'any-long', upstream: `${e}/any-long`, path_prefix: '/p/long' },
  ];
  for (const r of routes) await s.call('POST', '/v1/routes', r);
  await s.call('POST', '/v1/rules', { routes: ['auth'], allow: ['c1'] });
  await s.call('PATCH', '/v1/settings', { global_auth: false });
  await s.sync();
}, 30_000);
afterAll(async () => {
  await s?.stop();
}, 30_000);

describe('route precedence', () => {
  it.each([
    ['api.example.com', '/p/long/x', '/h-exact/p/long/x'],
    ['API.Example.com:8080', '/x', '/h-exact/x'],
    ['x.b.example.com', '/x', '/h-wild-long/x'],
    ['a.x.example.com', '/x', '/h-wild/x'],
    ['other.test', '/p/long/x', '/any-long/p/long/x'],
    ['other.test', '/p/longer', '/pass/p/longer'],
    ['other.test', '/p', '/pass/p'],
  ])('host %s path %s -> %s', async (host, path, upstreamUrl) => {
    const r = await s.request(path, { headers: { host } });
    expect(r.status).toBe(200);
    expect(r.json.url).toBe(upstreamUrl);
  });

  it('a prefix matches per segment: /pfoo has no route', async () => {
    const r = await s.request('/pfoo', { headers: { host: 'other.test' } });
    expect(r.status).toBe(404);
    expect(r.json).toMatchObject({ code: 404, msg: 'no route' });
  });
});

describe('forwarding', () => {
  it('strip_prefix removes the route prefix and keeps a leading slash; the upstream base path is prefixed', async () => {
    expect((await s.request('/s/a/b?x=1&y=%20')).json.url).toBe('/base/a/b?x=1&y=%20');
    expect((await s.request('/s')).json.url).toBe('/base/');
    expect((await s.request('/p/a?q=1')).json.url).toBe('/pass/p/a?q=1');
  });

  it('sets X-Forwarded-For, -Proto and -Host; the upstream sees its own Host', async () => {
    const r = await s.request('/p/x', { headers: { host: 'front.test', 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https' } });
    // No GATEWAY_TRUSTED_PROXIES: a client's X-Forwarded-* are not believed (test/tls-require-https.e2e-spec.ts).
    expect(r.json.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(r.json.headers['x-forwarded-proto']).toBe('http');
    expect(r.json.headers['x-forwarded-host']).toBe('front.test');
    expect(r.json.headers.host).toBe(new URL(s.echo.url).host);
  });

  it('drops hop-by-hop request headers, including those Connection lists', async () => {
    const r = await s.request('/p/x', {
      headers: { connection: 'keep-alive, X-Drop-Me', 'x-drop-me': '1', 'keep-alive': 'timeout=5', te: 'trailers', 'proxy-authorization': 'Basic eA==', 'x-end-to-end': 'kept' },
    });
    const h = r.json.headers;
    for (const name of ['x-drop-me', 'keep-alive', 'te', 'proxy-authorization']) expect(h[name]).toBeUndefined();
    expect(h['x-end-to-end']).toBe('kept');
  });

  it('drops hop-by-hop response headers, including those Connection lists', async () => {
    const r = await s.request('/p/__hop');
    expect(r.status).toBe(200);
    expect(r.headers['x-hop-listed']).toBeUndefined();
    expect(r.headers['proxy-authenticate']).toBeUndefined();
    expect(r.headers['x-end-to-end']).toBe('keep me');
  });

  it('relays the upstream status and body', async () => {
    const r = await s.request('/p/__status/418');
    expect(r.status).toBe(418);
    expect(r.json.url).toBe('/pass/p/__status/418');
  });

  it('keep_token=false strips the auth header of authenticated requests only', async () => {
    const t = token();
    expect((await s.request('/auth/x', { headers: { authorization: `Bearer ${t}` } })).json.headers.authorization).toBe(`Bearer ${t}`);
    await s.call('PATCH', '/v1/settings', { keep_token: false });
    await s.sync();
    try {
      const authed = await s.request('/auth/x', { headers: { authorization: `Bearer ${t}` } });
      expect(authed.status).toBe(200);
      expect(authed.json.headers.authorization).toBeUndefined();
      expect(authed.json.headers['x-mse-consumer']).toBe('c1');
      const passed = await s.request('/p/x', { headers: { authorization: 'Bearer whatever' } });
      expect(passed.json.headers.authorization).toBe('Bearer whatever');
    } finally {
      await s.call('PATCH', '/v1/settings', { keep_token: true });
      await s.sync();
    }
  });

  it('streams a 50 MB upload (hash checked upstream)', async () => {
    const chunk = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 31) & 0xff;
    const total = 50;
    const hash = createHash('sha256');
    for (let i = 0; i < total; i++) hash.update(chunk);
    const u = new URL(s.gateway.url);
    const reply = await new Promise<any>((resolve, reject) => {
      const req = request({ host: u.hostname, port: u.port, method: 'POST', path: '/p/upload', headers: { 'content-type': 'application/octet-stream' } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve(JSON.parse(body)));
      });
      req.on('error', reject);
      let sent = 0;
      const pump = () => {
        while (sent < total) {
          sent++;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    expect(reply.bodyLength).toBe(total * chunk.length);
    expect(reply.bodySha256).toBe(hash.digest('hex'));
  });
});

describe('upstream failures', () => {
  it.each([
    ['connection refused', '/dead/x'],
    ['reset without an answer', '/p/__reset'],
    ['malformed HTTP', '/p/__malformed'],
  ])('%s: 502 JSON', async (_n, path) => {
    const r = await s.request(path);
    expect(r.status).toBe(502);
    expect(r.json).toMatchObject({ code: 502, reason: 'upstream_unavailable' });
  });

  it('a client that gives up aborts the upstream request', async () => {
    const before = { count: s.echo.count, abandoned: s.echo.abandoned };
    const u = new URL(s.gateway.url);
    const req = request({ host: u.hostname, port: u.port, path: '/p/__delay/20000' });
    req.on('error', () => undefined);
    req.end();
    while (s.echo.count === before.count) await new Promise((r) => setTimeout(r, 10));
    req.destroy();
    while (s.echo.abandoned === before.abandoned) await new Promise((r) => setTimeout(r, 10));
    expect(s.echo.abandoned).toBe(before.abandoned + 1);
  });

  it('a failure after the headers were relayed cuts the client connection', async () => {
    await expect(s.request('/p/__cut')).rejects.toThrow();
  });

  describe('timeout', () => {
    let fast: GatewayProcess;
    beforeAll(async () => {
      fast = await spawnGateway({ dataDir: s.admin.dataDir, env: { GATEWAY_UPSTREAM_TIMEOUT_MS: '300' } });
    }, 30_000);
    afterAll(async () => {
      await fast?.stop();
    }, 30_000);
    it('an upstream slower than GATEWAY_UPSTREAM_TIMEOUT_MS: 504', async () => {
      const r = await rawRequest(fast.url, '/p/__delay/5000');
      expect(r.status).toBe(504);
      expect(r.json).toMatchObject({ code: 504, reason: 'upstream_timeout' });
    });
  });
});

/** Sends raw bytes and resolves with everything the gateway answers before closing (or 2 s). */
function raw(bytes: string): Promise<string> {
  const u = new URL(s.gateway.url);
  return new Promise((resolve, reject) => {
    const sock = connect(Number(u.port), u.hostname);
    let out = '';
    sock.setEncoding('utf8');
    sock.on('data', (d) => (out += d));
    sock.on('error', reject);
    sock.on('close', () => resolve(out));
    sock.setTimeout(2000, () => sock.destroy());
    sock.write(bytes);
  });
}

describe('hardening', () => {
  it('request headers over 16 KiB: 431', async () => {
    const r = await s.request('/p/x', { headers: { 'x-big': 'a'.repeat(20 * 1024) } });
    expect(r.status).toBe(431);
  });

  it('Content-Length together with Transfer-Encoding: 400, nothing forwarded', async () => {
    const before = s.echo.count;
    const out = await raw('POST /p/x HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /p/smuggled HTTP/1.1\r\nHost: a\r\n\r\n');
    expect(out).toMatch(/^HTTP\/1\.1 400/);
    expect(s.echo.count).toBe(before);
  });

  it('two differing Content-Length headers: 400', async () => {
    const out = await raw('POST /p/x HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab');
    expect(out).toMatch(/^HTTP\/1\.1 400/);
  });

  it.each(['/p/../auth/x', '/p/%2e%2e/auth/x', '/p/.%2E/auth', '/p/./x'])('a path with dot segments (%s): 400', async (path) => {
    const r = await s.request(path);
    expect(r.status).toBe(400);
  });
});

describe('status port', () => {
  it('serves healthz, readyz, revision and Prometheus metrics', async () => {
    const base = s.gateway.statusUrl;
    expect((await fetch(base + '/healthz')).status).toBe(200);
    const ready = await fetch(base + '/readyz');
    expect(ready.status).toBe(200);
    const rev = (await (await fetch(base + '/revision')).json()) as { revision: number };
    expect(rev.revision).toBe((await s.call('GET', '/v1/revision')).revision);
    const text = await (await fetch(base + '/metrics')).text();
    expect(text).toContain('gateway_requests_total{route="pass",outcome="proxied",reason="pass",status_class="2xx"}');
    expect(text).toContain('gateway_requests_total{route="dead",outcome="upstream_error",reason="upstream_unavailable",status_class=""}');
    expect(text).toMatch(/gateway_upstream_response_seconds_bucket\{le="[^"]+",route="pass"\}/);
    expect(text).toMatch(new RegExp(`gateway_snapshot_revision ${rev.revision}\\b`));
    expect(text).toContain('gateway_reload_failures_total 0');
  });
});
