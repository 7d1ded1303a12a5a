import * as http from 'node:http';
import * as net from 'node:net';
import { processResources, runConcurrent, startGatewayStack, type GatewayStack, type RawResponse } from '@oauth2/testing';

// An upstream that refuses, resets, stalls or speaks garbage costs its own request a
// 502/504 JSON answer, never the gateway or the other routes. The timeout is set small so the
// 504 path is exercised without waiting 30 s.
const TIMEOUT_MS = 300;
jest.setTimeout(60_000);

let s: GatewayStack;
let deadPort: number;

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

beforeAll(async () => {
  s = await startGatewayStack({ gatewayEnv: { GATEWAY_UPSTREAM_TIMEOUT_MS: String(TIMEOUT_MS) } });
  deadPort = await closedPort();
  await s.call('PATCH', '/v1/settings', { global_auth: false }); // pass-through: these tests are about the upstream side
  await s.call('POST', '/v1/routes', { name: 'live', upstream: s.echo.url, path_prefix: '/live' });
  await s.call('POST', '/v1/routes', { name: 'dead', upstream: `http://127.0.0.1:${deadPort}`, path_prefix: '/dead' });
  await s.sync();
});
afterAll(async () => {
  await s?.stop();
});

const expectJsonFailure = (r: RawResponse, code: number) => {
  expect(r.status).toBe(code);
  expect(r.headers['content-type']).toMatch(/^application\/json/);
  expect(r.json).toMatchObject({ code });
};

/** A GET whose body may be cut: resolves with the status and whether the body arrived whole. */
function getAllowingCut(path: string): Promise<{ status: number; complete: boolean }> {
  const u = new URL(s.gateway.url);
  return new Promise((resolve, reject) => {
    const req = http.get({ host: u.hostname, port: u.port, path, agent: false }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => resolve({ status: res.statusCode!, complete: res.complete }));
      res.on('error', () => resolve({ status: res.statusCode!, complete: false }));
      res.on('close', () => resolve({ status: res.statusCode!, complete: res.complete }));
    });
    req.on('error', reject);
  });
}

describe('upstream faults', () => {
  it('a healthy route answers 200 (baseline)', async () => {
    expect((await s.request('/live/hello')).status).toBe(200);
  });

  it.each([
    ['refuses the connection', '/dead/x', 502],
    ['resets the connection before answering', '/live/__reset', 502],
    ['answers bytes that are not HTTP', '/live/__malformed', 502],
    ['answers slower than GATEWAY_UPSTREAM_TIMEOUT_MS', '/live/__delay/5000', 504],
  ])('upstream %s (%s) -> %s JSON', async (_what, path, code) => {
    expectJsonFailure(await s.request(path), code);
  });

  it('upstream cuts the body after the status line: the client sees an incomplete body, not a hang', async () => {
    const r = await getAllowingCut('/live/__cut');
    expect(r.status).toBe(200);
    expect(r.complete).toBe(false);
  });

  it('other requests keep being served while slow upstream requests are pending', async () => {
    const slow = Array.from({ length: 20 }, () => s.request('/live/__delay/5000'));
    const fast = await runConcurrent(20, 5, () => s.request('/live/fast'));
    expect(fast.map((r) => (r instanceof Error ? r.message : r.status))).toEqual(Array(20).fill(200));
    const slowStatus = (await Promise.all(slow)).map((r) => r.status);
    expect(slowStatus).toEqual(Array(20).fill(504));
  });

  it('1,000 faulty exchanges leak neither memory nor file descriptors', async () => {
    const pid = s.gateway.child.pid!;
    const paths = ['/dead/x', '/live/__reset', '/live/__malformed', '/live/__delay/2000', '/live/__cut', '/live/ok'];
    const one = async (i: number) => {
      const p = paths[i % paths.length];
      if (p === '/live/__cut') return (await getAllowingCut(p)).status;
      return (await s.request(p)).status;
    };
    // Warm-up: pools, JIT and metric label children reach their steady size first.
    await runConcurrent(200, 20, one);
    const before = processResources(pid);
    const statuses = await runConcurrent(1000, 20, one);
    const errors = statuses.filter((x) => x instanceof Error);
    expect(errors).toEqual([]);
    // Every status is one of the expected answers: nothing turned into a 500 or a hang.
    expect(new Set(statuses as number[])).toEqual(new Set([502, 504, 200]));
    expect((await s.request('/live/after')).status).toBe(200);
    const after = processResources(pid);
    // Generous bounds: a leak of one socket or one buffer per request would exceed them (1,000 requests).
    expect(after.fds - before.fds).toBeLessThan(100);
    expect(after.rssBytes - before.rssBytes).toBeLessThan(80 * 1024 * 1024);
  });
});
