/**
 * The gateway's refusal table, in-process (`inproc` tier): the real data-plane handler on a
 * node:http server in this process, on a real SQLite store (and once on a literal snapshot), with an
 * echo upstream. Requests go over raw sockets, since an HTTP client would normalize what some rows
 * depend on (two Host headers, `//`). Every refusal is checked to reach no upstream.
 */
import { AT_HEADER, craftHs256, metricValue, mutate, rawExchange, standardClaims } from '@oauth2/testing';
import { DEFAULT_SETTINGS } from '@oauth2/core';
import { startGatewayInProcess, type InProcessGateway } from '../libs/testing/src/gateway-in-process';

const SA = 'inproc-alice-secret-0123456789abcdef012345';
const SB = 'inproc-bob-secret-0123456789abcdef01234567';
const now = () => Math.floor(Date.now() / 1000);
const alice = (over: { ttl?: number; at?: number } = {}) => craftHs256(AT_HEADER, standardClaims({ name: 'alice', clientId: 'ip-alice', now: over.at ?? now(), ttl: over.ttl }), SA);
const bob = () => craftHs256(AT_HEADER, standardClaims({ name: 'bob', clientId: 'ip-bob', now: now() }), SB);

interface Answer {
  status: number;
  json: any;
}

/** One request over a raw socket, exactly as written: `hosts` each become a Host line. */
async function raw(gw: InProcessGateway, target: string, hosts: string[], extra: string[] = []): Promise<Answer> {
  const head = [`GET ${target} HTTP/1.1`, ...hosts.map((h) => `Host: ${h}`), ...extra, 'Connection: close', '', ''].join('\r\n');
  const r = await rawExchange(gw.port, [head]);
  const m = /^HTTP\/1\.1 (\d{3})/.exec(r.data);
  const body = r.data.slice(r.data.indexOf('\r\n\r\n') + 4);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  return { status: m ? Number(m[1]) : 0, json };
}

interface Row {
  what: string;
  target: string;
  hosts: string[];
  extra: string[];
  status: number;
  reason: string;
}

describe('on a store: routes admin (/admin, rule: alice) and open (/) on open.test', () => {
  let gw: InProcessGateway;
  beforeAll(async () => {
    gw = await startGatewayInProcess({
      seed: async (store, echo) => {
        await store.createConsumer({ name: 'alice', client_id: 'ip-alice', client_secret: SA });
        await store.createConsumer({ name: 'bob', client_id: 'ip-bob', client_secret: SB });
        await store.createRoute({ name: 'admin', hosts: ['open.test'], path_prefix: '/admin', upstream: echo });
        await store.createRoute({ name: 'open', hosts: ['open.test'], path_prefix: '/', upstream: echo });
        await store.createRule({ routes: ['admin'], allow: ['alice'] });
      },
    });
  });
  afterAll(() => gw?.close());

  it.each<Row>([
    { what: 'missing token', target: '/admin/x', hosts: ['open.test'], extra: [], status: 401, reason: 'missing_token' },
    { what: 'Basic instead of Bearer', target: '/admin/x', hosts: ['open.test'], extra: ['Authorization: Basic YWxpY2U6c2VjcmV0'], status: 401, reason: 'bad_scheme' },
    { what: 'Bearer and no token', target: '/admin/x', hosts: ['open.test'], extra: ['Authorization: Bearer'], status: 401, reason: 'bad_scheme' },
    { what: 'not a JWT', target: '/admin/x', hosts: ['open.test'], extra: ['Authorization: Bearer abc'], status: 401, reason: 'malformed' },
    { what: 'signature changed', target: '/admin/x', hosts: ['open.test'], extra: [`Authorization: Bearer ${mutate.flipSignatureChar(alice())}`], status: 401, reason: 'bad_signature' },
    {
      what: 'expired (past the clock skew)',
      target: '/admin/x',
      hosts: ['open.test'],
      extra: [`Authorization: Bearer ${alice({ at: now() - 7200 - 120, ttl: 7200 })}`],
      status: 401,
      reason: 'expired',
    },
    { what: 'consumer not on the allow-list', target: '/admin/x', hosts: ['open.test'], extra: [`Authorization: Bearer ${bob()}`], status: 403, reason: 'not_allowed' },
    { what: 'Host sent twice', target: '/x', hosts: ['open.test', 'other.test'], extra: [], status: 400, reason: 'repeated_header' },
    { what: 'Authorization sent twice', target: '/admin/x', hosts: ['open.test'], extra: [`Authorization: Bearer ${alice()}`, 'authorization: Bearer forged'], status: 400, reason: 'repeated_header' },
    { what: 'Authorization twice on a pass-through route', target: '/x', hosts: ['open.test'], extra: ['Authorization: a', 'Authorization: b'], status: 400, reason: 'repeated_header' },
    { what: '%61dmin: decoded, the ruled route decides', target: '/%61dmin/x', hosts: ['open.test'], extra: [], status: 401, reason: 'missing_token' },
    { what: '//admin: one slash, the ruled route decides', target: '//admin/x', hosts: ['open.test'], extra: [], status: 401, reason: 'missing_token' },
    { what: '/ADMIN: case-folded, the ruled route decides', target: '/ADMIN/x', hosts: ['open.test'], extra: [], status: 401, reason: 'missing_token' },
    { what: '; parameter', target: '/admin;x=1', hosts: ['open.test'], extra: [], status: 400, reason: 'bad_path' },
    { what: 'encoded slash', target: '/admin%2fx', hosts: ['open.test'], extra: [], status: 400, reason: 'bad_path' },
    { what: 'dot-dot segment', target: '/pub/%2e%2e/admin/x', hosts: ['open.test'], extra: [], status: 400, reason: 'bad_path' },
    { what: 'backslash', target: '/admin\\x', hosts: ['open.test'], extra: [], status: 400, reason: 'bad_path' },
    { what: 'no route for the host', target: '/x', hosts: ['nowhere.test'], extra: [], status: 404, reason: 'no_route' },
  ])('$what: $target -> $status $reason, nothing forwarded', async ({ target, hosts, extra, status, reason }) => {
    const before = gw.echo.count;
    const r = await raw(gw, target, hosts, extra);
    expect([r.status, r.json?.reason]).toEqual([status, reason]);
    expect(gw.echo.count).toBe(before);
  });

  it('the allowed consumer is forwarded with X-Mse-Consumer; a pass-through route needs no token', async () => {
    const ok = await gw.request('/admin/x', { headers: { host: 'open.test', authorization: `Bearer ${alice()}` } });
    expect(ok.status).toBe(200);
    expect(ok.json.headers['x-mse-consumer']).toBe('alice');
    const open = await gw.request('/x', { headers: { host: 'open.test' } });
    expect(open.status).toBe(200);
    expect(open.json.headers['x-mse-consumer']).toBeUndefined();
  });

  it('each refusal is counted under its reason (the one refusal funnel)', async () => {
    const count = async () => metricValue(await gw.metrics.registry.metrics(), 'gateway_requests_total', { reason: 'repeated_header' });
    const before = await count();
    await raw(gw, '/x', ['open.test', 'open.test']);
    expect(await count()).toBe(before + 1);
  });

  it('a store write is enforced after sync(): a rule on open refuses what passed', async () => {
    expect((await gw.request('/pub', { headers: { host: 'open.test' } })).status).toBe(200);
    await gw.store!.createRule({ routes: ['open'], allow: ['alice'] });
    await gw.sync();
    const r = await gw.request('/pub', { headers: { host: 'open.test' } });
    expect([r.status, r.json.reason]).toEqual([401, 'missing_token']);
  });
});

describe('on a literal snapshot: global_auth on, token in X-Auth-Token', () => {
  let gw: InProcessGateway;
  beforeAll(async () => {
    gw = await startGatewayInProcess({
      source: (echo) => ({
        revision: 1,
        settings: { ...DEFAULT_SETTINGS, global_auth: true, auth_header_name: 'X-Auth-Token' },
        consumers: [{ name: 'alice', client_id: 'ip-alice', client_secret: SA }],
        routes: [{ name: 'all', hosts: [], path_prefix: '/', upstream: echo, strip_prefix: false }],
        rules: [],
      }),
    });
  });
  afterAll(() => gw?.close());

  it.each<[string, string[], number, string | undefined]>([
    ['a valid token in Authorization is no token', [`Authorization: Bearer ${alice()}`], 401, 'missing_token'],
    ['the token in X-Auth-Token', [`X-Auth-Token: Bearer ${alice()}`], 200, undefined],
    ['X-Auth-Token sent twice', [`X-Auth-Token: Bearer ${alice()}`, `x-auth-token: Bearer ${alice()}`], 400, 'repeated_header'],
  ])('%s', async (_what, extra, status, reason) => {
    const r = await raw(gw, '/anything', ['any.test'], extra);
    expect([r.status, r.json?.reason]).toEqual([status, reason]);
  });
});

describe('the RFC 7009 endpoint (GATEWAY_REVOCATION_ENDPOINT=true) writes through the data plane', () => {
  const jtiToken = (jti: string) => craftHs256(AT_HEADER, { ...standardClaims({ name: 'alice', clientId: 'ip-alice', now: now() }), jti }, SA);
  const revoke = (gw: InProcessGateway, token: string) =>
    gw.request('/oauth2/revoke', {
      method: 'POST',
      headers: { host: 'any.test', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, client_id: 'ip-alice', client_secret: SA }).toString(),
    });

  it('on a store: the revoked token is 401 revoked once the gateway reloads; another jti still passes', async () => {
    const gw = await startGatewayInProcess({
      env: { GATEWAY_REVOCATION_ENDPOINT: true },
      seed: async (store, echo) => {
        await store.createConsumer({ name: 'alice', client_id: 'ip-alice', client_secret: SA });
        await store.createRoute({ name: 'all', path_prefix: '/', upstream: echo });
        await store.patchSettings({ global_auth: true });
      },
    });
    try {
      const t = jtiToken('11111111-1111-4111-8111-111111111111');
      const other = jtiToken('22222222-2222-4222-8222-222222222222');
      const call = (tok: string) => gw.request('/x', { headers: { host: 'any.test', authorization: `Bearer ${tok}` } });
      expect((await call(t)).status).toBe(200);
      expect((await revoke(gw, t)).status).toBe(200);
      await gw.sync();
      const r = await call(t);
      expect([r.status, r.json.reason]).toEqual([401, 'revoked']);
      expect((await call(other)).status).toBe(200);
    } finally {
      await gw.close();
    }
  });

  it('on a literal snapshot: the jti is handed to the feed (there is no store)', async () => {
    const gw = await startGatewayInProcess({
      env: { GATEWAY_REVOCATION_ENDPOINT: true },
      source: (echo) => ({
        revision: 1,
        settings: { ...DEFAULT_SETTINGS },
        consumers: [{ name: 'alice', client_id: 'ip-alice', client_secret: SA }],
        routes: [{ name: 'all', hosts: [], path_prefix: '/', upstream: echo, strip_prefix: false }],
        rules: [],
      }),
    });
    try {
      expect((await revoke(gw, jtiToken('33333333-3333-4333-8333-333333333333'))).status).toBe(200);
      expect(gw.revokedJtis.map((r) => r.jti)).toEqual(['33333333-3333-4333-8333-333333333333']);
    } finally {
      await gw.close();
    }
  });
});

describe('CORS preflight (setting cors_preflight)', () => {
  let gw: InProcessGateway;
  beforeAll(async () => {
    gw = await startGatewayInProcess({
      seed: async (store, echo) => {
        await store.createConsumer({ name: 'alice', client_id: 'ip-alice', client_secret: SA });
        await store.createRoute({ name: 'api', hosts: ['cors.test'], path_prefix: '/api', upstream: echo });
        await store.createRule({ routes: ['api'], allow: ['alice'] });
      },
    });
  });
  afterAll(() => gw?.close());

  const preflight = (extra: string[] = ['Origin: https://app.test', 'Access-Control-Request-Method: POST']) => {
    const head = ['OPTIONS /api/orders HTTP/1.1', 'Host: cors.test', ...extra, 'Connection: close', '', ''].join('\r\n');
    return rawExchange(gw.port, [head]).then((r) => Number(/^HTTP\/1\.1 (\d{3})/.exec(r.data)?.[1]));
  };

  it('authenticate (the default): a preflight is decided like any request (401 without a token)', async () => {
    expect(await preflight()).toBe(401);
  });

  it('pass: a preflight reaches the upstream without a token; an OPTIONS that is not a preflight still needs one', async () => {
    await gw.store!.patchSettings({ cors_preflight: 'pass' });
    await gw.sync();
    const before = gw.echo.count;
    expect(await preflight()).toBe(200);
    expect(gw.echo.count).toBe(before + 1);
    expect(await preflight(['Origin: https://app.test'])).toBe(401); // no Access-Control-Request-Method
    expect(await preflight(['Access-Control-Request-Method: POST'])).toBe(401); // no Origin
  });
});
