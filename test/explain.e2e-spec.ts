import { AT_HEADER, craftHs256, standardClaims, startGatewayStack, type GatewayStack } from '@oauth2/testing';

// End-to-end: POST /v1/explain must predict the real gateway's answer. For each row the same
// request goes to the explainer (admin API) and to the gateway; status, msg and reason must be equal
// (200 = forwarded to the echo upstream). Tokens are crafted independently with node:crypto.
const ID1 = 'explain-client-1';
const S1 = 'explain-secret-one-0123456789abcdef012345';
const ID2 = 'explain-client-2';
const S2 = 'explain-secret-two-0123456789abcdef012345';
const nowS = () => Math.floor(Date.now() / 1000);
const c1 = (extra: Record<string, unknown> = {}, header: object = AT_HEADER, secret = S1) => craftHs256(header, { ...standardClaims({ name: 'c1', clientId: ID1, now: nowS() }), ...extra }, secret);
const ID4 = 'explain-client-4';
const S4 = 'explain-secret-four-0123456789abcdef01234';
const c4 = (extra: Record<string, unknown> = {}) => craftHs256(AT_HEADER, { ...standardClaims({ name: 'c4', clientId: ID4, now: nowS() }), ...extra }, S4);
const c2 = (extra: Record<string, unknown> = {}) => craftHs256(AT_HEADER, { ...standardClaims({ name: 'c2', clientId: ID2, now: nowS() }), ...extra }, S2);

interface Case {
  host: string;
  path: string;
  method?: string;
  token?: () => string;
  /** Expected gateway status: pins the table so a row cannot silently test nothing. */
  status: number;
}

let s: GatewayStack;
beforeAll(async () => {
  s = await startGatewayStack();
  await s.call('POST', '/v1/consumers', { name: 'c1', client_id: ID1, client_secret: S1 });
  await s.call('POST', '/v1/consumers', { name: 'c2', client_id: ID2, client_secret: S2 });
  await s.call('POST', '/v1/routes', { name: 'ns/api', hosts: ['api.test'], path_prefix: '/api', upstream: s.echo.url });
  await s.call('POST', '/v1/routes', { name: 'ns/api-admin', hosts: ['api.test'], path_prefix: '/api/admin', upstream: s.echo.url });
  await s.call('POST', '/v1/routes', { name: 'ns/wild', hosts: ['*.wild.test'], upstream: s.echo.url });
  await s.call('POST', '/v1/routes', { name: 'ns/open', path_prefix: '/open', upstream: s.echo.url });
  await s.call('POST', '/v1/rules', { routes: ['ns/api'], allow: ['c1'] });
  await s.call('POST', '/v1/rules', { domains: ['*.wild.test'], allow: ['c2'] });
  // A route with no rule of its own whose host is a domain rule's: the domain rule decides there.
  await s.call('POST', '/v1/routes', { name: 'ns/dom', hosts: ['dom.test'], upstream: s.echo.url });
  await s.call('POST', '/v1/rules', { domains: ['dom.test'], allow: ['c1'] });
  // A deny-all rule: its only consumer was force-deleted, so it allows nobody (never opens).
  await s.call('POST', '/v1/consumers', { name: 'c3', client_id: 'explain-client-3', client_secret: 'explain-secret-three-0123456789abcdef0123' });
  await s.call('POST', '/v1/routes', { name: 'ns/deny', hosts: ['deny.test'], upstream: s.echo.url });
  await s.call('POST', '/v1/rules', { routes: ['ns/deny'], allow: ['c3'] });
  await s.call('DELETE', '/v1/consumers/c3?force=true');
  await s.call('POST', '/v1/revocations', { jti: 'explain-revoked-jti' });
  // SPEC §8.3: a scoped consumer in a group, an unrestricted one, a rule requiring a scope, a group rule.
  await s.call('POST', '/v1/consumers', { name: 'c4', client_id: ID4, client_secret: S4, scopes: ['orders:read', 'orders:write'], groups: ['billing'] });
  await s.call('PATCH', '/v1/consumers/c2', { groups: ['ops'] });
  await s.call('POST', '/v1/routes', { name: 'ns/scoped', hosts: ['scoped.test'], upstream: s.echo.url });
  await s.call('POST', '/v1/rules', { routes: ['ns/scoped'], allow: ['c1'], allow_groups: ['billing'], scopes: ['orders:write'] });
  await s.call('POST', '/v1/routes', { name: 'ns/grp', hosts: ['grp.test'], upstream: s.echo.url });
  await s.call('POST', '/v1/rules', { routes: ['ns/grp'], allow_groups: ['billing', 'ops'] });
  await s.call('POST', '/v1/routes', { name: 'ns/anyscope', hosts: ['anyscope.test'], upstream: s.echo.url });
  await s.call('POST', '/v1/rules', { routes: ['ns/anyscope'], scopes: ['orders:read'] });
  await s.sync();
}, 30_000);
afterAll(async () => {
  await s?.stop();
}, 30_000);

async function compare(c: Case): Promise<void> {
  const token = c.token?.();
  const body: Record<string, unknown> = { host: c.host, path: c.path, ...(c.method ? { method: c.method } : {}), ...(token !== undefined ? { token } : {}) };
  const ex = await s.admin.api('POST', '/v1/explain', body);
  expect(ex.status).toBe(200);
  const headers: Record<string, string> = { host: c.host, ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}) };
  const gw = await s.request(c.path, { method: c.method ?? 'GET', headers });
  expect(gw.status).toBe(c.status);
  expect(ex.json.outcome.status).toBe(gw.status);
  if (gw.status === 200) {
    expect(ex.json.outcome.reason).toBe('forwarded');
    expect(gw.json.url).toBeDefined(); // the echo upstream answered
  } else {
    expect(ex.json.outcome.msg).toBe(gw.json.msg);
    expect(ex.json.outcome.reason).toBe(gw.json.reason);
  }
  // Never echo the token or a secret back.
  if (token) expect(ex.text).not.toContain(token);
  expect(ex.text).not.toContain(S1);
  expect(ex.text).not.toContain(S2);
}

describe('explain equals the gateway (global_auth unset, rules exist, global_credentials=true)', () => {
  const now = nowS();
  it.each<[string, Case]>([
    ['no token on a ruled route', { host: 'api.test', path: '/api/x', status: 401 }],
    ['allowed consumer', { host: 'api.test', path: '/api/x?q=1', token: () => c1(), status: 200 }],
    ['host with port and upper case', { host: 'API.test:8080', path: '/api/x', token: () => c1(), status: 200 }],
    ['not allowed', { host: 'api.test', path: '/api/x', token: () => c2(), status: 403 }],
    ['expired', { host: 'api.test', path: '/api/x', token: () => c1({ iat: now - 9000, exp: now - 120 }), status: 401 }],
    ['wrong alg', { host: 'api.test', path: '/api/x', token: () => c1({}, { alg: 'HS384', typ: 'at+jwt' }), status: 401 }],
    ['wrong typ', { host: 'api.test', path: '/api/x', token: () => c1({}, { alg: 'HS256', typ: 'JWT' }), status: 401 }],
    ["another consumer's signature", { host: 'api.test', path: '/api/x', token: () => c1({}, AT_HEADER, S2), status: 401 }],
    ['unknown client', { host: 'api.test', path: '/api/x', token: () => c1({ client_id: 'nobody' }), status: 401 }],
    ['wrong issuer', { host: 'api.test', path: '/api/x', token: () => c1({ iss: 'elsewhere' }), status: 401 }],
    ['sub of another consumer', { host: 'api.test', path: '/api/x', token: () => c1({ sub: 'c2' }), status: 401 }],
    ['not yet valid', { host: 'api.test', path: '/api/x', token: () => c1({ nbf: now + 3600 }), status: 401 }],
    ['not a JWT', { host: 'api.test', path: '/api/x', token: () => 'abc', status: 401 }],
    ['two tokens in the header', { host: 'api.test', path: '/api/x', token: () => `${c1()} ${c1()}`, status: 401 }],
    ['revoked jti', { host: 'api.test', path: '/api/x', token: () => c1({ jti: 'explain-revoked-jti' }), status: 401 }],
    ['no route', { host: 'nowhere.test', path: '/x', token: () => c1(), status: 404 }],
    ['pass-through (no rule here)', { host: 'any.test', path: '/open/x', status: 200 }],
    ['more specific route without a rule passes through', { host: 'api.test', path: '/api/admin/x', status: 200 }],
    ['domain rule allows c2', { host: 'a.wild.test', path: '/z', token: () => c2(), status: 200 }],
    ['domain rule refuses c1', { host: 'a.b.wild.test', path: '/z', token: () => c1(), status: 403 }],
    ['domain rule, no token', { host: 'a.wild.test', path: '/z', status: 401 }],
    ['deny-all rule (its only consumer deleted) refuses c1', { host: 'deny.test', path: '/x', token: () => c1(), status: 403 }],
    ['deny-all rule, no token', { host: 'deny.test', path: '/x', status: 401 }],
    ['scoped rule: c4 through its group, holding orders:write', { host: 'scoped.test', path: '/x', token: () => c4({ scope: 'orders:write' }), status: 200 }],
    ['scoped rule: c4 through its group, without orders:write', { host: 'scoped.test', path: '/x', token: () => c4({ scope: 'orders:read' }), status: 403 }],
    ['scoped rule: c4 with a scope it does not hold', { host: 'scoped.test', path: '/x', token: () => c4({ scope: 'admin' }), status: 403 }],
    ['scoped rule: c1 by name, unrestricted, self-requested orders:write', { host: 'scoped.test', path: '/x', token: () => c1({ scope: 'orders:write' }), status: 403 }],
    ['scoped rule: c2 neither named nor in the group', { host: 'scoped.test', path: '/x', token: () => c2(), status: 403 }],
    ['group rule: c2 in ops', { host: 'grp.test', path: '/x', token: () => c2(), status: 200 }],
    ['group rule: c1 in no group', { host: 'grp.test', path: '/x', token: () => c1(), status: 403 }],
    ['scopes-only rule: anyone holding orders:read', { host: 'anyscope.test', path: '/x', token: () => c4({ scope: 'orders:read' }), status: 200 }],
    ['scopes-only rule: unrestricted c1 never', { host: 'anyscope.test', path: '/x', token: () => c1({ scope: 'orders:read' }), status: 403 }],
    ['dot segment', { host: 'api.test', path: '/open/../api/x', status: 400 }],
    ['encoded dot segment', { host: 'api.test', path: '/open/%2e%2e/api/x', status: 400 }],
    ['token request GET without parameters', { host: 'api.test', path: '/api/oauth2/token', status: 400 }],
    ['token request without a route (global_credentials=true)', { host: 'nowhere.test', path: '/oauth2/token', status: 400 }],
    ['token request POST without a form', { host: 'api.test', path: '/oauth2/token', method: 'POST', status: 400 }],
    ['token request DELETE', { host: 'api.test', path: '/oauth2/token', method: 'DELETE', status: 405 }],
  ])('%s', async (_n, c) => compare(c));

  it('consumer mode: explains a consumer without a token, same verdict as its real token', async () => {
    for (const [consumer, token, host, path] of [
      ['c1', c1, 'api.test', '/api/x'],
      ['c2', c2, 'api.test', '/api/x'],
      ['c2', c2, 'a.wild.test', '/'],
      ['c2', c2, 'grp.test', '/'],
      ['c4', () => c4({ scope: 'orders:read orders:write' }), 'scoped.test', '/'],
      ['c1', c1, 'scoped.test', '/'],
    ] as const) {
      const ex = await s.admin.api('POST', '/v1/explain', { host, path, consumer });
      const gw = await s.request(path, { headers: { host, authorization: `Bearer ${token()}` } });
      expect([consumer, path, ex.json.outcome.status]).toEqual([consumer, path, gw.status]);
    }
  });

  it('reports the route chosen, the rule and the verification steps', async () => {
    const ex = (await s.admin.api('POST', '/v1/explain', { host: 'api.test', path: '/api/admin/x', token: c1() })).json;
    expect(ex.route.matched).toBe('ns/api-admin');
    expect(ex.route.candidates.find((c: { name: string }) => c.name === 'ns/api').reason).toMatch(/shorter/);
    expect(ex.decision).toBe('pass');
    const denied = (await s.admin.api('POST', '/v1/explain', { host: 'api.test', path: '/api/x', token: c2() })).json;
    expect(denied.rule).toMatchObject({ kind: 'routes', allow: ['c1'], position: expect.any(Number) });
    expect(denied.global_auth_row).toBe('global_auth unset, rules exist');
    expect(denied.verification.at(-1)).toMatchObject({ step: 'allow-list', ok: false });
    // Groups and scopes: which group admitted it, effective vs required.
    const viaGroup = (await s.admin.api('POST', '/v1/explain', { host: 'scoped.test', path: '/x', token: c4({ scope: 'orders:read' }) })).json;
    expect(viaGroup.rule).toMatchObject({ allow: ['c1'], allow_groups: ['billing'], scopes: ['orders:write'] });
    expect(viaGroup.verification.at(-2)).toMatchObject({ step: 'allow-list', ok: true, detail: expect.stringContaining('through its group "billing"') });
    expect(viaGroup.verification.at(-1)).toMatchObject({ step: 'scopes', ok: false, detail: expect.stringMatching(/requires orders:write; effective scopes: orders:read .*missing: orders:write/) });
    const unrestricted = (await s.admin.api('POST', '/v1/explain', { host: 'scoped.test', path: '/x', token: c1({ scope: 'orders:write' }) })).json;
    expect(unrestricted.verification.at(-1)).toMatchObject({ step: 'scopes', ok: false, detail: expect.stringContaining('unrestricted') });
  });
});

/** A concrete host for a grants sample host: '' is any host, '*.s' a host under it. */
const concrete = (h: string) => (h === '' ? 'any-host.test' : h.startsWith('*.') ? `sample${h.slice(1)}` : h);

describe('grants and who equal the gateway (route rules and domain rules)', () => {
  const tokens: Record<string, () => string> = { c1, c2 };

  it('consumer grants: every route on every sample host is reachable exactly when the gateway forwards', async () => {
    let checked = 0;
    for (const consumer of ['c1', 'c2']) {
      const g = (await s.admin.api('GET', `/v1/consumers/${consumer}/grants`)).json;
      for (const r of g.routes) {
        const route = (await s.admin.api('GET', `/v1/routes/${encodeURIComponent(r.route)}`)).json;
        for (const h of r.hosts) {
          const gw = await s.request(route.path_prefix, { headers: { host: concrete(h.host), authorization: `Bearer ${tokens[consumer]()}` } });
          expect({ consumer, route: r.route, host: h.host, reachable: gw.status === 200 }).toEqual({ consumer, route: r.route, host: h.host, reachable: h.reachable });
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(10);
    // The case the old view got wrong: ns/dom has no rule, but the domain rule on dom.test applies.
    const dom = (await s.admin.api('GET', '/v1/consumers/c2/grants')).json.routes.find((r: { route: string }) => r.route === 'ns/dom');
    expect(dom).toMatchObject({ reachable: false, access: 'denied_by_rule' });
  });

  it('route who: exactly the consumers the gateway lets through (anyone = no token needed)', async () => {
    for (const name of ['ns/api', 'ns/api-admin', 'ns/wild', 'ns/open', 'ns/dom']) {
      const w = (await s.admin.api('GET', `/v1/routes/${encodeURIComponent(name)}/who`)).json;
      const route = (await s.admin.api('GET', `/v1/routes/${encodeURIComponent(name)}`)).json;
      const host = concrete(route.hosts[0] ?? '');
      if (w.consumers === null) {
        expect([name, (await s.request(route.path_prefix, { headers: { host } })).status]).toEqual([name, 200]);
        continue;
      }
      for (const consumer of ['c1', 'c2']) {
        const gw = await s.request(route.path_prefix, { headers: { host, authorization: `Bearer ${tokens[consumer]()}` } });
        expect({ name, consumer, passes: gw.status === 200 }).toEqual({ name, consumer, passes: w.consumers.includes(consumer) });
      }
    }
    expect((await s.admin.api('GET', '/v1/routes/ns%2Fdom/who')).json).toMatchObject({ access: 'allow_list', consumers: ['c1'] });
  });
});

describe('explain equals the gateway (global_auth=true, global_credentials=false)', () => {
  beforeAll(async () => {
    await s.call('PATCH', '/v1/settings', { global_auth: true, global_credentials: false });
    await s.sync();
  });
  it.each<[string, Case]>([
    ['audience mismatch', { host: 'x.test', path: '/open/x', token: () => c1({ aud: 'default' }), status: 403 }],
    ['audience of another route', { host: 'x.test', path: '/open/x', token: () => c1({ aud: 'ns/api' }), status: 403 }],
    ['audience matches', { host: 'x.test', path: '/open/x', token: () => c1({ aud: 'ns/open' }), status: 200 }],
    ['audience list includes the route', { host: 'x.test', path: '/open/x', token: () => c1({ aud: ['a', 'ns/open'] }), status: 200 }],
    ['audience ok, not allowed', { host: 'api.test', path: '/api/x', token: () => c2({ aud: 'ns/api' }), status: 403 }],
    ['no rule, auth required, no token', { host: 'x.test', path: '/open/x', status: 401 }],
    ['token request without a route (global_credentials=false)', { host: 'nowhere.test', path: '/oauth2/token', status: 404 }],
    ['token request on a route', { host: 'x.test', path: '/open/oauth2/token', status: 400 }],
  ])('%s', async (_n, c) => compare(c));
});

describe('refusals of /v1/explain itself', () => {
  it.each<[string, Record<string, unknown>, RegExp]>([
    ['token and consumer together', { host: 'a', path: '/', token: 'x', consumer: 'c1' }, /mutually exclusive/],
    ['unknown field', { host: 'a', path: '/', secret: 'x' }, /secret/],
    ['missing path', { host: 'a' }, /path/],
    ['bad method', { host: 'a', path: '/', method: 'G E T' }, /method/],
  ])('%s: 400', async (_n, body, msg) => {
    const r = await s.admin.api('POST', '/v1/explain', body);
    expect(r.status).toBe(400);
    expect(r.json.msg).toMatch(msg);
  });

  it('needs the admin token', async () => {
    const r = await s.admin.api('POST', '/v1/explain', { host: 'a', path: '/' }, { authorization: 'Bearer wrong' });
    expect(r.status).toBe(401);
  });
});
