/** Rules, settings, deletes with force, and the refusals (401/400/413) of the admin API. */
import { AdminProcess, spawnAdmin } from '@oauth2/testing';

let admin: AdminProcess;

beforeAll(async () => {
  // Its refusals rows send dozens of wrong admin tokens from one address: the wrong-token limiter
  // (tested in security-admin-token-limiter.e2e-spec.ts) would answer 429 first; off here.
  admin = await spawnAdmin({ env: { OAUTH2_ADMIN_MAX_AUTH_FAILURES: '0' } });
  for (const name of ['c1', 'c2', 'c3']) expect((await admin.api('POST', '/v1/consumers', { name })).status).toBe(201);
  for (const name of ['ns/r1', 'r2']) expect((await admin.api('POST', '/v1/routes', { name, upstream: 'http://127.0.0.1:9' })).status).toBe(201);
});
afterAll(async () => {
  expect(await admin.stop()).toBe(0);
});

const revision = async () => (await admin.api('GET', '/v1/revision')).json.revision as number;

describe('rules', () => {
  it('POST creates a route rule and a domain rule (201 with id), in position order', async () => {
    const a = await admin.api('POST', '/v1/rules', { routes: ['ns/r1', 'r2'], allow: ['c1'] });
    expect(a.status).toBe(201);
    expect(a.json).toMatchObject({ routes: ['ns/r1', 'r2'], allow: ['c1'] });
    expect(typeof a.json.id).toBe('number');
    expect(a.json).not.toHaveProperty('domains');
    const b = await admin.api('POST', '/v1/rules', { domains: ['*.example.com', 'test.com'], allow: ['c2'], position: 0 });
    expect(b.status).toBe(201);
    const list = await admin.api('GET', '/v1/rules');
    expect(list.json.items.map((r: { id: number }) => r.id)).toEqual([b.json.id, a.json.id]);
    expect(list.json.total).toBe(2);
    expect((await admin.api('GET', `/v1/rules/${a.json.id}`)).json).toEqual(a.json);
  });

  it('PUT replaces a rule', async () => {
    const created = await admin.api('POST', '/v1/rules', { routes: ['r2'], allow: ['c3'] });
    const put = await admin.api('PUT', `/v1/rules/${created.json.id}`, { domains: ['x.test'], allow: ['c1', 'c3'] });
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ id: created.json.id, domains: ['x.test'], allow: ['c1', 'c3'] });
    expect(put.json).not.toHaveProperty('routes');
    const del = await admin.api('DELETE', `/v1/rules/${created.json.id}`);
    expect(del.json).toEqual({ deleted: String(created.json.id), rules_updated: [], rules_deleted: [], rules_emptied: [] });
    expect((await admin.api('GET', `/v1/rules/${created.json.id}`)).status).toBe(404);
  });

  it.each([
    ['unknown consumer', { routes: ['r2'], allow: ['ghost'] }, /ghost/],
    ['unknown route', { routes: ['no-such-route'], allow: ['c1'] }, /no-such-route/],
    ['both routes and domains', { routes: ['r2'], domains: ['a.com'], allow: ['c1'] }, /routes or domains/],
    ['neither routes nor domains', { allow: ['c1'] }, /routes or domains/],
    ['empty allow', { routes: ['r2'], allow: [] }, /allow/],
    ['bad domain', { domains: ['bad domain'], allow: ['c1'] }, /domains/],
    ['negative position', { routes: ['r2'], allow: ['c1'], position: -1 }, /position/],
    ['unknown field', { routes: ['r2'], allow: ['c1'], deny: ['c2'] }, /deny/],
  ])('refuses %s with 400 naming it, changing nothing', async (_t, body, what) => {
    const r0 = await revision();
    const res = await admin.api('POST', '/v1/rules', body);
    expect(res.status).toBe(400);
    expect(res.json.msg).toMatch(what);
    expect(await revision()).toBe(r0);
  });

  it('rule ids that are not positive integers are 400; unknown ids 404', async () => {
    for (const id of ['abc', '0', '-1', '1.5', '9'.repeat(30)]) expect((await admin.api('GET', `/v1/rules/${id}`)).status).toBe(400);
    expect((await admin.api('GET', '/v1/rules/999999')).status).toBe(404);
    expect((await admin.api('DELETE', '/v1/rules/999999')).status).toBe(404);
  });
});

describe('delete with force', () => {
  it('deleting a consumer a rule allows is 409 unless force=true, which reports updated rules and keeps an emptied one as deny-all', async () => {
    const shared = await admin.api('POST', '/v1/rules', { routes: ['r2'], allow: ['c2', 'c3'] });
    const only = await admin.api('POST', '/v1/rules', { domains: ['only.test'], allow: ['c3'] });
    const refused = await admin.api('DELETE', '/v1/consumers/c3');
    expect(refused.status).toBe(409);
    expect((await admin.api('GET', '/v1/consumers/c3')).status).toBe(200);
    expect((await admin.api('DELETE', '/v1/consumers/c3?force=maybe')).status).toBe(400);
    const forced = await admin.api('DELETE', '/v1/consumers/c3?force=true');
    expect(forced.status).toBe(200);
    expect(forced.json).toEqual({ deleted: 'c3', rules_updated: [shared.json.id], rules_deleted: [], rules_emptied: [only.json.id] });
    expect((await admin.api('GET', `/v1/rules/${shared.json.id}`)).json.allow).toEqual(['c2']);
    expect((await admin.api('GET', `/v1/rules/${only.json.id}`)).json).toMatchObject({ domains: ['only.test'], allow: [] });
  });

  it('deleting a route a rule names is 409 unless force=true', async () => {
    expect((await admin.api('DELETE', '/v1/routes/ns%2Fr1')).status).toBe(409);
    const forced = await admin.api('DELETE', '/v1/routes/ns%2Fr1?force=true');
    expect(forced.status).toBe(200);
    expect(forced.json.deleted).toBe('ns/r1');
    expect(forced.json.rules_updated.length + forced.json.rules_deleted.length).toBeGreaterThan(0);
    expect((await admin.api('GET', '/v1/routes/ns%2Fr1')).status).toBe(404);
  });
});

describe('settings', () => {
  it('GET answers the Higress defaults', async () => {
    const res = await admin.api('GET', '/v1/settings');
    expect(res.json).toEqual({
      issuer: 'Higress-Gateway',
      auth_path: '/oauth2/token',
      global_credentials: true,
      auth_header_name: 'Authorization',
      token_ttl: 7200,
      clock_skew_seconds: 60,
      keep_token: true,
      global_auth: null,
      signing_alg: 'HS256',
      public_base_url: '',
      cors_preflight: 'authenticate',
      require_https: false,
    });
  });

  it('PATCH takes any subset; global_auth null unsets it', async () => {
    const r0 = await revision();
    const a = await admin.api('PATCH', '/v1/settings', { global_auth: true, token_ttl: 60 });
    expect(a.status).toBe(200);
    expect(a.json).toMatchObject({ global_auth: true, token_ttl: 60, issuer: 'Higress-Gateway' });
    expect(await revision()).toBeGreaterThan(r0);
    const b = await admin.api('PATCH', '/v1/settings', { global_auth: null });
    expect(b.json).toMatchObject({ global_auth: null, token_ttl: 60 });
  });

  it.each([
    ['unknown key', { foo: 1 }, /foo/],
    ['null issuer', { issuer: null }, /issuer/],
    ['ttl zero', { token_ttl: 0 }, /token_ttl/],
    ['ttl string', { token_ttl: '60' }, /token_ttl/],
    ['bad auth_path', { auth_path: 'token' }, /auth_path/],
    ['bad header name', { auth_header_name: 'Bad Header' }, /auth_header_name/],
    ['global_auth string', { global_auth: 'true' }, /global_auth/],
    ['negative skew', { clock_skew_seconds: -1 }, /clock_skew_seconds/],
  ])('refuses %s with 400 naming the key', async (_t, body, key) => {
    const before = (await admin.api('GET', '/v1/settings')).json;
    const res = await admin.api('PATCH', '/v1/settings', body);
    expect(res.status).toBe(400);
    expect(res.json.msg).toMatch(key);
    expect((await admin.api('GET', '/v1/settings')).json).toEqual(before);
  });
});

describe('refusals', () => {
  const writes: Array<[string, string, unknown]> = [
    ['POST', '/v1/consumers', { name: 'intruder' }],
    ['PATCH', '/v1/settings', { issuer: 'evil' }],
    ['POST', '/v1/routes', { name: 'evil', upstream: 'http://evil' }],
    ['DELETE', '/v1/consumers/c1?force=true', undefined],
    ['POST', '/v1/apply', { consumers: [] }],
  ];
  it.each([
    ['no header', undefined],
    ['wrong token', 'Bearer wrong-token-wrong-token'],
    ['wrong scheme', 'Basic abc'],
    ['empty bearer', 'Bearer '],
  ])('%s: every /v1 call is 401 with WWW-Authenticate: Bearer, nothing changes', async (_t, authorization) => {
    const r0 = await revision();
    for (const [method, path, body] of [...writes, ['GET', '/v1/consumers', undefined], ['GET', '/v1/export', undefined]] as Array<[string, string, unknown]>) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (authorization !== undefined) headers.authorization = authorization;
      const res = await fetch(admin.url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      expect([method, path, res.status]).toEqual([method, path, 401]);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(await res.json()).toMatchObject({ code: 401 });
    }
    expect(await revision()).toBe(r0);
    expect((await admin.api('GET', '/v1/consumers/intruder')).status).toBe(404);
  });

  it('a body over 1 MiB is 413; malformed JSON is 400', async () => {
    const big = await admin.api('POST', '/v1/consumers', JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10) }));
    expect(big.status).toBe(413);
    expect(big.json).toMatchObject({ code: 413 });
    const bad = await admin.api('POST', '/v1/consumers', '{"name": ', { 'content-type': 'application/json' });
    expect(bad.status).toBe(400);
    expect(bad.json.msg).toMatch(/JSON/);
  });

  it('an unknown path is a JSON 404', async () => {
    const res = await admin.api('GET', '/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.json.code).toBe(404);
  });
});
