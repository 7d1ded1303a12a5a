/**
 * Node heartbeats end to end (SPEC §11): the built admin API and two built gateways (one single
 * process, one cluster of 2 workers) on one SQLite data dir, each writing its heartbeat every 0.2 s.
 * Everything polls the API; nothing sleeps a fixed time.
 */
import Database from 'better-sqlite3';
import * as path from 'node:path';
import { adminWithCli, spawnGateway, type GatewayProcess } from '@oauth2/testing';

jest.setTimeout(60_000);

const VERSION = (require('../package.json') as { version: string }).version;
const HEARTBEAT = { GATEWAY_HEARTBEAT_S: '0.2' };

interface Node {
  name: string;
  version: string;
  revision: number | null;
  lag: number | null;
  status: 'live' | 'stale';
  workers: number;
  counters: Record<string, Record<string, number>>;
}

describe('gateway nodes', () => {
  const ctx = adminWithCli();
  const gateways: GatewayProcess[] = [];

  afterAll(async () => {
    for (const g of gateways) {
      if (g.child.signalCode === null && g.child.exitCode === null) g.child.kill('SIGCONT');
      await g.stop();
    }
  });

  const nodes = async (): Promise<Node[]> => {
    const r = await ctx.admin.api('GET', '/v1/nodes');
    expect(r.status).toBe(200);
    expect(r.json.total).toBe(r.json.items.length);
    return r.json.items as Node[];
  };
  const revision = async (): Promise<number> => (await ctx.admin.api('GET', '/v1/revision')).json.revision as number;

  /** Polls GET /v1/nodes until `ok` holds for the named node; fails naming what it saw last. */
  async function waitForNode(name: string, ok: (n: Node) => boolean, timeoutMs = 10_000): Promise<Node> {
    const deadline = Date.now() + timeoutMs;
    let last: Node | undefined;
    for (;;) {
      last = (await nodes()).find((n) => n.name === name);
      if (last && ok(last)) return last;
      if (Date.now() > deadline) throw new Error(`node ${name}: still ${JSON.stringify(last)} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  it('lists both gateways with their revisions, in the API and in oauth2ctl status', async () => {
    const dataDir = ctx.admin.dataDir;
    await ctx.admin.api('POST', '/v1/consumers', { name: 'c1' });
    gateways.push(await spawnGateway({ dataDir, env: { ...HEARTBEAT, GATEWAY_NODE_NAME: 'gw-a' } }));
    gateways.push(await spawnGateway({ dataDir, env: { ...HEARTBEAT, GATEWAY_NODE_NAME: 'gw-b', GATEWAY_WORKERS: '2' } }));
    const rev = await revision();
    const a = await waitForNode('gw-a', (n) => n.revision === rev);
    const b = await waitForNode('gw-b', (n) => n.revision === rev && n.workers === 2);
    expect(a).toMatchObject({ version: VERSION, lag: 0, status: 'live', workers: 1 });
    expect(b).toMatchObject({ version: VERSION, lag: 0, status: 'live', workers: 2 });

    const table = await ctx.oauth2ctl(['status']);
    expect(table).toMatchObject({ code: 0, stderr: '' });
    expect(table.stdout).toMatch(/^NODE\s+VERSION\s+REVISION\s+LAG\s+WORKERS\s+STATUS\s+LAST_SEEN$/m);
    expect(table.stdout).toMatch(new RegExp(`^gw-a\\s+${VERSION.replace(/\./g, '\\.')}\\s+${rev}\\s+0\\s+1\\s+live\\s+\\S+$`, 'm'));
    expect(table.stdout).toMatch(new RegExp(`^gw-b\\s+\\S+\\s+${rev}\\s+0\\s+2\\s+live\\s+\\S+$`, 'm'));
    const json = await ctx.oauth2ctl(['-o', 'json', 'status']);
    expect(JSON.parse(json.stdout)).toMatchObject({
      revision: rev,
      nodes: [
        { name: 'gw-a', revision: rev },
        { name: 'gw-b', revision: rev },
      ],
    });
  });

  it('carries the request counters by route and outcome, summed over a cluster', async () => {
    const [a, b] = gateways;
    // No route matches: each is a not-found refusal the gateway counts (route "").
    for (const g of [a, b, b]) expect((await fetch(g.url + '/nowhere')).status).toBeGreaterThanOrEqual(400);
    const metrics = await (await fetch(b.statusUrl + '/metrics')).text();
    const outcome = /gateway_requests_total\{route="",outcome="([a-z_]+)"/.exec(metrics)?.[1];
    expect(outcome).toBeDefined();
    await waitForNode('gw-a', (n) => (n.counters['']?.[outcome!] ?? 0) >= 1);
    await waitForNode('gw-b', (n) => (n.counters['']?.[outcome!] ?? 0) >= 2);
  });

  it('shows a write as lag until the node enforces it, then 0', async () => {
    const a = gateways[0];
    // Frozen, gw-a can neither reload nor beat: the write must show as lag on its row.
    a.child.kill('SIGSTOP');
    try {
      await ctx.admin.api('POST', '/v1/consumers', { name: 'c2' });
      const rev = await revision();
      const seen = (await nodes()).find((n) => n.name === 'gw-a')!;
      expect(seen.revision).toBeLessThan(rev);
      expect(seen.lag).toBe(rev - seen.revision!);
      expect(seen.lag).toBeGreaterThanOrEqual(1);
    } finally {
      a.child.kill('SIGCONT');
    }
    const rev = await revision();
    expect(await waitForNode('gw-a', (n) => n.lag === 0 && n.status === 'live')).toMatchObject({ revision: rev });
    await waitForNode('gw-b', (n) => n.lag === 0);
  });

  it('turns a killed gateway stale and keeps the live one live; one row per node name', async () => {
    const b = gateways[1];
    b.child.kill('SIGKILL');
    await b.exited;
    await waitForNode('gw-b', (n) => n.status === 'stale');
    expect((await nodes()).map((n) => [n.name, n.status])).toEqual([
      ['gw-a', 'live'],
      ['gw-b', 'stale'],
    ]);
    const status = await ctx.oauth2ctl(['status']);
    expect(status.stdout).toMatch(/^gw-b\s.*\sstale\s+\S+$/m);
  });

  it('keeps serving while a heartbeat cannot get the store write lock, counts the failure, and recovers', async () => {
    const a = gateways[0];
    const failures = async () => Number(/^gateway_heartbeat_failures_total (\d+)/m.exec(await (await fetch(a.statusUrl + '/metrics')).text())?.[1] ?? NaN);
    expect(await failures()).toBe(0);
    const lock = new Database(path.join(ctx.admin.dataDir, 'oauth2.db'));
    lock.exec('BEGIN IMMEDIATE');
    try {
      const deadline = Date.now() + 30_000;
      while ((await failures()) < 1) {
        // Serving meanwhile: the proxy answers and the status port is ready.
        expect((await fetch(a.url + '/nowhere')).status).toBeGreaterThanOrEqual(400);
        expect((await fetch(a.statusUrl + '/readyz')).status).toBe(200);
        if (Date.now() > deadline) throw new Error('no heartbeat failure counted while the store was locked');
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      lock.exec('ROLLBACK');
      lock.close();
    }
    expect(a.logs.join('\n')).toMatch(/node heartbeat failed; serving is not affected/);
    await a.waitForLog(/node heartbeat recovered/);
  });
});
