/**
 * Node heartbeats on PostgreSQL (SPEC §11): one admin API and two gateways (one a cluster of 2),
 * each with a data dir of its own, on one database. Skips itself without OAUTH2_TEST_POSTGRES_URL.
 */
import { randomBytes } from 'node:crypto';
import { createTestDatabase, describePostgres, makeTempDir, runOauth2ctl, spawnAdmin, spawnGateway, type AdminProcess, type GatewayProcess, type TempDir, type TestDatabase } from '@oauth2/testing';

jest.setTimeout(60_000);

interface Node {
  name: string;
  revision: number | null;
  lag: number | null;
  status: 'live' | 'stale';
  workers: number;
}

describePostgres('node heartbeats on PostgreSQL', () => {
  let db: TestDatabase;
  let admin: AdminProcess;
  const gateways: GatewayProcess[] = [];
  const dirs: TempDir[] = [];
  const masterKey = randomBytes(32).toString('hex');
  const env = () => ({ OAUTH2_DATABASE: db.url, OAUTH2_MASTER_KEY: masterKey, GATEWAY_HEARTBEAT_S: '0.2' });

  const nodes = async (): Promise<Node[]> => (await admin.api('GET', '/v1/nodes')).json.items as Node[];
  const revision = async (): Promise<number> => (await admin.api('GET', '/v1/revision')).json.revision as number;
  async function waitForNode(name: string, ok: (n: Node) => boolean, timeoutMs = 10_000): Promise<Node> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const n = (await nodes()).find((x) => x.name === name);
      if (n && ok(n)) return n;
      if (Date.now() > deadline) throw new Error(`node ${name}: still ${JSON.stringify(n)} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    admin = await spawnAdmin({ env: { OAUTH2_DATABASE: db.url, OAUTH2_MASTER_KEY: masterKey } });
    for (const [name, workers] of [
      ['pg-a', '1'],
      ['pg-b', '2'],
    ]) {
      const dir = makeTempDir('oauth2-pg-node-');
      dirs.push(dir);
      gateways.push(await spawnGateway({ dataDir: dir.path, env: { ...env(), GATEWAY_NODE_NAME: name, GATEWAY_WORKERS: workers } }));
    }
  }, 90_000);

  afterAll(async () => {
    for (const g of gateways) {
      if (g.child.exitCode === null && g.child.signalCode === null) g.child.kill('SIGCONT');
      await g.stop();
    }
    await admin?.stop();
    dirs.forEach((d) => d.cleanup());
    await db?.drop();
  }, 30_000);

  it('lists both gateways with their revisions, in the API and in oauth2ctl status', async () => {
    await admin.api('POST', '/v1/consumers', { name: 'c1' });
    const rev = await revision();
    expect(await waitForNode('pg-a', (n) => n.revision === rev)).toMatchObject({ lag: 0, status: 'live', workers: 1 });
    expect(await waitForNode('pg-b', (n) => n.revision === rev && n.workers === 2)).toMatchObject({ lag: 0, status: 'live' });
    // Heartbeats are not writes of configuration: the revision stays where it was.
    expect(await revision()).toBe(rev);
    const r = await runOauth2ctl(['status'], { env: { OAUTH2_SERVER: admin.url, OAUTH2_ADMIN_TOKEN: admin.token } });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(new RegExp(`^pg-a\\s+\\S+\\s+${rev}\\s+0\\s+1\\s+live\\s+\\S+$`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^pg-b\\s+\\S+\\s+${rev}\\s+0\\s+2\\s+live\\s+\\S+$`, 'm'));
  });

  it('shows a write as lag on a frozen node, then 0 once it runs again', async () => {
    const a = gateways[0];
    a.child.kill('SIGSTOP');
    try {
      await admin.api('POST', '/v1/consumers', { name: 'c2' });
      const n = (await nodes()).find((x) => x.name === 'pg-a')!;
      expect(n.lag).toBeGreaterThanOrEqual(1);
    } finally {
      a.child.kill('SIGCONT');
    }
    const rev = await revision();
    expect(await waitForNode('pg-a', (n) => n.lag === 0 && n.status === 'live')).toMatchObject({ revision: rev });
  });

  it('turns a killed gateway stale', async () => {
    const b = gateways[1];
    b.child.kill('SIGKILL');
    await b.exited;
    await waitForNode('pg-b', (n) => n.status === 'stale');
    expect((await nodes()).find((n) => n.name === 'pg-a')?.status).toBe('live');
  });
});
