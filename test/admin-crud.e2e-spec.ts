/** Admin API resources end to end: the built app, a real SQLite file, over HTTP (docs/admin-api.md). */
import { AdminProcess, spawnAdmin } from '@oauth2/testing';

const SECRET = 'abcdefgh-xxxx-xxxx-xxxx-xxxxxxxxxxxx';
let admin: AdminProcess;

beforeAll(async () => {
  admin = await spawnAdmin();
});
afterAll(async () => {
  expect(await admin.stop()).toBe(0);
  // Secrets and the admin token never reach the logs.
  const all = admin.logs.join('\n');
  expect(all).not.toContain(SECRET);
  expect(all).not.toContain(admin.token);
});

const revision = async () => (await admin.api('GET', '/v1/revision')).json.revision as number;

describe('health and docs', () => {
  it('GET /healthz needs no token', async () => {
    const res = await fetch(`${admin.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });
  it('serves the OpenAPI document with bearer auth described', async () => {
    const ui = await fetch(`${admin.url}/docs`);
    expect(ui.status).toBe(200);
    const doc = await (await fetch(`${admin.url}/docs/openapi.json`)).json();
    expect(doc.paths['/v1/consumers']).toBeDefined();
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });
});

describe('consumers', () => {
  it('creates with a generated id and secret, shows the secret only on create', async () => {
    const r0 = await revision();
    const res = await admin.api('POST', '/v1/consumers', { name: 'gen' });
    expect(res.status).toBe(201);
    expect(res.json.client_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.json.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await revision()).toBeGreaterThan(r0);
    const got = await admin.api('GET', '/v1/consumers/gen');
    expect(got.json).toEqual({
      name: 'gen',
      client_id: res.json.client_id,
      created_at: res.json.created_at,
      scopes: null,
      groups: [],
      previous_secret_expires_at: null,
      auth_method: 'client_secret',
      tls_subject: null,
      tls_thumbprint: null,
    });
    const list = await admin.api('GET', '/v1/consumers');
    expect(list.text).not.toContain(res.json.client_secret);
    expect(list.json.items.find((c: { name: string }) => c.name === 'gen')).not.toHaveProperty('client_secret');
  });

  it('takes a given client_id and secret; duplicate name or client_id is 409 naming the field', async () => {
    const ok = await admin.api('POST', '/v1/consumers', { name: 'consumer1', client_id: '12345678-xxxx-xxxx-xxxx-xxxxxxxxxxxx', client_secret: SECRET });
    expect(ok.status).toBe(201);
    expect(ok.json.client_secret).toBe(SECRET);
    const dupName = await admin.api('POST', '/v1/consumers', { name: 'consumer1' });
    expect(dupName.status).toBe(409);
    expect(dupName.json).toMatchObject({ code: 409 });
    expect(dupName.json.msg).toMatch(/name/);
    const dupId = await admin.api('POST', '/v1/consumers', { name: 'other', client_id: '12345678-xxxx-xxxx-xxxx-xxxxxxxxxxxx' });
    expect(dupId.status).toBe(409);
    expect(dupId.json.msg).toMatch(/client_id/);
  });

  it('rotates the secret: 200 with the new one, then never shown again', async () => {
    const rot = await admin.api('POST', '/v1/consumers/consumer1/rotate-secret', {});
    expect(rot.status).toBe(200);
    expect(rot.json.client_secret).not.toBe(SECRET);
    expect(rot.json.client_secret.length).toBeGreaterThanOrEqual(32);
    const given = await admin.api('POST', '/v1/consumers/consumer1/rotate-secret', { client_secret: SECRET });
    expect(given.json.client_secret).toBe(SECRET);
    expect((await admin.api('GET', '/v1/consumers/consumer1')).text).not.toContain(SECRET);
  });

  it.each([
    ['short secret', { name: 'x1', client_secret: 'short' }, /client_secret/],
    ['bad name', { name: 'bad name!' }, /name/],
    ['long name', { name: 'a'.repeat(254) }, /name/],
    ['no name', {}, /name/],
    ['unknown field', { name: 'x2', role: 'admin' }, /role/],
    ['number name', { name: 42 }, /name/],
    ['dot-segment name (unaddressable in a URL)', { name: 'ns/..' }, /name/],
    ['constructor key (slips past whitelists)', JSON.parse('{"name":"x3","constructor":{"a":1}}'), /constructor/],
    ['__proto__ key', JSON.parse('{"name":"x4","__proto__":{"a":1}}'), /__proto__/],
  ])('refuses %s with 400 naming the field', async (_t, body, field) => {
    const res = await admin.api('POST', '/v1/consumers', body);
    expect(res.status).toBe(400);
    expect(res.json.code).toBe(400);
    expect(res.json.msg).toMatch(field);
  });

  it('paginates with limit/offset and refuses bad limits', async () => {
    const page = await admin.api('GET', '/v1/consumers?limit=1&offset=1');
    expect(page.status).toBe(200);
    expect(page.json.items).toHaveLength(1);
    expect(page.json.total).toBeGreaterThanOrEqual(2);
    for (const q of ['limit=0', 'limit=10001', 'limit=abc', 'offset=-1', 'limit=1.5', 'bogus=1']) {
      const res = await admin.api('GET', `/v1/consumers?${q}`);
      expect([q, res.status]).toEqual([q, 400]);
    }
    expect((await admin.api('GET', '/v1/consumers?limit=10000')).status).toBe(200);
  });

  it('404 for an unknown consumer; 400 (never 500) for odd names', async () => {
    expect((await admin.api('GET', '/v1/consumers/nobody')).status).toBe(404);
    expect((await admin.api('DELETE', '/v1/consumers/nobody')).status).toBe(404);
    expect((await admin.api('POST', '/v1/consumers/nobody/rotate-secret', {})).status).toBe(404);
    for (const p of ['a%00b', 'x'.repeat(300), '%E0%A4%A', 'a%20b', '..%2F..%2Fetc']) {
      const res = await admin.api('GET', `/v1/consumers/${p}`);
      expect([p, res.status < 500 && res.status >= 400]).toEqual([p, true]);
    }
  });

  it('50 parallel adds all land, each with its own revision', async () => {
    const r0 = await revision();
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => admin.api('POST', '/v1/consumers', { name: `par-${i}` })));
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(201));
    expect(await revision()).toBe(r0 + 50);
    const list = await admin.api('GET', '/v1/consumers?limit=10000');
    const names = new Set(list.json.items.map((c: { name: string }) => c.name));
    for (let i = 0; i < 50; i++) expect(names.has(`par-${i}`)).toBe(true);
    expect(new Set(results.map((r) => r.json.client_id)).size).toBe(50);
  });
});

describe('routes', () => {
  it('creates a route whose name holds "/" and reads it back via %2F', async () => {
    const res = await admin.api('POST', '/v1/routes', { name: 'default/route-a', upstream: 'http://127.0.0.1:9000', hosts: ['API.example.com', '*.example.org'] });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ name: 'default/route-a', path_prefix: '/', strip_prefix: false, upstream: 'http://127.0.0.1:9000' });
    const got = await admin.api('GET', '/v1/routes/default%2Froute-a');
    expect(got.status).toBe(200);
    expect(got.json.name).toBe('default/route-a');
    expect(got.json.hosts).toEqual(['api.example.com', '*.example.org']);
  });

  it('PUT replaces the route; a different name in the body is 400', async () => {
    const put = await admin.api('PUT', '/v1/routes/default%2Froute-a', { upstream: 'https://backend.internal:8443', path_prefix: '/api', strip_prefix: true });
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ name: 'default/route-a', hosts: [], path_prefix: '/api', strip_prefix: true, upstream: 'https://backend.internal:8443' });
    expect((await admin.api('PUT', '/v1/routes/default%2Froute-a', { name: 'other', upstream: 'http://a' })).status).toBe(400);
    expect((await admin.api('PUT', '/v1/routes/nope', { upstream: 'http://a' })).status).toBe(404);
  });

  it.each([
    ['bad upstream scheme', { name: 'r1', upstream: 'ftp://x' }, /upstream/],
    ['upstream with query', { name: 'r1', upstream: 'http://x/?a=1' }, /upstream/],
    ['bad host', { name: 'r1', upstream: 'http://x', hosts: ['bad host'] }, /hosts/],
    ['bare wildcard', { name: 'r1', upstream: 'http://x', hosts: ['*'] }, /hosts/],
    ['bad path', { name: 'r1', upstream: 'http://x', path_prefix: 'api' }, /path_prefix/],
    ['dot segment', { name: 'r1', upstream: 'http://x', path_prefix: '/a/../b' }, /path_prefix/],
    ['strip_prefix string', { name: 'r1', upstream: 'http://x', strip_prefix: 'yes' }, /strip_prefix/],
    ['no upstream', { name: 'r1' }, /upstream/],
  ])('refuses %s with 400', async (_t, body, field) => {
    const res = await admin.api('POST', '/v1/routes', body);
    expect(res.status).toBe(400);
    expect(res.json.msg).toMatch(field);
  });

  it('duplicate route name is 409', async () => {
    const res = await admin.api('POST', '/v1/routes', { name: 'default/route-a', upstream: 'http://x' });
    expect(res.status).toBe(409);
  });
});
