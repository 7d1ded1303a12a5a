import * as fs from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { makeTempDir, makeTestPki, rawRequest, spawnGateway, startGatewayStack, type GatewayProcess, type GatewayStack, type TempDir } from '@oauth2/testing';

// require_https and GATEWAY_TRUSTED_PROXIES (docs/tls.md): one store, three gateways on it.
// - `s.gateway`: plain HTTP, GATEWAY_TRUSTED_PROXIES names someone else (192.0.2.0/24): our
//   X-Forwarded-* are a client's, so ignored.
// - `trusting`: plain HTTP, GATEWAY_TRUSTED_PROXIES=127.0.0.1/32,::1/128: the test plays the proxy.
// - `tls`: the TLS listener.
const ID = 'https-client';
const SECRET = 'https-client-secret-0123456789abcdef';
const q = new URLSearchParams({ grant_type: 'client_credentials', client_id: ID, client_secret: SECRET }).toString();
const form = { 'content-type': 'application/x-www-form-urlencoded' };

let dir: TempDir;
let ca: Buffer;
let s: GatewayStack;
let trusting: GatewayProcess;
let tls: GatewayProcess;
let token: string;

function viaTls(path: string, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const u = new URL(tls.url);
  return new Promise((resolve, reject) => {
    httpsRequest({ host: u.hostname, port: u.port, path, headers, ca, agent: false, servername: 'localhost' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null') }));
    })
      .on('error', reject)
      .end();
  });
}

beforeAll(async () => {
  dir = makeTempDir('tls-https-');
  const pki = makeTestPki(dir.path);
  ca = fs.readFileSync(pki.ca.cert);
  const common = { GATEWAY_REVOCATION_ENDPOINT: 'true', GATEWAY_AUTHZ_PORT: '0' };
  s = await startGatewayStack({ gatewayEnv: { ...common, GATEWAY_TRUSTED_PROXIES: '192.0.2.0/24' } });
  trusting = await spawnGateway({ dataDir: s.admin.dataDir, env: { ...common, GATEWAY_TRUSTED_PROXIES: '127.0.0.1/32, ::1/128' } });
  tls = await spawnGateway({ dataDir: s.admin.dataDir, env: { ...common, GATEWAY_TLS_CERT: pki.server.cert, GATEWAY_TLS_KEY: pki.server.key } });
  await s.call('POST', '/v1/consumers', { name: 'hc', client_id: ID, client_secret: SECRET });
  await s.call('POST', '/v1/routes', { name: 'r1', upstream: s.echo.url });
  const rev = await s.sync();
  await Promise.all([trusting.waitForRevision(rev), tls.waitForRevision(rev)]);
  token = await s.token(ID, SECRET); // require_https is still off
}, 90_000);
afterAll(async () => {
  await Promise.all([trusting?.stop(), tls?.stop()]);
  await s?.stop();
  dir?.cleanup();
}, 30_000);

describe('X-Forwarded-For / -Proto: believed only from GATEWAY_TRUSTED_PROXIES', () => {
  it("an untrusted client's X-Forwarded-For is dropped and its X-Forwarded-Proto ignored", async () => {
    const r = await s.request('/x', { headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https' } });
    expect(r.status).toBe(200);
    expect(r.json.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(r.json.headers['x-forwarded-proto']).toBe('http');
  });

  it("a trusted proxy's are kept (the peer appended) and passed on", async () => {
    const r = await rawRequest(trusting.url, '/x', { headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https' } });
    expect(r.status).toBe(200);
    expect(r.json.headers['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1');
    expect(r.json.headers['x-forwarded-proto']).toBe('https');
  });

  it("the RFC 8414 metadata follows a trusted proxy's X-Forwarded-Proto, not a client's", async () => {
    const h = { host: 'auth.example.test', 'x-forwarded-proto': 'https' };
    expect((await rawRequest(trusting.url, '/.well-known/oauth-authorization-server', { headers: h })).json.token_endpoint).toBe('https://auth.example.test/oauth2/token');
    expect((await s.request('/.well-known/oauth-authorization-server', { headers: h })).json.token_endpoint).toBe('http://auth.example.test/oauth2/token');
  });
});

describe('require_https=true', () => {
  beforeAll(async () => {
    await s.call('PATCH', '/v1/settings', { require_https: true });
    const rev = await s.sync();
    await Promise.all([trusting.waitForRevision(rev), tls.waitForRevision(rev)]);
  }, 30_000);

  it('plain HTTP token request: 400 invalid_request "HTTPS is required" (GET and POST)', async () => {
    const get = await s.request(`/oauth2/token?${q}`);
    expect(get.status).toBe(400);
    expect(get.json).toMatchObject({ error: 'invalid_request', msg: 'HTTPS is required' });
    expect(get.headers['cache-control']).toBe('no-store');
    const post = await s.request('/oauth2/token', { method: 'POST', headers: form, body: q });
    expect([post.status, post.json.error, post.json.msg]).toEqual([400, 'invalid_request', 'HTTPS is required']);
  });

  it('plain HTTP request that needs a token: 403 https_required, with or without a valid token', async () => {
    for (const headers of [{ authorization: `Bearer ${token}` }, {} as Record<string, string>]) {
      const r = await s.request('/x', { headers });
      expect(r.status).toBe(403);
      expect(r.json).toMatchObject({ code: 403, reason: 'https_required', msg: 'Access Denied: HTTPS is required' });
    }
  });

  it('a spoofed X-Forwarded-Proto: https from an untrusted client is ignored (token endpoint and resources)', async () => {
    const t = await s.request(`/oauth2/token?${q}`, { headers: { 'x-forwarded-proto': 'https' } });
    expect([t.status, t.json.msg]).toEqual([400, 'HTTPS is required']);
    const r = await s.request('/x', { headers: { authorization: `Bearer ${token}`, 'x-forwarded-proto': 'https' } });
    expect([r.status, r.json.reason]).toEqual([403, 'https_required']);
  });

  it('plain HTTP revocation request: 400 "HTTPS is required"', async () => {
    const r = await s.request('/oauth2/revoke', { method: 'POST', headers: form, body: `token=${token}&client_id=${ID}&client_secret=${SECRET}` });
    expect([r.status, r.json.error, r.json.msg]).toEqual([400, 'invalid_request', 'HTTPS is required']);
  });

  it('from a trusted proxy: X-Forwarded-Proto: https is accepted, http (or none, or a list) is refused', async () => {
    const ok = await rawRequest(trusting.url, `/oauth2/token?${q}`, { headers: { 'x-forwarded-proto': 'https' } });
    expect(ok.status).toBe(200);
    const call = await rawRequest(trusting.url, '/x', { headers: { authorization: `Bearer ${ok.json.access_token}`, 'x-forwarded-proto': 'HTTPS' } });
    expect(call.status).toBe(200);
    for (const proto of ['http', undefined, 'https, http']) {
      const headers: Record<string, string> = { authorization: `Bearer ${token}` };
      if (proto !== undefined) headers['x-forwarded-proto'] = proto;
      const r = await rawRequest(trusting.url, '/x', { headers });
      expect([proto, r.status, r.json.reason]).toEqual([proto, 403, 'https_required']);
    }
  });

  it('over the TLS listener: token request and proxied call succeed', async () => {
    const t = await viaTls(`/oauth2/token?${q}`);
    expect(t.status).toBe(200);
    const r = await viaTls('/x', { authorization: `Bearer ${t.json.access_token}` });
    expect(r.status).toBe(200);
  });

  it('the authz listener: the original request is https only when a trusted proxy says so', async () => {
    const check = { 'x-original-uri': '/x', 'x-original-method': 'GET', 'x-original-host': 'api.test', authorization: `Bearer ${token}`, 'x-forwarded-proto': 'https' };
    const trusted = await rawRequest(trusting.authzUrl!, '/nginx', { headers: check });
    expect(trusted.status).toBe(200);
    const untrusted = await rawRequest(s.gateway.authzUrl!, '/nginx', { headers: check });
    expect([untrusted.status, untrusted.json.reason]).toEqual([403, 'https_required']);
  });
});
