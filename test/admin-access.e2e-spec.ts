import Database from 'better-sqlite3';
import * as path from 'node:path';
import { adminApi, spawnAdmin, type AdminProcess } from '@oauth2/testing';

// SPEC §10 with real processes: roles per route, named admin tokens, the audit log, X-Request-Id.
jest.setTimeout(120_000);

type Api = AdminProcess['api'];
let admin: AdminProcess;
let second: AdminProcess;
const tokens: Record<'viewer' | 'operator' | 'admin2', string> = { viewer: '', operator: '', admin2: '' };
/** Every secret, token and key value this test saw: none may appear in the audit table or a log line. */
const secrets = new Set<string>();
const as = (who: keyof typeof tokens): Api => adminApi(admin.url, tokens[who]);
const revision = async (): Promise<number> => (await admin.api('GET', '/v1/revision')).json.revision;
const auditTotal = async (): Promise<number> => (await admin.api('GET', '/v1/audit?limit=1')).json.total;
const APPLY_DOC = 'consumers:\n- name: applied\n  client_id: applied-id\n  client_secret: applied-secret-0123456789abcdef0123456789\n_rules_:\n- _match_route_: [r1]\n  allow: [applied]\n';
const YAML = { 'content-type': 'application/yaml' };

beforeAll(async () => {
  admin = await spawnAdmin({ env: { OAUTH2_ADMIN_MAX_AUTH_FAILURES: '0' } });
  secrets.add(admin.token);
  secrets.add('applied-secret-0123456789abcdef0123456789');
  for (const [name, role] of [
    ['viewer', 'viewer'],
    ['operator', 'operator'],
    ['admin2', 'admin'],
  ] as const) {
    const r = await admin.api('POST', '/v1/admin-tokens', { name, role });
    expect(r.status).toBe(201);
    expect(r.json.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    tokens[name] = r.json.token;
    secrets.add(r.json.token);
  }
  const c = await admin.api('POST', '/v1/consumers', { name: 'keep' });
  expect(c.status).toBe(201);
  secrets.add(c.json.client_secret);
  expect((await admin.api('POST', '/v1/routes', { name: 'r1', upstream: 'http://127.0.0.1:9' })).status).toBe(201);
  expect((await admin.api('POST', '/v1/rules', { routes: ['r1'], allow: ['keep'] })).status).toBe(201);
  expect((await admin.api('POST', '/v1/revocations', { client_id: c.json.client_id })).status).toBe(201);
  second = await spawnAdmin({ token: admin.token, env: { OAUTH2_DATA_DIR: admin.dataDir, OAUTH2_ADMIN_MAX_AUTH_FAILURES: '0' } });
});
afterAll(async () => {
  await second?.stop();
  await admin?.stop();
});

/** Every write endpoint, keyed as in the OpenAPI document (a new one without a row fails the coverage test). */
const WRITES: Record<string, { path: string; body?: unknown; headers?: Record<string, string> }> = {
  'post /v1/consumers': { path: '/v1/consumers', body: { name: 'by-viewer' } },
  'delete /v1/consumers/{name}': { path: '/v1/consumers/keep?force=true' },
  'post /v1/consumers/{name}/rotate-secret': { path: '/v1/consumers/keep/rotate-secret', body: {} },
  'patch /v1/consumers/{name}': { path: '/v1/consumers/keep', body: { groups: ['by-viewer'] } },
  'post /v1/routes': { path: '/v1/routes', body: { name: 'r-viewer', upstream: 'http://127.0.0.1:9' } },
  'put /v1/routes/{name}': { path: '/v1/routes/r1', body: { upstream: 'http://127.0.0.1:10' } },
  'delete /v1/routes/{name}': { path: '/v1/routes/r1?force=true' },
  'post /v1/rules': { path: '/v1/rules', body: { routes: ['r1'], allow: ['keep'] } },
  'put /v1/rules/{id}': { path: '/v1/rules/1', body: { routes: ['r1'], allow: [] } },
  'delete /v1/rules/{id}': { path: '/v1/rules/1' },
  'patch /v1/settings': { path: '/v1/settings', body: { token_ttl: 600 } },
  'post /v1/apply': { path: '/v1/apply', body: APPLY_DOC, headers: YAML },
  'post /v1/keys/rotate': { path: '/v1/keys/rotate', body: { alg: 'ES256' } },
  'post /v1/keys/{kid}/retire': { path: '/v1/keys/no-such-kid/retire' },
  'post /v1/revocations': { path: '/v1/revocations', body: { client_id: 'someone' } },
  'delete /v1/revocations/{id}': { path: '/v1/revocations/1' },
  'post /v1/admin-tokens': { path: '/v1/admin-tokens', body: { name: 'by-viewer', role: 'admin' } },
  'delete /v1/admin-tokens/{name}': { path: '/v1/admin-tokens/operator' },
};
const ADMIN_ONLY = ['post /v1/admin-tokens', 'delete /v1/admin-tokens/{name}'];

describe('every route declares a role', () => {
  it('the OpenAPI document of the running app: each operation has x-required-role, and refuses a caller without a token (401, never 500)', async () => {
    const doc = (await admin.api('GET', '/docs/openapi.json')).json;
    const ops: string[] = [];
    for (const [p, item] of Object.entries<Record<string, { 'x-required-role'?: string }>>(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        ops.push(`${method} ${p}`);
        if (p === '/healthz') continue;
        expect([`${method} ${p}`, op['x-required-role']]).toEqual([`${method} ${p}`, expect.any(String)]);
        const concrete = p.replace(/\{[^}]+\}/g, 'x');
        const r = await fetch(admin.url + concrete, { method: method.toUpperCase() });
        expect([`${method} ${p}`, r.status]).toEqual([`${method} ${p}`, 401]);
      }
    }
    // The write table below covers every write (POST /v1/explain is a read).
    const writes = ops.filter((o) => !o.startsWith('get ') && o !== 'post /v1/explain').sort();
    expect(writes).toEqual(Object.keys(WRITES).sort());
  });
});

describe('viewer', () => {
  it.each(Object.entries(WRITES))('%s: 403 forbidden_role, nothing changes, nothing audited', async (key, w) => {
    const before = { revision: await revision(), audit: await auditTotal(), consumers: (await admin.api('GET', '/v1/consumers')).text };
    const r = await as('viewer')(key.split(' ')[0].toUpperCase(), w.path, w.body, w.headers);
    expect(r.status).toBe(403);
    expect(r.json).toEqual({ code: 403, msg: expect.stringMatching(/^role viewer may not /), reason: 'forbidden_role' });
    expect({ revision: await revision(), audit: await auditTotal(), consumers: (await admin.api('GET', '/v1/consumers')).text }).toEqual(before);
  });

  it('reads everything but the unredacted export', async () => {
    const v = as('viewer');
    for (const p of [
      '/v1/consumers',
      '/v1/consumers/keep',
      '/v1/routes',
      '/v1/routes/r1',
      '/v1/rules',
      '/v1/rules/1',
      '/v1/settings',
      '/v1/keys',
      '/v1/revocations',
      '/v1/revision',
      '/v1/audit',
      '/v1/admin-tokens',
      '/v1/whoami',
      '/v1/export?redact=true',
    ]) {
      expect([p, (await v('GET', p)).status]).toEqual([p, 200]);
    }
    expect((await v('POST', '/v1/explain', { host: 'a.example', path: '/', client_id: 'x' })).status).not.toBe(403);
    const ex = await v('GET', '/v1/export');
    expect(ex.status).toBe(403);
    expect(ex.json.reason).toBe('forbidden_role');
    expect((await v('GET', '/v1/whoami')).json).toEqual({ name: 'viewer', role: 'viewer' });
  });
});

describe('operator', () => {
  it('cannot create or delete admin tokens, nor read the unredacted export', async () => {
    const op = as('operator');
    const before = await auditTotal();
    for (const key of ADMIN_ONLY) {
      const r = await op(key.split(' ')[0].toUpperCase(), WRITES[key].path, WRITES[key].body);
      expect([key, r.status, r.json.reason]).toEqual([key, 403, 'forbidden_role']);
    }
    expect((await op('GET', '/v1/export')).status).toBe(403);
    expect(await auditTotal()).toBe(before);
  });

  it('writes consumers, routes, rules, settings and apply; each write adds one audit row naming the operator', async () => {
    const op = as('operator');
    const steps: [string, string, unknown, number, string, Record<string, string>?][] = [
      ['POST', '/v1/consumers', { name: 'op-made' }, 201, 'consumer.create'],
      ['POST', '/v1/consumers/op-made/rotate-secret', {}, 200, 'consumer.rotate_secret'],
      ['PATCH', '/v1/consumers/op-made', { scopes: ['orders:read'], groups: ['billing'] }, 200, 'consumer.update'],
      ['POST', '/v1/routes', { name: 'r-op', upstream: 'http://127.0.0.1:9' }, 201, 'route.create'],
      ['POST', '/v1/rules', { routes: ['r-op'], allow: ['op-made'] }, 201, 'rule.create'],
      ['PATCH', '/v1/settings', { token_ttl: 900 }, 200, 'settings.update'],
      ['DELETE', '/v1/consumers/op-made?force=true', undefined, 200, 'consumer.delete'],
      ['POST', '/v1/apply', APPLY_DOC.replace('_rules_:', '_rules_:\n- _match_route_: [r-op]\n  allow: [applied]'), 200, 'apply', YAML],
    ];
    for (const [method, p, body, status, action, headers] of steps) {
      const r = await op(method, p, body, headers);
      expect([action, r.status]).toEqual([action, status]);
      if (r.json?.client_secret) secrets.add(r.json.client_secret);
      const top = (await admin.api('GET', '/v1/audit?limit=1')).json.items[0];
      expect(top).toMatchObject({ actor: 'operator', role: 'operator', action, revision: await revision(), request_id: r.headers.get('x-request-id') });
    }
    const applied = (await admin.api('GET', '/v1/audit?action=apply&limit=1')).json.items[0];
    expect(applied.summary).toEqual(expect.objectContaining({ consumers_added: expect.any(Number), rules_added: expect.any(Number), settings_changed: expect.any(Number) }));
    const rotated = (await admin.api('GET', '/v1/audit?action=consumer.rotate_secret&target=op-made')).json;
    expect(rotated.total).toBe(1);
  });
});

describe('root and admin tokens', () => {
  it('root does everything: unredacted export, create and delete admin tokens (audited, revision untouched)', async () => {
    const ex = await admin.api('GET', '/v1/export');
    expect(ex.status).toBe(200);
    const rev = await revision();
    const made = await as('admin2')('POST', '/v1/admin-tokens', { name: 'short', role: 'viewer', expires_in: 3600 });
    expect(made.status).toBe(201);
    secrets.add(made.json.token);
    expect(Date.parse(made.json.expires_at) - Date.parse(made.json.created_at)).toBe(3600_000);
    const list = (await admin.api('GET', '/v1/admin-tokens')).json;
    expect(list.items.map((t: { name: string }) => t.name)).toEqual(['root', 'admin2', 'operator', 'short', 'viewer']);
    expect(JSON.stringify(list)).not.toContain(made.json.token);
    expect((await admin.api('DELETE', '/v1/admin-tokens/short')).status).toBe(200);
    expect(await revision()).toBe(rev); // admin tokens do not make gateways reload
    const rows = (await admin.api('GET', '/v1/audit?action=admin_token.*&target=short')).json.items;
    expect(rows.map((r: { action: string; actor: string }) => [r.action, r.actor])).toEqual([
      ['admin_token.delete', 'root'],
      ['admin_token.create', 'admin2'],
    ]);
  });

  it.each([
    ['unknown role', { name: 'x1', role: 'superuser' }, 400, 'role'],
    ['expires_in too short', { name: 'x1', role: 'viewer', expires_in: 59 }, 400, 'expires_in'],
    ['expires_in too long', { name: 'x1', role: 'viewer', expires_in: 31536001 }, 400, 'expires_in'],
    ['expires_in negative', { name: 'x1', role: 'viewer', expires_in: -1 }, 400, 'expires_in'],
    ['duplicate name', { name: 'viewer', role: 'viewer' }, 409, 'name'],
    ['the name root', { name: 'root', role: 'viewer' }, 409, 'name'],
  ])('create with %s: %d naming %s, nothing audited', async (_what, body, status, field) => {
    const before = await auditTotal();
    const r = await admin.api('POST', '/v1/admin-tokens', body);
    expect(r.status).toBe(status);
    expect(r.json.field).toBe(field);
    expect(r.json.msg).toMatch(new RegExp(`^${field}: `));
    expect(await auditTotal()).toBe(before);
  });

  it('root cannot be deleted: 409 saying why', async () => {
    const r = await admin.api('DELETE', '/v1/admin-tokens/root');
    expect(r.status).toBe(409);
    expect(r.json.msg).toMatch(/bootstrap token and cannot be deleted/);
    expect((await admin.api('GET', '/v1/whoami')).json).toEqual({ name: 'root', role: 'admin' });
  });

  it('a token deleted through one admin API process is refused (401) by the other within 1 s', async () => {
    const t = (await admin.api('POST', '/v1/admin-tokens', { name: 'two-proc', role: 'operator' })).json.token;
    secrets.add(t);
    const other = adminApi(second.url, t);
    expect((await other('GET', '/v1/whoami')).json).toEqual({ name: 'two-proc', role: 'operator' });
    expect((await admin.api('DELETE', '/v1/admin-tokens/two-proc')).status).toBe(200);
    const deadline = Date.now() + 1000;
    let status = 0;
    while (Date.now() < deadline && (status = (await other('GET', '/v1/whoami')).status) !== 401);
    expect(status).toBe(401);
    expect((await other('POST', '/v1/consumers', { name: 'after-revoke' })).status).toBe(401);
  });

  it('an expired token is refused (401) at once, by both processes', async () => {
    const t = (await admin.api('POST', '/v1/admin-tokens', { name: 'expiring', role: 'viewer', expires_in: 60 })).json.token;
    secrets.add(t);
    expect((await adminApi(second.url, t)('GET', '/v1/whoami')).status).toBe(200);
    // Let its expiry pass without waiting a minute: move expires_at into the past in the store file.
    const db = new Database(path.join(admin.dataDir, 'oauth2.db'));
    try {
      db.prepare(`UPDATE "admin_token" SET "expires_at" = ? WHERE "name" = 'expiring'`).run(new Date(Date.now() - 1000).toISOString());
    } finally {
      db.close();
    }
    for (const url of [admin.url, second.url]) {
      const r = await adminApi(url, t)('GET', '/v1/consumers');
      expect(r.status).toBe(401);
      expect(r.json.msg).toMatch(/expired/);
    }
  });

  it('last_used_at is recorded on first use (and not rewritten within the minute)', async () => {
    const list = (await admin.api('GET', '/v1/admin-tokens')).json.items as { name: string; last_used_at: string | null }[];
    const viewer = list.find((t) => t.name === 'viewer')!;
    expect(viewer.last_used_at).not.toBeNull();
    await as('viewer')('GET', '/v1/revision');
    const again = ((await admin.api('GET', '/v1/admin-tokens')).json.items as typeof list).find((t) => t.name === 'viewer')!;
    expect(again.last_used_at).toBe(viewer.last_used_at);
  });
});

describe('audit log', () => {
  it('100 concurrent writes by several tokens (two processes): exactly 100 rows, each with its actor, request id and the revision it produced', async () => {
    const rev0 = await revision();
    const callers: [string, Api][] = [
      ['root', admin.api],
      ['operator', as('operator')],
      ['admin2', adminApi(second.url, tokens.admin2)],
    ];
    const results = await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        const [actor, api] = callers[i % callers.length];
        const r = await api('POST', '/v1/consumers', { name: `bulk-${i}` }, { 'x-request-id': `bulk-req-${i}` });
        expect(r.status).toBe(201);
        secrets.add(r.json.client_secret);
        return { name: `bulk-${i}`, actor };
      }),
    );
    const page = (await admin.api('GET', `/v1/audit?since_revision=${rev0}&limit=1000`)).json;
    expect(page.total).toBe(100);
    const byTarget = new Map<string, { actor: string; request_id: string; revision: number; action: string }>(page.items.map((r: { target: string }) => [r.target, r]));
    for (const { name, actor } of results) {
      expect(byTarget.get(name)).toMatchObject({ actor, action: 'consumer.create', request_id: `bulk-req-${name.slice(5)}` });
    }
    // One revision per write, each exactly the one it produced: rev0+1 .. rev0+100, newest first.
    expect(page.items.map((r: { revision: number }) => r.revision)).toEqual(Array.from({ length: 100 }, (_, i) => rev0 + 100 - i));
    expect(await revision()).toBe(rev0 + 100);
  });

  it.each([
    ['a duplicate consumer (409)', 'POST', '/v1/consumers', { name: 'applied' }, 409, undefined],
    ['an invalid apply document (400)', 'POST', '/v1/apply', 'consumers: [{name: 1}]\n', 400, YAML],
    ['a dry-run apply', 'POST', '/v1/apply?dry_run=true', APPLY_DOC, 200, YAML],
    ['a delete of a missing route (404)', 'DELETE', '/v1/routes/nope', undefined, 404, undefined],
    ['a key retire refused (409/404)', 'POST', '/v1/keys/no-such-kid/retire', undefined, 404, undefined],
  ])('%s adds no row', async (_what, method, p, body, status, headers) => {
    const before = await auditTotal();
    expect((await admin.api(method, p, body, headers)).status).toBe(status);
    expect(await auditTotal()).toBe(before);
  });

  it('filters: actor, target, action prefix, paging; newest first', async () => {
    const all = (await admin.api('GET', '/v1/audit?limit=10000')).json;
    const ids = all.items.map((r: { id: number }) => r.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    const mine = (await admin.api('GET', '/v1/audit?actor=operator&limit=10000')).json;
    expect(mine.total).toBe(all.items.filter((r: { actor: string }) => r.actor === 'operator').length);
    const page2 = (await admin.api('GET', '/v1/audit?limit=2&offset=2')).json;
    expect(page2.items.map((r: { id: number }) => r.id)).toEqual(ids.slice(2, 4));
    const consumer = (await admin.api('GET', '/v1/audit?target=op-made')).json.items.map((r: { action: string }) => r.action);
    expect(consumer).toEqual(['consumer.delete', 'consumer.update', 'consumer.rotate_secret', 'consumer.create']);
    expect((await admin.api('GET', '/v1/audit?action=DROP TABLE')).status).toBe(400);
  });
});

describe('X-Request-Id', () => {
  it('keeps a sane caller id, replaces an insane one, and the log line and audit row carry it', async () => {
    const sane = await admin.api('POST', '/v1/consumers', { name: 'rid' }, { 'x-request-id': 'my-trace.42_x' });
    secrets.add(sane.json.client_secret);
    expect(sane.headers.get('x-request-id')).toBe('my-trace.42_x');
    expect((await admin.api('GET', '/v1/audit?target=rid')).json.items[0].request_id).toBe('my-trace.42_x');
    await admin.waitForLog(/"request_id":"my-trace\.42_x"/);
    for (const bad of ['a'.repeat(129), 'has space', 'semi;colon', 'ü']) {
      const r = await admin.api('GET', '/v1/revision', undefined, { 'x-request-id': bad });
      expect(r.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
    // Errors too (401 before any guard work, 404 of the router).
    expect((await fetch(admin.url + '/v1/consumers')).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect((await admin.api('GET', '/nope')).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('no secret in the audit table or the logs', () => {
  it('greps every audit column and every log line of both processes for every secret and token of this test', async () => {
    const db = new Database(path.join(admin.dataDir, 'oauth2.db'), { readonly: true });
    let dump: string;
    try {
      dump = JSON.stringify(db.prepare('SELECT * FROM "audit"').all()) + JSON.stringify(db.prepare('SELECT * FROM "admin_token"').all());
    } finally {
      db.close();
    }
    const logs = [...admin.logs, ...second.logs].join('\n');
    expect(secrets.size).toBeGreaterThan(100);
    for (const s of secrets) {
      expect(dump.includes(s)).toBe(false);
      expect(logs.includes(s)).toBe(false);
    }
  });
});
