/**
 * The external-authorization listener end to end (docs/external-authz.md): a real nginx (Debian's
 * package) running the shipped deploy/authz/nginx.conf in front of the echo upstream, asking the
 * gateway's authz listener; and check requests shaped as Envoy's ext_authz and Traefik's
 * ForwardAuth send them, straight to the listener.
 */
import { AT_HEADER, craftHs256, enforced, rawRequest, seededStackPerBlock, standardClaims, startNginx, type NginxProcess } from '@oauth2/testing';

const S1 = 'authz-c1-secret-0123456789abcdef0123456789';
const S2 = 'authz-c2-secret-0123456789abcdef0123456789';
const now = () => Math.floor(Date.now() / 1000);
const c2 = () => craftHs256(AT_HEADER, standardClaims({ name: 'c2', clientId: 'authz-c2', now: now() }), S2);
const hostPort = (url: string) => new URL(url).host;

const s = seededStackPerBlock({
  gatewayEnv: { GATEWAY_AUTHZ_PORT: '0' },
  consumers: [
    { name: 'c1', client_id: 'authz-c1', client_secret: S1, scopes: ['orders:read', 'orders:write'] },
    { name: 'c2', client_id: 'authz-c2', client_secret: S2 },
    { name: 'c3', client_id: 'authz-c3', client_secret: 'authz-c3-secret-0123456789abcdef0123456789' },
  ],
  echoRoutes: [
    { name: 'api', hosts: ['api.test'], path_prefix: '/api' },
    { name: 'open', path_prefix: '/open' },
    { name: 'orders', hosts: ['api.test'], path_prefix: '/orders' },
  ],
});
let nginx: NginxProcess;
let authz: string;

beforeAll(async () => {
  await s.call('POST', '/v1/rules', { routes: ['api'], allow: ['c1', 'c3'] });
  await s.call('POST', '/v1/rules', { routes: ['orders'], allow: ['c1'], scopes: ['orders:write'] });
  await s.sync();
  authz = s.gateway.authzUrl!;
  expect(authz).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  nginx = await startNginx({ upstream: hostPort(s.echo.url), gateway: hostPort(s.gateway.url), authz: hostPort(authz) });
}, 60_000);
afterAll(async () => {
  await nginx?.stop();
});

const viaNginx = (path: string, headers: Record<string, string> = {}) => rawRequest(nginx.url, path, { headers: { host: 'api.test', ...headers } });

describe('nginx auth_request in front of the echo upstream', () => {
  let token: string;

  it('issues a token through nginx (auth_path goes to the gateway)', async () => {
    const q = new URLSearchParams({ grant_type: 'client_credentials', client_id: 'authz-c1', client_secret: S1 });
    const r = await viaNginx(`/oauth2/token?${q}`);
    expect(r.status).toBe(200);
    token = r.json.access_token;
    expect(token.split('.')).toHaveLength(3);
  });

  it('an allowed token: 200 at the upstream with X-Mse-Consumer set by nginx from our answer; a client-sent one never arrives', async () => {
    const r = await viaNginx('/api/x?q=1', { authorization: `Bearer ${token}`, 'x-mse-consumer': 'root' });
    expect(r.status).toBe(200);
    expect(r.json.url).toBe('/api/x?q=1');
    expect(r.json.headers['x-mse-consumer']).toBe('c1');
  });

  it('a pass-through decision: forwarded without any X-Mse-Consumer, whatever the client sent (also spelled with _)', async () => {
    const r = await viaNginx('/open/x', { 'x-mse-consumer': 'root', X_Mse_Consumer: 'root2' });
    expect(r.status).toBe(200);
    const seen = (r.json.rawHeaders as string[]).filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase().replace(/_/g, '-'));
    expect(seen).not.toContain('x-mse-consumer');
  });

  it.each<[string, Record<string, string>, number]>([
    ['no token', {}, 401],
    ['a consumer the rule does not allow', { authorization: `Bearer ${c2()}` }, 403],
    ['a malformed token', { authorization: 'Bearer abc' }, 401],
  ])('%s: the proxy path’s status, body and WWW-Authenticate reach the client', async (_n, headers, status) => {
    const before = s.echo.count;
    const [through, direct] = await Promise.all([viaNginx('/api/x', headers), s.request('/api/x', { headers: { host: 'api.test', ...headers } })]);
    expect(through.status).toBe(status);
    expect([through.status, through.json, through.headers['www-authenticate']]).toEqual([direct.status, direct.json, direct.headers['www-authenticate']]);
    expect(s.echo.count).toBe(before);
  });

  it('a path nginx passes but the gateway refuses: the gateway’s 400, never the upstream', async () => {
    const before = s.echo.count;
    for (const p of ['/open;x=1', '/open/%2e%2e/api/x']) {
      const r = await viaNginx(p);
      expect([p, r.status, r.json?.reason]).toEqual([p, 400, 'bad_path']);
    }
    // Another spelling of the ruled route is decided by its rule.
    expect((await viaNginx('/API//x')).status).toBe(401);
    expect(s.echo.count).toBe(before);
  });

  it('scopes: X-Authenticated-Scope reaches the upstream from our answer, never from the client (any spelling)', async () => {
    const r = await viaNginx('/api/x', { authorization: `Bearer ${token}`, 'x-authenticated-scope': 'admin', X_Authenticated_Scope: 'admin' });
    expect(r.status).toBe(200);
    expect(r.json.headers['x-authenticated-scope']).toBe('orders:read orders:write');
    const open = await viaNginx('/open/x', { 'x-authenticated-scope': 'admin', X_Authenticated_Scope: 'admin' });
    const seen = (open.json.rawHeaders as string[]).filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase().replace(/_/g, '-'));
    expect(seen).not.toContain('x-authenticated-scope');
  });

  it('scopes: a token without the rule’s required scope gets the proxy path’s 403 insufficient_scope and its challenge through nginx', async () => {
    const q = new URLSearchParams({ grant_type: 'client_credentials', client_id: 'authz-c1', client_secret: S1, scope: 'orders:read' });
    const narrow = (await viaNginx(`/oauth2/token?${q}`)).json.access_token as string;
    const before = s.echo.count;
    const headers = { authorization: `Bearer ${narrow}` };
    const [through, direct] = await Promise.all([viaNginx('/orders/1', headers), s.request('/orders/1', { headers: { host: 'api.test', ...headers } })]);
    expect([through.status, through.json?.reason]).toEqual([403, 'insufficient_scope']);
    expect(through.headers['www-authenticate']).toContain('scope="orders:write"');
    expect([through.status, through.json, through.headers['www-authenticate']]).toEqual([direct.status, direct.json, direct.headers['www-authenticate']]);
    expect(s.echo.count).toBe(before);
    expect((await viaNginx('/orders/1', { authorization: `Bearer ${token}` })).json.headers['x-authenticated-scope']).toBe('orders:read orders:write');
  });

  it('a consumer removed through the admin API is refused through nginx within 1 s', async () => {
    expect((await viaNginx('/api/x', { authorization: `Bearer ${token}` })).status).toBe(200);
    await s.call('DELETE', '/v1/consumers/c1?force=true');
    await enforced(s, 1000);
    const r = await viaNginx('/api/x', { authorization: `Bearer ${token}` });
    expect(r.status).toBe(401);
  });
});

describe('check requests shaped as Envoy and Traefik send them', () => {
  it('Envoy ext_authz (path_prefix /envoy): original method, Host and path; allowed_upstream_headers carry the identity', async () => {
    const r = await rawRequest(authz, '/envoy/api/orders?id=7', {
      method: 'POST',
      headers: { host: 'api.test', authorization: `Bearer ${c2()}`, 'content-length': '0', 'x-forwarded-proto': 'https', 'x-request-id': 'e1', 'x-envoy-expected-rq-timeout-ms': '200' },
    });
    // c1 is gone (previous block); c2 is not on the api rule: the proxy path's 403, as JSON.
    expect(r.status).toBe(403);
    expect(r.json).toMatchObject({ code: 403, reason: 'not_allowed' });
    const open = await rawRequest(authz, '/envoy/open/x', { headers: { host: 'any.test', authorization: `Bearer ${c2()}`, 'content-length': '0' } });
    expect(open.status).toBe(200);
    expect(open.text).toBe('');
    expect(open.headers['x-mse-consumer']).toBeUndefined(); // pass-through: no identity
  });

  it('Traefik ForwardAuth (/forward): a GET carrying X-Forwarded-Method/-Host/-Uri and the client headers', async () => {
    await s.call('POST', '/v1/rules', { routes: ['open'], allow: ['c2'] });
    await s.sync();
    const headers = {
      host: hostPort(authz),
      'x-forwarded-method': 'PUT',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'any.test',
      'x-forwarded-uri': '/open/items/1?x=%2F',
      'x-forwarded-for': '10.0.0.9',
      authorization: `Bearer ${c2()}`,
    };
    const ok = await rawRequest(authz, '/forward', { headers });
    expect([ok.status, ok.headers['x-mse-consumer'], ok.text]).toEqual([200, 'c2', '']);
    const none = await rawRequest(authz, '/forward', { headers: { ...headers, authorization: '' } });
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer realm="oauth2-gateway"');
    const missing = await rawRequest(authz, '/forward', { headers: { host: 'x', 'x-forwarded-host': 'any.test' } });
    expect(missing.status).toBe(400);
    expect(missing.json.msg).toMatch(/X-Forwarded-Uri/);
  });

  it('counts decisions by shape, outcome and reason on /metrics', async () => {
    const text = await (await fetch(`${s.gateway.statusUrl}/metrics`)).text();
    expect(text).toMatch(/gateway_authz_decisions_total\{shape="nginx",outcome="allowed",reason="authenticated"\} [1-9]/);
    expect(text).toMatch(/gateway_authz_decisions_total\{shape="forward",outcome="bad_request",reason="bad_check_request"\} 1/);
    expect(text).toMatch(/gateway_authz_decisions_total\{shape="envoy",outcome="forbidden",reason="not_allowed"\} 1/);
  });
});

describe('docs', () => {
  it('the README shows deploy/authz/nginx.conf exactly as shipped (the file the test above runs)', () => {
    const fs = require('node:fs') as typeof import('node:fs');
    const readme = fs.readFileSync('README.md', 'utf8');
    const block = /```nginx\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBe(fs.readFileSync('deploy/authz/nginx.conf', 'utf8'));
  });
});
