/**
 * Path spellings and request-target edges (docs/request-flow.md "One spelling"): every spelling an
 * upstream reads as a protected path must reach the protected route's decision or be refused, never
 * fall through to a catch-all. Real upstreams: Express 5 (case-insensitive routing) and Python's
 * wsgiref (decodes %XX and keeps //), behind a real gateway; requests go over raw sockets, since an
 * HTTP client would normalize what the attack depends on.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { AT_HEADER, craftHs256, rawExchange, standardClaims, startGatewayStack, type GatewayStack } from '@oauth2/testing';

const SA = 'path-alice-secret-0123456789abcdef0123456789';
const SB = 'path-bob-secret-0123456789abcdef0123456789ab';
const now = () => Math.floor(Date.now() / 1000);
const alice = () => craftHs256(AT_HEADER, standardClaims({ name: 'alice', clientId: 'path-alice', now: now() }), SA);
const bob = () => craftHs256(AT_HEADER, standardClaims({ name: 'bob', clientId: 'path-bob', now: now() }), SB);

/** What a WSGI app sees: PATH_INFO is percent-decoded, and `//` is kept. */
const WSGI_APP = `
import json, sys
from wsgiref.simple_server import make_server, WSGIRequestHandler
class Quiet(WSGIRequestHandler):
    def log_message(self, *a): pass
def app(env, start):
    body = json.dumps({"handler": "ADMIN-HANDLER" if env["PATH_INFO"].lower().lstrip("/").startswith("admin") else "OPEN",
                       "PATH_INFO": env["PATH_INFO"], "consumer": env.get("HTTP_X_MSE_CONSUMER")}).encode()
    start("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
srv = make_server("127.0.0.1", 0, app, handler_class=Quiet)
print(srv.server_port, flush=True)
srv.serve_forever()
`;

let s: GatewayStack;
let expressServer: Server;
let wsgi: ChildProcess;

async function startWsgi(): Promise<string> {
  wsgi = spawn('python3', ['-c', WSGI_APP], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    wsgi.once('error', reject);
    wsgi.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim()));
  });
  return `http://127.0.0.1:${port}`;
}

async function startExpress(): Promise<string> {
  const app = express();
  // Express routes case-insensitively by default: /ADMIN/x reaches the admin handler.
  app.use('/admin', (req, res) => res.json({ handler: 'ADMIN-HANDLER', originalUrl: req.originalUrl, consumer: req.headers['x-mse-consumer'] ?? null }));
  app.use((req, res) => res.json({ handler: 'OPEN', originalUrl: req.originalUrl }));
  expressServer = app.listen(0, '127.0.0.1');
  await new Promise((r) => expressServer.once('listening', r));
  return `http://127.0.0.1:${(expressServer.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  const [exp, py] = await Promise.all([startExpress(), startWsgi()]);
  s = await startGatewayStack();
  await s.call('POST', '/v1/consumers', { name: 'alice', client_id: 'path-alice', client_secret: SA });
  await s.call('POST', '/v1/consumers', { name: 'bob', client_id: 'path-bob', client_secret: SB });
  for (const [host, up] of [
    ['exp.test', exp],
    ['py.test', py],
  ]) {
    const tag = host.split('.')[0];
    await s.call('POST', '/v1/routes', { name: `admin-${tag}`, hosts: [host], path_prefix: '/admin', upstream: up });
    await s.call('POST', '/v1/routes', { name: `open-${tag}`, hosts: [host], path_prefix: '/', upstream: up });
  }
  await s.call('POST', '/v1/routes', { name: 'echo', hosts: ['echo.test', 'other.test'], upstream: s.echo.url });
  await s.call('POST', '/v1/rules', { routes: ['admin-exp', 'admin-py'], allow: ['alice'] });
  await s.sync();
}, 60_000);

afterAll(async () => {
  await s?.stop();
  expressServer?.close();
  wsgi?.kill();
});

interface Answer {
  status: number;
  body: string;
}

/** One request over a raw socket, exactly as written. */
async function raw(target: string, host: string | string[], extra: string[] = []): Promise<Answer> {
  const hosts = Array.isArray(host) ? host : [host];
  const head = [`GET ${target} HTTP/1.1`, ...hosts.map((h) => `Host: ${h}`), ...extra, 'Connection: close', '', ''].join('\r\n');
  const r = await rawExchange(Number(new URL(s.gateway.url).port), [head]);
  const m = /^HTTP\/1\.1 (\d{3})/.exec(r.data);
  return { status: m ? Number(m[1]) : 0, body: r.data.slice(r.data.indexOf('\r\n\r\n') + 4) };
}

// The table: with global_auth unset and a rule on admin (/admin) beside a catch-all open (/),
// each spelling reached the admin handler through "open" with no token at all.
describe('refusals: no spelling of /admin reaches the upstream without the admin rule (no token)', () => {
  it.each<[string, string, number]>([
    ['/ADMIN/x', 'exp.test', 401],
    ['/Admin', 'exp.test', 401],
    ['/admin#frag', 'exp.test', 400],
    ['//admin/x', 'py.test', 401],
    ['/%61dmin/x', 'py.test', 401],
    ['/%41DMIN/x', 'exp.test', 401],
    ['/admin%2fx', 'py.test', 400],
    ['/admin%2Fx', 'py.test', 400],
    ['/admin%5cx', 'py.test', 400],
    ['/admin;x=1', 'exp.test', 400],
    ['/pub/..;/admin/x', 'exp.test', 400],
    ['/pub/%2e%2e/admin/x', 'py.test', 400],
    ['/admin\\x', 'py.test', 400],
    ['http://py.test//admin/x', 'elsewhere.test', 401],
  ])('%s (Host %s) -> %d', async (target, host, status) => {
    const r = await raw(target, host);
    expect(r.status).toBe(status);
    expect(r.body).not.toMatch(/ADMIN-HANDLER|PATH_INFO/);
  });
});

describe('the matched spelling is what the upstream gets', () => {
  it.each<[string, string, string, string]>([
    ['/ADMIN/x', 'exp.test', 'originalUrl', '/ADMIN/x'],
    ['//admin//x?q=%2F', 'py.test', 'PATH_INFO', '/admin/x'],
    ['/%61dmin/x', 'py.test', 'PATH_INFO', '/admin/x'],
  ])('%s with an allowed token: 200, upstream sees %s', async (target, host, field, seen) => {
    const r = await raw(target, host, [`Authorization: Bearer ${alice()}`]);
    expect(r.status).toBe(200);
    const j = JSON.parse(r.body);
    expect(j.handler).toBe('ADMIN-HANDLER');
    expect(j[field]).toBe(seen);
    expect(j.consumer).toBe('alice');
  });

  it('a consumer the rule does not allow is 403 on every spelling (global_auth=true: the allow-list is not skipped)', async () => {
    await s.call('PATCH', '/v1/settings', { global_auth: true });
    await s.sync();
    try {
      for (const [t, h] of [
        ['//admin/x', 'py.test'],
        ['/ADMIN/x', 'exp.test'],
        ['/adm%69n/x', 'py.test'],
        ['/admin/x', 'exp.test'],
      ]) {
        expect([t, (await raw(t, h, [`Authorization: Bearer ${bob()}`])).status]).toEqual([t, 403]);
      }
      expect((await raw('/admin;/x', 'exp.test', [`Authorization: Bearer ${bob()}`])).status).toBe(400);
    } finally {
      await s.call('PATCH', '/v1/settings', { global_auth: null });
      await s.sync();
    }
  });
});

describe('request-target edges', () => {
  it('two Host headers: 400, nothing forwarded (RFC 9112 §3.2)', async () => {
    const before = s.echo.count;
    const r = await raw('/x', ['echo.test', 'exp.test']);
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).reason).toBe('repeated_header');
    expect(s.echo.count).toBe(before);
  });

  it('two Authorization headers: 400, never verified as one and forwarded as two', async () => {
    const before = s.echo.count;
    const r = await raw('/admin/x', 'exp.test', [`Authorization: Bearer ${alice()}`, 'Authorization: Bearer forged']);
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).reason).toBe('repeated_header');
    // Also on a pass-through route, where no token is checked.
    expect((await raw('/x', 'echo.test', ['Authorization: a', 'authorization: b'])).status).toBe(400);
    expect(s.echo.count).toBe(before);
  });

  it('absolute-form: the URL authority is the host for routing and for X-Forwarded-Host alike', async () => {
    const r = await raw('http://other.test/x', 'secure.example.com');
    expect(r.status).toBe(200);
    const seen = JSON.parse(r.body);
    expect(seen.headers['x-forwarded-host']).toBe('other.test');
  });
});
