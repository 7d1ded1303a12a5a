/**
 * Incremental reload end to end (SPEC §11): a write reaches a running gateway as a delta (the rows
 * changed since its revision), a full load stays the fallback, and a damaged row fails closed
 * for its own consumer only (secrets open on first use, libs/core/src/sealed-consumer.ts).
 */
import Database from 'better-sqlite3';
import * as path from 'node:path';
import { AT_HEADER, craftHs256, enforced, seededStackPerBlock, spawnGateway, standardClaims, type GatewayProcess } from '@oauth2/testing';

jest.setTimeout(60_000);

const S1 = 'delta-secret-one-0123456789abcdef01234567';
const S3 = 'delta-secret-three-0123456789abcdef012345';
const tok = (name: string, id: string, secret: string) => craftHs256(AT_HEADER, standardClaims({ name, clientId: id, now: Math.floor(Date.now() / 1000) }), secret);

async function metric(g: GatewayProcess, name: string): Promise<number> {
  const text = await (await fetch(g.statusUrl + '/metrics')).text();
  let sum = 0;
  for (const m of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)`, 'gm'))) sum += Number(m[1]);
  return sum;
}

/** Waits (up to 10 s) for a log line the child has written but the pipe may not have delivered yet. */
async function logUntil(seen: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!seen()) {
    if (Date.now() > deadline) throw new Error(`never logged: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('incremental reload', () => {
  const s = seededStackPerBlock({ consumers: [{ name: 'c1', client_id: 'id-1', client_secret: S1 }], echoRoutes: ['r'] });
  const bearer = (t: string) => ({ headers: { authorization: `Bearer ${t}` } });

  it('a write is applied as a delta: the new consumer verifies, the others still do', async () => {
    const before = await metric(s.gateway, 'gateway_reload_deltas_total');
    await s.call('POST', '/v1/consumers', { name: 'c3', client_id: 'id-3', client_secret: S3 });
    await enforced(s);
    expect(await metric(s.gateway, 'gateway_reload_deltas_total')).toBeGreaterThan(before);
    expect(s.gateway.jsonLogs().some((j) => j.msg === 'snapshot loaded' && j.mode === 'delta')).toBe(true);
    expect((await s.request('/x', bearer(tok('c3', 'id-3', S3)))).status).toBe(200);
    expect((await s.request('/x', bearer(tok('c1', 'id-1', S1)))).status).toBe(200);
    await s.call('DELETE', '/v1/consumers/c3');
    await enforced(s);
    expect((await s.request('/x', bearer(tok('c3', 'id-3', S3)))).status).toBe(401);
  });

  it('a damaged row reached by a delta: only its consumer is refused, reported by name and counted before anyone uses it; a fix reloads', async () => {
    await s.call('POST', '/v1/consumers', { name: 'c3', client_id: 'id-3', client_secret: S3 });
    await enforced(s);
    const damaged = await metric(s.gateway, 'gateway_damaged_secrets_total');
    // A write as change() makes one (revision bump, then the row, one transaction), with a sealed secret that cannot open.
    const db = new Database(path.join(s.admin.dataDir, 'oauth2.db'));
    let revision: number;
    try {
      db.exec('BEGIN IMMEDIATE');
      db.exec('UPDATE "revision" SET "value" = "value" + 1 WHERE "id" = 1');
      db.prepare('UPDATE "consumer" SET "secret_enc" = ? WHERE "name" = ?').run(Buffer.alloc(48, 7), 'c3');
      revision = (db.prepare('SELECT "value" FROM "revision" WHERE "id" = 1').get() as { value: number }).value;
      db.exec('COMMIT');
    } finally {
      db.close();
    }
    // The snapshot goes into force (secrets open on first use); the pass after the swap finds the row
    // with no request for c3 at all.
    await s.gateway.waitForRevision(revision, 10_000);
    const deadline = Date.now() + 10_000;
    while ((await metric(s.gateway, 'gateway_damaged_secrets_total')) <= damaged) {
      if (Date.now() > deadline) throw new Error('the damaged row was never reported');
      await new Promise((r) => setTimeout(r, 20));
    }
    // The log lines come through the child's stdout pipe, which may trail the metrics answer.
    const logged = (pred: (j: Record<string, unknown>) => boolean) => s.gateway.jsonLogs().filter(pred);
    await logUntil(() => logged((j) => j.msg === 'snapshot loaded' && j.mode === 'delta' && j.revision === revision).length > 0, 'the delta load of the damaged row');
    await logUntil(() => logged((j) => j.consumer === 'c3' && /its secret cannot be decrypted/.test(String(j.msg))).length > 0, 'the damaged-row report');
    expect(logged((j) => j.consumer === 'c3' && /its secret cannot be decrypted/.test(String(j.msg)))).toHaveLength(1);
    expect(s.gateway.logs.join('\n')).not.toContain(S3);
    // Fail closed for c3 only: its token no longer verifies; c1 is unaffected.
    expect((await s.request('/x', bearer(tok('c3', 'id-3', S3)))).status).toBe(401);
    expect((await s.request('/x', bearer(tok('c1', 'id-1', S1)))).status).toBe(200);
    // Reported once, not per request.
    expect(await metric(s.gateway, 'gateway_damaged_secrets_total')).toBe(damaged + 1);
    // The operator replaces the secret: c3 works again.
    await s.call('POST', '/v1/consumers/c3/rotate-secret', { client_secret: S3 + 'x' });
    await enforced(s, 5000);
    expect((await s.request('/x', bearer(tok('c3', 'id-3', S3 + 'x')))).status).toBe(200);
  });

  it('GATEWAY_INCREMENTAL_RELOAD=false: every reload is a full load, to the same result', async () => {
    const full = await spawnGateway({ dataDir: s.admin.dataDir, env: { GATEWAY_INCREMENTAL_RELOAD: 'false' } });
    try {
      await s.call('POST', '/v1/consumers', { name: 'c4', client_id: 'id-4', client_secret: S3 + '4' });
      const { revision } = await s.call('GET', '/v1/revision');
      await full.waitForRevision(revision, 1000);
      expect(await metric(full, 'gateway_reload_deltas_total')).toBe(0);
      expect(
        full
          .jsonLogs()
          .filter((j) => j.msg === 'snapshot loaded')
          .map((j) => j.mode),
      ).toEqual(expect.arrayContaining(['full']));
      expect(full.jsonLogs().some((j) => j.msg === 'snapshot loaded' && j.mode === 'delta')).toBe(false);
    } finally {
      await full.stop();
    }
  });
});
