import { randomBytes } from 'node:crypto';
import { adminApi, createTestDatabase, describePostgres, spawnAdmin, type AdminProcess, type TestDatabase } from '@oauth2/testing';

// Two admin API processes on one PostgreSQL database: a named admin token deleted through one is
// refused by the other at once, and both write audit rows in their writes' transactions.
jest.setTimeout(90_000);

describePostgres('admin access on PostgreSQL', () => {
  let db: TestDatabase;
  const admins: AdminProcess[] = [];
  const token = randomBytes(24).toString('base64url');

  beforeAll(async () => {
    db = await createTestDatabase();
    const env = { OAUTH2_DATABASE: db.url, OAUTH2_MASTER_KEY: 'c'.repeat(64) };
    for (let i = 0; i < 2; i++) admins.push(await spawnAdmin({ token, env }));
  });
  afterAll(async () => {
    for (const a of admins) await a.stop();
    await db?.drop();
  });

  it('a token deleted through one process is 401 on the other within 1 s', async () => {
    const [a, b] = admins;
    const t = (await a.api('POST', '/v1/admin-tokens', { name: 'pg-op', role: 'operator' })).json.token;
    const other = adminApi(b.url, t);
    expect((await other('POST', '/v1/consumers', { name: 'from-b' })).status).toBe(201);
    expect((await a.api('DELETE', '/v1/admin-tokens/pg-op')).status).toBe(200);
    const deadline = Date.now() + 1000;
    let status = 0;
    while (Date.now() < deadline && (status = (await other('GET', '/v1/whoami')).status) !== 401);
    expect(status).toBe(401);
    const rows = (await a.api('GET', '/v1/audit')).json.items.map((r: { action: string; actor: string; target: string }) => [r.action, r.actor, r.target]);
    expect(rows).toEqual([
      ['admin_token.delete', 'root', 'pg-op'],
      ['consumer.create', 'pg-op', 'from-b'],
      ['admin_token.create', 'root', 'pg-op'],
    ]);
  });

  it('concurrent writes through both processes: one row each, with the revision it produced', async () => {
    const rev0 = (await admins[0].api('GET', '/v1/revision')).json.revision;
    await Promise.all(Array.from({ length: 40 }, (_, i) => admins[i % 2].api('POST', '/v1/consumers', { name: `pg-${i}` }).then((r) => expect(r.status).toBe(201))));
    const page = (await admins[1].api('GET', `/v1/audit?since_revision=${rev0}&limit=100`)).json;
    expect(page.total).toBe(40);
    expect(page.items.map((r: { revision: number }) => r.revision)).toEqual(Array.from({ length: 40 }, (_, i) => rev0 + 40 - i));
  });
});
