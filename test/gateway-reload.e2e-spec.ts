import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AT_HEADER, GATEWAY_ENTRY, craftHs256, enforced, makeTempDir, runToExit, seededStackPerBlock, standardClaims, startSeededStack, type GatewayStack } from '@oauth2/testing';

// End-to-end: hot reload (a write is enforced by every worker within 1 s, in-flight requests
// unharmed), cluster mode, graceful SIGTERM, and start-up refusals.
const ID1 = 'reload-client-1';
const S1 = 'reload-secret-one-0123456789abcdef0123456';
const ID2 = 'reload-client-2';
const S2 = 'reload-secret-two-0123456789abcdef0123456';
const tok = (name: string, id: string, secret: string) => craftHs256(AT_HEADER, standardClaims({ name, clientId: id, now: Math.floor(Date.now() / 1000) }), secret);
/** Enough fresh connections that every worker (round-robin) answers some. */
const ROUNDS = 6;

async function statuses(s: GatewayStack, p: string, t?: string): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < ROUNDS; i++) out.push((await s.request(p, t ? { headers: { authorization: `Bearer ${t}` } } : {})).status);
  return out;
}
const all = (n: number) => Array(ROUNDS).fill(n);

describe.each([
  ['one process', '1'],
  ['GATEWAY_WORKERS=2', '2'],
])('hot reload, %s', (_label, workers) => {
  const s = seededStackPerBlock({
    gatewayEnv: { GATEWAY_WORKERS: workers },
    consumers: [
      { name: 'c1', client_id: ID1, client_secret: S1 },
      { name: 'c2', client_id: ID2, client_secret: S2 },
    ],
    echoRoutes: ['r'],
  });

  it('a rule added refuses the others (403) and keeps the allowed consumer', async () => {
    expect(await statuses(s, '/x', tok('c2', ID2, S2))).toEqual(all(200));
    const rule = await s.call('POST', '/v1/rules', { routes: ['r'], allow: ['c1'] });
    await enforced(s);
    expect(await statuses(s, '/x', tok('c2', ID2, S2))).toEqual(all(403));
    expect(await statuses(s, '/x', tok('c1', ID1, S1))).toEqual(all(200));
    await s.call('DELETE', `/v1/rules/${rule.id}`);
    await enforced(s);
  });

  it('a rotated secret invalidates tokens signed with the old one', async () => {
    const old = tok('c1', ID1, S1);
    expect(await statuses(s, '/x', old)).toEqual(all(200));
    const S1b = S1 + '-rotated';
    await s.call('POST', '/v1/consumers/c1/rotate-secret', { client_secret: S1b });
    await enforced(s);
    expect(await statuses(s, '/x', old)).toEqual(all(401));
    expect(await statuses(s, '/x', tok('c1', ID1, S1b))).toEqual(all(200));
  });

  it('a removed consumer is refused (401, answered as bad_signature: no client_id oracle), and a request in flight across the reload completes', async () => {
    const t = tok('c2', ID2, S2);
    expect(await statuses(s, '/x', t)).toEqual(all(200));
    const before = s.echo.count;
    const slow = s.request('/__delay/700', { headers: { authorization: `Bearer ${t}` } });
    while (s.echo.count === before) await new Promise((r) => setTimeout(r, 10)); // the upstream has it
    await s.call('DELETE', '/v1/consumers/c2');
    await enforced(s);
    const r = await s.request('/x', { headers: { authorization: `Bearer ${t}` } });
    expect(r.status).toBe(401);
    expect(r.json.reason).toBe('bad_signature');
    expect(await statuses(s, '/x', t)).toEqual(all(401));
    expect((await slow).status).toBe(200);
  });
});

describe.each([
  ['one process', '1'],
  ['GATEWAY_WORKERS=2', '2'],
])('SIGTERM, %s', (_label, workers) => {
  it('stops accepting, finishes the request in flight, exits 0', async () => {
    const s = await startSeededStack({ gatewayEnv: { GATEWAY_WORKERS: workers }, echoRoutes: ['r'], settings: { global_auth: false } });
    try {
      const slow = s.request('/__delay/800');
      while (s.echo.count === 0) await new Promise((r) => setTimeout(r, 10));
      s.gateway.child.kill('SIGTERM');
      const r = await slow;
      expect(r.status).toBe(200);
      expect(await s.gateway.exited).toBe(0);
      await expect(s.request('/x')).rejects.toThrow(); // nobody listens any more
    } finally {
      await s.stop();
    }
  }, 60_000);
});

describe('cluster supervision', () => {
  it('a crashed worker is replaced; the gateway is ready and serving again', async () => {
    const s = await startSeededStack({ gatewayEnv: { GATEWAY_WORKERS: '2' }, echoRoutes: ['r'], settings: { global_auth: false } });
    try {
      const workers = execFileSync('pgrep', ['-P', String(s.gateway.child.pid)], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .map(Number);
      expect(workers).toHaveLength(2);
      process.kill(workers[0], 'SIGKILL');
      // Readiness drops while a worker is missing, then returns once the replacement serves.
      for (;;) {
        const now = execFileSync('pgrep', ['-P', String(s.gateway.child.pid)], { encoding: 'utf8' })
          .trim()
          .split('\n')
          .map(Number);
        const ready = (await fetch(s.gateway.statusUrl + '/readyz')).status === 200;
        if (ready && now.length === 2 && !now.includes(workers[0])) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(await statuses(s, '/x')).toEqual(all(200));
      expect(s.gateway.logs.join('\n')).toContain('worker died; starting a replacement');
    } finally {
      await s.stop();
    }
  }, 60_000);
});

describe('start-up refusals', () => {
  it.each([
    ['GATEWAY_PORT', 'abc'],
    ['GATEWAY_WORKERS', '-1'],
    ['GATEWAY_RELOAD_MS', '0'],
    ['GATEWAY_UPSTREAM_TIMEOUT_MS', '1.5'],
    ['GATEWAY_ACCESS_LOG', 'maybe'],
  ])('%s=%s: one line naming the variable, exit 1', async (name, value) => {
    const dir = makeTempDir('gw-env-');
    try {
      const r = await runToExit(GATEWAY_ENTRY, { OAUTH2_DATA_DIR: dir.path, GATEWAY_PORT: '0', GATEWAY_STATUS_PORT: '0', [name]: value });
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(name);
    } finally {
      dir.cleanup();
    }
  });

  it.each(['1', '2'])('an unusable store (GATEWAY_WORKERS=%s): one line, exit 1', async (workers) => {
    const dir = makeTempDir('gw-store-');
    try {
      const notADb = path.join(dir.path, 'db-is-a-directory');
      fs.mkdirSync(notADb);
      const r = await runToExit(GATEWAY_ENTRY, {
        OAUTH2_DATA_DIR: dir.path,
        OAUTH2_DATABASE: notADb,
        GATEWAY_PORT: '0',
        GATEWAY_STATUS_PORT: '0',
        GATEWAY_WORKERS: workers,
      });
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/store/);
    } finally {
      dir.cleanup();
    }
  });
});
