/**
 * The lean upstream client's pool and request side (issue 18), through the in-process data plane with
 * GATEWAY_UPSTREAM_CLIENT=lean against a node:http upstream: keep-alive reuse, the 128-connection
 * bound with a queue beyond it, HEAD answers without a body, and request bodies (Content-Length
 * passed through, chunked re-encoded). The response side is the fuzz's (upstream-framing-fuzz).
 */
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { DEFAULT_SETTINGS } from '@oauth2/core';
import { startGatewayInProcess, type InProcessGateway } from '../libs/testing/src/gateway-in-process';
import { MAX_CONNECTIONS } from '../apps/gateway/src/proxy/lean/lean-client';

let gw: InProcessGateway;
let upstream: http.Server;
const conns = new Set<Socket>();
let maxOpen = 0;
/** Requests held by /hold until `release()`. */
let held: Array<() => void> = [];
let onHeld: (() => void) | null = null;

beforeAll(async () => {
  upstream = http.createServer((req, res) => {
    const hash = createHash('sha256');
    let length = 0;
    req.on('data', (c: Buffer) => {
      length += c.length;
      hash.update(c);
    });
    req.on('end', () => {
      const reply = () => {
        if (req.method === 'HEAD') {
          res.writeHead(200, { 'content-length': '1234', 'x-head': 'yes' });
          return res.end();
        }
        const body = JSON.stringify({
          url: req.url,
          te: req.headers['transfer-encoding'] ?? null,
          cl: req.headers['content-length'] ?? null,
          length,
          sha: hash.digest('hex'),
          port: req.socket.remotePort,
        });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      };
      if (req.url?.startsWith('/hold')) {
        held.push(reply);
        onHeld?.();
      } else reply();
    });
  });
  upstream.on('connection', (s: Socket) => {
    conns.add(s);
    maxOpen = Math.max(maxOpen, conns.size);
    s.on('close', () => conns.delete(s));
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  gw = await startGatewayInProcess({
    env: { GATEWAY_UPSTREAM_CLIENT: 'lean' },
    source: () => ({
      revision: 1,
      settings: { ...DEFAULT_SETTINGS, global_auth: false },
      consumers: [],
      routes: [{ name: 'u', hosts: [], path_prefix: '/', upstream: url, strip_prefix: false }],
      rules: [],
    }),
  });
});
afterAll(async () => {
  await gw?.close();
  for (const s of conns) s.destroy();
  await new Promise<void>((r) => upstream?.close(() => r()));
});

it('sequential requests share one keep-alive upstream connection', async () => {
  const ports = new Set<number>();
  for (let i = 0; i < 5; i++) {
    const r = await gw.request(`/seq/${i}`);
    expect(r.status).toBe(200);
    ports.add(r.json.port);
  }
  expect(ports.size).toBe(1);
});

it(`at most ${MAX_CONNECTIONS} connections per origin; requests beyond wait and are served in turn`, async () => {
  held = [];
  maxOpen = conns.size;
  const total = MAX_CONNECTIONS + 12;
  // Wait (no sleeps) until the pool is full: 128 requests held upstream, the 12 others queued in the gateway.
  const full = new Promise<void>((resolve) => (onHeld = () => (held.length === MAX_CONNECTIONS ? resolve() : undefined)));
  const all = Array.from({ length: total }, (_, i) => gw.request(`/hold/${i}`, { headers: { connection: 'close' } }));
  await full;
  onHeld = null;
  // The queued ones reach the upstream only as held ones finish (over the freed connections).
  const release = () => {
    const r = held;
    held = [];
    for (const f of r) f();
  };
  onHeld = () => release();
  release();
  const statuses = (await Promise.all(all)).map((r) => r.status);
  onHeld = null;
  expect(statuses).toEqual(Array(total).fill(200));
  expect(maxOpen).toBe(MAX_CONNECTIONS);
});

it('HEAD: the upstream headers without a body, and the connection serves the next request', async () => {
  const r = await gw.request('/h', { method: 'HEAD' });
  expect([r.status, r.headers['content-length'], r.headers['x-head'], r.text]).toEqual([200, '1234', 'yes', '']);
  const next = await gw.request('/after-head');
  expect([next.status, next.json.url]).toEqual([200, '/after-head']);
});

it('a Content-Length body is passed through as it is', async () => {
  const body = 'x'.repeat(100_000);
  const r = await gw.request('/cl', { method: 'POST', body, headers: { 'content-type': 'text/plain' } });
  expect(r.json).toMatchObject({ cl: '100000', te: null, length: 100_000, sha: createHash('sha256').update(body).digest('hex') });
});

it('a chunked body is re-encoded chunked (backpressure on a 20 MB upload)', async () => {
  const chunk = Buffer.alloc(256 * 1024, 7);
  const n = 80;
  const want = createHash('sha256');
  for (let i = 0; i < n; i++) want.update(chunk);
  const reply = await new Promise<any>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: gw.port, method: 'POST', path: '/chunked', agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve(JSON.parse(text)));
    });
    req.on('error', reject);
    let sent = 0;
    const pump = () => {
      while (sent < n) {
        sent++;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
  expect(reply).toMatchObject({ te: 'chunked', cl: null, length: n * chunk.length, sha: want.digest('hex') });
});
