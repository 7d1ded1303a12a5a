import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { makeTempDir, runConcurrent, spawnAdmin, type AdminProcess, type TempDir } from '@oauth2/testing';

// The control plane under concurrency and crashes: nothing acknowledged is lost, revisions never
// repeat, and a crash in the middle of a large apply leaves the old or the new config, never a mix.
jest.setTimeout(120_000);

const TOKEN = 'reliability-admin-token-0123456789';
let dir: TempDir;
let admin: AdminProcess;

const start = () => spawnAdmin({ token: TOKEN, env: { OAUTH2_DATA_DIR: dir.path } });
const revision = async (): Promise<number> => (await admin.api('GET', '/v1/revision')).json.revision;
const names = async (): Promise<string[]> => (await admin.api('GET', '/v1/consumers?limit=10000')).json.items.map((c: { name: string }) => c.name).sort();

beforeAll(async () => {
  dir = makeTempDir('oauth2-rel-admin-');
  admin = await start();
});
afterAll(async () => {
  if (admin && admin.child.exitCode === null) await admin.stop();
  dir?.cleanup();
});

describe('100 concurrent mixed writes', () => {
  it('every acknowledged write is in the store, each write has its own revision, no 5xx', async () => {
    expect((await admin.api('POST', '/v1/routes', { name: 'r0', upstream: 'http://127.0.0.1:9' })).status).toBe(201);
    for (let i = 0; i < 5; i++) expect((await admin.api('POST', '/v1/consumers', { name: `base-${i}` })).status).toBe(201);
    const rev0 = await revision();

    // A reader polls the revision throughout: what it sees must never go backwards.
    const seen: number[] = [];
    let writing = true;
    const reader = (async () => {
      while (writing) seen.push(await revision());
    })();

    type Outcome = { writes: number; statuses: number[]; exists?: string; absent?: string; rule?: number; ttl?: number };
    const results = await runConcurrent<Outcome>(100, 25, async (i) => {
      switch (i % 4) {
        case 0: {
          const r = await admin.api('POST', '/v1/consumers', { name: `w-${i}` });
          return { writes: 1, statuses: [r.status], exists: `w-${i}` };
        }
        case 1: {
          const a = await admin.api('POST', '/v1/consumers', { name: `d-${i}` });
          const b = await admin.api('DELETE', `/v1/consumers/d-${i}`);
          return { writes: 2, statuses: [a.status, b.status], absent: `d-${i}` };
        }
        case 2: {
          const r = await admin.api('POST', '/v1/rules', { routes: ['r0'], allow: [`base-${i % 5}`] });
          return { writes: 1, statuses: [r.status], rule: r.json?.id };
        }
        default: {
          const r = await admin.api('PATCH', '/v1/settings', { token_ttl: 1000 + i });
          return { writes: 1, statuses: [r.status], ttl: 1000 + i };
        }
      }
    });
    writing = false;
    await reader;

    const failures = results.filter((r): r is Error => r instanceof Error);
    expect(failures.map((e) => e.message)).toEqual([]);
    const ok = results as Outcome[];
    expect(ok.flatMap((r) => r.statuses).filter((st) => st >= 300)).toEqual([]);

    // Each acknowledged write bumped the revision exactly once: no two writes share a revision.
    const writes = ok.reduce((n, r) => n + r.writes, 0);
    expect(await revision()).toBe(rev0 + writes);
    for (let k = 1; k < seen.length; k++) expect(seen[k]).toBeGreaterThanOrEqual(seen[k - 1]);

    const present = new Set(await names());
    for (const r of ok) {
      if (r.exists) expect(present.has(r.exists)).toBe(true);
      if (r.absent) expect(present.has(r.absent)).toBe(false);
    }
    const ruleIds = new Set((await admin.api('GET', '/v1/rules?limit=10000')).json.items.map((x: { id: number }) => x.id));
    for (const r of ok) if (r.rule !== undefined) expect(ruleIds.has(r.rule)).toBe(true);
    const ttl = (await admin.api('GET', '/v1/settings')).json.token_ttl;
    expect(ok.map((r) => r.ttl).filter((t) => t !== undefined)).toContain(ttl);
  });
});

/** A bare plugin config with `n` consumers named `<prefix>-<i>` and one rule per 10 of them. */
function document(prefix: string, n: number, ttl: number): string {
  const consumers = Array.from({ length: n }, (_, i) => ({ name: `${prefix}-${i}`, client_id: `${prefix}-id-${i}`, client_secret: `${prefix}-secret-${i}-`.padEnd(40, 'x') }));
  const rules = Array.from({ length: Math.ceil(n / 10) }, (_, k) => ({ _match_domain_: [`${prefix}${k}.example.com`], allow: consumers.slice(k * 10, k * 10 + 10).map((c) => c.name) }));
  return JSON.stringify({ token_ttl: ttl, consumers, _rules_: rules });
}

/** What the export says the config is: consumer names, rule count and token_ttl. */
async function exported(): Promise<{ consumers: string[]; rules: number; ttl: number }> {
  const r = await admin.api('GET', '/v1/export', undefined, { accept: 'application/json' });
  expect(r.status).toBe(200);
  const cfg = r.json.spec.defaultConfig;
  return { consumers: (cfg.consumers ?? []).map((c: { name: string }) => c.name).sort(), rules: (r.json.spec.matchRules ?? []).length, ttl: cfg.token_ttl ?? 7200 };
}

/** When to SIGKILL: the body was sent; the WAL started growing (mid-commit); the answer arrived. */
type Trigger = 'sent' | 'wal' | 'answered';

/** POSTs `body` to /v1/apply and SIGKILLs the admin process once `when` says so. */
function applyAndKill(body: string, when: Trigger): Promise<void> {
  const u = new URL(admin.url);
  const wal = path.join(dir.path, 'oauth2.db-wal');
  const walSize = () => (fs.existsSync(wal) ? fs.statSync(wal).size : 0);
  const kill = () => admin.child.kill('SIGKILL');
  return new Promise((resolve) => {
    const req = http.request({ host: u.hostname, port: u.port, method: 'POST', path: '/v1/apply', agent: false, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' } });
    req.on('error', () => undefined); // the connection dies with the process
    req.on('response', (res) => {
      res.resume();
      kill(); // the apply finished before our trigger: kill anyway (the new config must then be complete)
    });
    req.on('finish', () => {
      if (when === 'answered') return;
      if (when === 'sent') return kill();
      // Kill as soon as the transaction starts writing (the WAL grows), bounded by a deadline.
      const before = walSize();
      const deadline = Date.now() + 20_000;
      const poll = () => {
        if (admin.child.exitCode !== null || admin.child.signalCode !== null) return;
        if (walSize() !== before || Date.now() > deadline) return kill();
        setImmediate(poll);
      };
      poll();
    });
    admin.exited.then(() => resolve());
    req.end(body);
  });
}

describe('SIGKILL in the middle of a large apply', () => {
  it.each<[Trigger, number]>([
    ['sent', 1],
    ['wal', 2],
    ['wal', 3],
    ['answered', 4],
  ])('kill when %s (round %i): after restart the config is entirely old or entirely new', async (when, round) => {
    const oldDoc = document(`old${round}`, 3, 600 + round);
    expect((await admin.api('POST', '/v1/apply', oldDoc)).status).toBe(200);
    const old = await exported();
    const big = document(`new${round}`, 4000, 900 + round);
    expect(Buffer.byteLength(big)).toBeLessThan(1024 * 1024);

    await applyAndKill(big, when);
    admin = await start();
    const after = await exported();
    const isOld = JSON.stringify(after) === JSON.stringify(old);
    const isNew = after.consumers.length === 4000 && after.consumers.every((n) => n.startsWith(`new${round}-`)) && after.rules === 400 && after.ttl === 900 + round;
    if (!isOld && !isNew) throw new Error(`a mix after the crash: ${after.consumers.length} consumers, ${after.rules} rules, token_ttl ${after.ttl}`);
    // An acknowledged apply is durable: killed after the answer, the new config must be there.
    if (when === 'answered') expect(isNew).toBe(true);
    // The store is usable after the crash: a write lands and bumps the revision.
    const rev = await revision();
    expect((await admin.api('POST', '/v1/consumers', { name: `after-kill-${round}` })).status).toBe(201);
    expect(await revision()).toBe(rev + 1);
  });
});

describe('SIGTERM', () => {
  it('during a large apply: the apply completes (200, config complete), then exit 0', async () => {
    const big = document('term', 3000, 1234);
    const u = new URL(admin.url);
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(
        { host: u.hostname, port: u.port, method: 'POST', path: '/v1/apply', agent: false, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' } },
        (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode!, body }));
        },
      );
      req.on('error', reject);
      // Once the whole body is on the wire the request is in flight: SIGTERM now.
      req.on('finish', () => admin.child.kill('SIGTERM'));
      req.end(big);
    });
    const r = await answer;
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ applied: { consumers: 3000 } });
    expect(await admin.exited).toBe(0);
    admin = await start();
    const after = await exported();
    expect(after.consumers).toHaveLength(3000);
    expect(after.ttl).toBe(1234);
  });
});
