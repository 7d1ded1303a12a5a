import { randomBytes } from 'node:crypto';
import {
  AT_HEADER,
  craftHs256,
  createTestDatabase,
  describePostgres,
  GATEWAY_ENTRY,
  makeTempDir,
  rawRequest,
  runToExit,
  spawnAdmin,
  spawnGateway,
  standardClaims,
  startEchoUpstream,
  type AdminProcess,
  type EchoUpstream,
  type GatewayProcess,
  type TempDir,
  type TestDatabase,
} from '@oauth2/testing';

// Scale-out (docs/deploying.md): ONE admin API and TWO gateway processes, each with a data dir of its
// own, on one PostgreSQL database and one master key. The gateways poll only every 60 s here, so a
// change enforced within the promised 1 s can only have come through LISTEN/NOTIFY; the reload
// metric says so too.

const WITHIN_MS = 1000; // a write is enforced by every gateway within 1 s
const LISTENING = 'store change notifications: listening';
const SECRETS = { alice: 'alice-secret-0123456789abcdef0123456789', bob: 'bob-secret-0123456789abcdef0123456789ab', carol: 'carol-secret-0123456789abcdef012345678' };
const CLIENT_IDS = { alice: 'pg-alice', bob: 'pg-bob', carol: 'pg-carol' };
type Who = keyof typeof SECRETS;

/** Checks `cond` every 20 ms until it holds; fails after `ms` naming `what`. */
async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`still not ${what} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function notifyReloads(g: GatewayProcess): Promise<number> {
  const text = await (await fetch(g.statusUrl + '/metrics')).text();
  const m = /^gateway_reloads_total\{trigger="notify"\} (\d+)/m.exec(text);
  return m ? Number(m[1]) : 0;
}

describePostgres('PostgreSQL store: one admin API, two gateways', () => {
  let db: TestDatabase;
  let echo: EchoUpstream;
  let admin: AdminProcess;
  const gateways: GatewayProcess[] = [];
  const dirs: TempDir[] = [];
  const masterKey = randomBytes(32).toString('hex');
  const env = () => ({ OAUTH2_DATABASE: db.url, OAUTH2_MASTER_KEY: masterKey });

  const call = async (method: string, p: string, body?: unknown) => {
    const r = await admin.api(method, p, body);
    if (r.status < 200 || r.status > 299) throw new Error(`${method} ${p} -> ${r.status} ${r.text}`);
    return r.json;
  };
  const now = () => Math.floor(Date.now() / 1000);
  const token = (who: Who) => craftHs256(AT_HEADER, standardClaims({ name: who, clientId: CLIENT_IDS[who], now: now() }), SECRETS[who]);
  const status = async (g: GatewayProcess, bearer: string) => (await rawRequest(g.url, '/svc', { headers: { authorization: `Bearer ${bearer}` } })).status;
  /** Both gateways enforce the admin's revision within 1 s of the write; returns it. */
  const bothInSync = async () => {
    const { revision } = await call('GET', '/v1/revision');
    await Promise.all(gateways.map((g) => g.waitForRevision(revision, WITHIN_MS)));
    return revision as number;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    echo = await startEchoUpstream();
    admin = await spawnAdmin({ env: env() });
    for (let i = 0; i < 2; i++) {
      const dir = makeTempDir('oauth2-pg-gw-');
      dirs.push(dir);
      gateways.push(await spawnGateway({ dataDir: dir.path, env: { ...env(), GATEWAY_RELOAD_MS: '60000' } }));
    }
    await Promise.all(gateways.map((g) => g.waitForLog(new RegExp(LISTENING))));
    await call('POST', '/v1/routes', { name: 'svc', upstream: echo.url, path_prefix: '/svc' });
    for (const who of Object.keys(SECRETS) as Who[]) await call('POST', '/v1/consumers', { name: who, client_id: CLIENT_IDS[who], client_secret: SECRETS[who] });
    await Promise.all(gateways.map((g) => g.waitForRevision(0)));
  }, 90_000);

  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.stop()));
    await admin?.stop();
    await echo?.close();
    dirs.forEach((d) => d.cleanup());
    await db?.drop();
  }, 30_000);

  it('a write through the admin API is enforced by both gateways within 1 s, reloaded on NOTIFY', async () => {
    await bothInSync();
    const before = await Promise.all(gateways.map(notifyReloads));
    for (const g of gateways) for (const who of ['alice', 'bob', 'carol'] as Who[]) expect(await status(g, token(who))).toBe(200);

    // A token issued by one gateway is verified by the other: nothing but the store is shared.
    const q = new URLSearchParams({ grant_type: 'client_credentials', client_id: CLIENT_IDS.alice, client_secret: SECRETS.alice });
    const issued = await rawRequest(gateways[0].url, `/svc/oauth2/token?${q}`);
    expect(issued.status).toBe(200);
    expect(await status(gateways[1], issued.json.access_token)).toBe(200);

    await call('DELETE', '/v1/consumers/bob');
    await bothInSync();
    for (const g of gateways) expect(await status(g, token('bob'))).toBe(401);

    const rule = await call('POST', '/v1/rules', { routes: ['svc'], allow: ['alice'] });
    await bothInSync();
    for (const g of gateways) {
      expect(await status(g, token('alice'))).toBe(200);
      expect(await status(g, token('carol'))).toBe(403);
    }
    await call('DELETE', `/v1/rules/${rule.id}`);
    await bothInSync();
    const after = await Promise.all(gateways.map(notifyReloads));
    after.forEach((n, i) => expect(n).toBeGreaterThanOrEqual(before[i] + 3));
    for (const g of gateways) expect(g.logs.some((l) => l.includes('"trigger":"notify"'))).toBe(true);
  });

  it('killed PostgreSQL connections: the gateways keep their snapshot, LISTEN reconnects, NOTIFY works again', async () => {
    await bothInSync();
    const listens = gateways.map((g) => g.logs.filter((l) => l.includes(LISTENING)).length);
    const killed = await db.adminQuery<{ app: string; ok: boolean }>(
      'SELECT application_name AS app, pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = $1 AND usename = current_user',
      [db.name],
    );
    // At least each gateway's LISTEN connection (and the pooled ones of all three processes).
    expect(killed.filter((k) => k.ok && k.app === 'oauth2-gateway-listen').length).toBe(2);
    // Still enforcing the last snapshot, store or no store.
    for (const g of gateways) {
      expect(await status(g, token('alice'))).toBe(200);
      expect(await status(g, token('bob'))).toBe(401);
    }
    for (const [i, g] of gateways.entries()) {
      await until('reconnected', () => g.logs.filter((l) => l.includes(LISTENING)).length > listens[i]);
      expect(g.logs.some((l) => l.includes('store change notifications lost; reconnecting'))).toBe(true);
    }
    const before = await Promise.all(gateways.map(notifyReloads));
    await call('POST', '/v1/rules', { routes: ['svc'], allow: ['carol'] });
    await bothInSync();
    for (const g of gateways) {
      expect(await status(g, token('carol'))).toBe(200);
      expect(await status(g, token('alice'))).toBe(403);
    }
    const after = await Promise.all(gateways.map(notifyReloads));
    after.forEach((n, i) => expect(n).toBeGreaterThan(before[i]));
  });

  it('a gateway with another master key refuses to start, in one line naming the key and never the password', async () => {
    const dir = makeTempDir('oauth2-pg-gw-');
    try {
      const r = await runToExit(GATEWAY_ENTRY, {
        OAUTH2_DATA_DIR: dir.path,
        OAUTH2_DATABASE: db.url,
        OAUTH2_MASTER_KEY: 'c'.repeat(64),
        GATEWAY_HOST: '127.0.0.1',
        GATEWAY_PORT: '0',
        GATEWAY_STATUS_PORT: '0',
      });
      expect(r.code).toBe(1);
      expect(r.stdout + r.stderr).toContain('OAUTH2_MASTER_KEY');
      expect(r.stdout + r.stderr).not.toContain(new URL(db.url).password);
    } finally {
      dir.cleanup();
    }
  });

  it('no process logs the database password', () => {
    const password = new URL(db.url).password;
    for (const p of [admin, ...gateways]) expect(p.logs.filter((l) => l.includes(password))).toEqual([]);
  });
});
