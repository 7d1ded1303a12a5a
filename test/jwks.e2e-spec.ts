import { createHmac } from 'node:crypto';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { ASYMMETRIC_ALGS } from '@oauth2/core';
import { startGatewayStack, type GatewayStack } from '@oauth2/testing';

// End-to-end (docs/signing-keys.md): signing_alg RS256 / ES256 / EdDSA, the gateway's JWKS and RFC 8414
// metadata, and a "backend" that verifies our tokens with nothing but jose and the JWKS URL.
const ID = 'jwks-client';
const SECRET = 'jwks-client-secret-0123456789abcdefgh';
const ISSUER = 'Higress-Gateway';
const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

let s: GatewayStack;
beforeAll(async () => {
  s = await startGatewayStack();
  await s.call('POST', '/v1/consumers', { name: 'svc', client_id: ID, client_secret: SECRET });
  await s.call('POST', '/v1/routes', { name: 'api', upstream: s.echo.url });
  await s.sync();
}, 30_000);
afterAll(async () => {
  await s?.stop();
}, 30_000);

const bearer = (t: string) => s.request('/orders', { headers: { authorization: `Bearer ${t}` } });
const jwksUrl = () => new URL(`${s.gateway.url}/.well-known/jwks.json`);
/** A resource server's view: a remote key set (refetched on an unknown kid) and a pinned issuer. */
const backendVerify = (jwks: ReturnType<typeof createRemoteJWKSet>, t: string) => jwtVerify(t, jwks, { issuer: ISSUER, typ: 'application/at+jwt' });

describe('HS256 (the default) is unchanged', () => {
  it('tokens carry no kid and are HMAC-signed with the client secret; the JWKS is empty', async () => {
    const t = await s.token(ID, SECRET);
    const [h, p, sig] = t.split('.');
    expect(decode(h)).toEqual({ alg: 'HS256', typ: 'application/at+jwt' });
    expect(createHmac('sha256', SECRET).update(`${h}.${p}`).digest('base64url')).toBe(sig);
    expect((await bearer(t)).status).toBe(200);
    const jwks = await s.request('/.well-known/jwks.json');
    expect(jwks.status).toBe(200);
    expect(jwks.text).toBe('{"keys":[]}');
    expect(jwks.headers['cache-control']).toBe('public, max-age=300');
    expect(jwks.headers['content-type']).toBe('application/json');
    expect(await s.call('GET', '/v1/keys')).toEqual({ items: [], total: 0 });
    const exported = await s.admin.api('GET', '/v1/export?redact=true');
    expect(exported.text).not.toContain('signing_alg');
  });
});

describe('metadata (RFC 8414)', () => {
  it('names the issuer, the token endpoint and jwks_uri as absolute URLs on the request host, on any host', async () => {
    const r = await s.request('/.well-known/oauth-authorization-server', { headers: { host: 'Auth.Example.test:8443' } });
    expect(r.status).toBe(200);
    // Built from Host (public_base_url unset): never cached (test/security-edges-wellknown.e2e-spec.ts).
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.json).toEqual({
      issuer: ISSUER,
      token_endpoint: 'http://auth.example.test:8443/oauth2/token',
      jwks_uri: 'http://auth.example.test:8443/.well-known/jwks.json',
      grant_types_supported: ['client_credentials'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      response_types_supported: [],
    });
    // A client's X-Forwarded-Proto is not trusted: behind a TLS proxy, set public_base_url.
    const proxied = await s.request('/.well-known/oauth-authorization-server', { headers: { host: 'auth.example.test', 'x-forwarded-proto': 'https' } });
    expect(proxied.json.token_endpoint).toBe('http://auth.example.test/oauth2/token');
  });

  it('follows auth_path; refuses other methods (405) and a Host it cannot put in a URL (400); nothing reaches the upstream', async () => {
    await s.call('PATCH', '/v1/settings', { auth_path: '/connect/token' });
    await s.sync();
    const r = await s.request('/.well-known/oauth-authorization-server', { headers: { host: 'gw.test' } });
    expect(r.json.token_endpoint).toBe('http://gw.test/connect/token');
    await s.call('PATCH', '/v1/settings', { auth_path: '/oauth2/token' });
    await s.sync();
    const before = s.echo.count;
    const post = await s.request('/.well-known/jwks.json', { method: 'POST', headers: { 'content-length': '0' } });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    expect((await s.request('/.well-known/oauth-authorization-server', { headers: { host: 'evil"host' } })).status).toBe(400);
    expect(s.echo.count).toBe(before);
  });
});

describe.each(ASYMMETRIC_ALGS)('signing_alg=%s', (alg) => {
  let jwks: ReturnType<typeof createRemoteJWKSet>;
  let first: string;
  let firstKid: string;

  beforeAll(async () => {
    await s.call('PATCH', '/v1/settings', { signing_alg: alg });
    await s.sync();
    jwks = createRemoteJWKSet(jwksUrl(), { cooldownDuration: 0 });
  }, 30_000);

  it('issues a token with a kid that a backend verifies with only the JWKS, and the gateway accepts', async () => {
    first = await s.token(ID, SECRET);
    const h = decodeProtectedHeader(first);
    expect(h).toEqual({ alg, typ: 'application/at+jwt', kid: expect.any(String) });
    firstKid = h.kid!;
    const { payload, protectedHeader } = await backendVerify(jwks, first);
    expect(protectedHeader.alg).toBe(alg);
    expect(payload).toMatchObject({ iss: ISSUER, sub: 'svc', client_id: ID, aud: 'default' });
    const r = await bearer(first);
    expect(r.status).toBe(200);
    expect(r.json.headers['x-mse-consumer']).toBe('svc');
    const keys = (await s.request('/.well-known/jwks.json')).json.keys as Record<string, unknown>[];
    const mine = keys.find((k) => k.kid === firstKid)!;
    expect(mine).toMatchObject({ alg, use: 'sig', kid: firstKid });
    for (const k of keys) expect(k).not.toHaveProperty('d');
  });

  it('refusals: our kid with HS256 (alg confusion), a tampered payload, a backend pinned to another issuer', async () => {
    const [h, p, sig] = first.split('.');
    const hs = `${Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'application/at+jwt', kid: firstKid })).toString('base64url')}.${p}`;
    const confused = `${hs}.${createHmac('sha256', SECRET).update(hs).digest('base64url')}`;
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...decode(p), sub: 'someone-else' })).toString('base64url')}.${sig}`;
    const before = s.echo.count;
    expect((await bearer(confused)).status).toBe(401);
    expect((await bearer(tampered)).status).toBe(401);
    expect(s.echo.count).toBe(before);
    await expect(backendVerify(jwks, tampered)).rejects.toThrow();
    await expect(jwtVerify(first, jwks, { issuer: 'Someone-Else' })).rejects.toThrow();
  });

  it('rotate: the new token verifies, the old one still does (gateway and JWKS); retiring the old key too early is 409', async () => {
    const rotated = await s.admin.api('POST', '/v1/keys/rotate', {});
    expect(rotated.status).toBe(200);
    expect(rotated.json).toMatchObject({ alg, status: 'active', public_jwk: { kid: rotated.json.kid, alg, use: 'sig' } });
    expect(rotated.text).not.toMatch(/PRIVATE|"d":/);
    await s.sync();
    const second = await s.token(ID, SECRET);
    expect(decodeProtectedHeader(second).kid).toBe(rotated.json.kid);
    expect(rotated.json.kid).not.toBe(firstKid);
    expect((await backendVerify(jwks, second)).payload.sub).toBe('svc');
    expect((await backendVerify(jwks, first)).payload.sub).toBe('svc');
    expect((await bearer(second)).status).toBe(200);
    expect((await bearer(first)).status).toBe(200);

    const listed = await s.call('GET', '/v1/keys');
    const old = listed.items.find((k: { kid: string }) => k.kid === firstKid);
    expect(old).toMatchObject({ status: 'inactive', retirable_at: expect.any(String) });
    expect(JSON.stringify(listed)).not.toMatch(/PRIVATE|"d":/);
    const early = await s.admin.api('POST', `/v1/keys/${firstKid}/retire`);
    expect(early.status).toBe(409);
    expect(early.json.msg).toContain(`can be retired from ${old.retirable_at}`);
    const active = await s.admin.api('POST', `/v1/keys/${rotated.json.kid}/retire`);
    expect(active.status).toBe(409);
    expect((await s.admin.api('POST', '/v1/keys/no-such-kid/retire')).status).toBe(404);
  });

  it('export carries signing_alg but no key material', async () => {
    const exported = await s.admin.api('GET', '/v1/export');
    expect(exported.json.spec.defaultConfig.signing_alg).toBe(alg);
    expect(exported.text).not.toContain(firstKid);
    expect(exported.text).not.toMatch(/PRIVATE/);
  });
});

describe('back to HS256, and retiring', () => {
  it('new tokens are HS256 without kid again; tokens signed by the kept keys still verify', async () => {
    const keyed = await s.token(ID, SECRET);
    await s.call('PATCH', '/v1/settings', { signing_alg: 'HS256' });
    await s.sync();
    const t = await s.token(ID, SECRET);
    expect(decode(t.split('.')[0])).toEqual({ alg: 'HS256', typ: 'application/at+jwt' });
    expect((await bearer(t)).status).toBe(200);
    expect((await bearer(keyed)).status).toBe(200);
    expect((await s.call('GET', '/v1/keys')).items.every((k: { status: string }) => k.status === 'inactive')).toBe(true);
  });

  it('a key retired once token_ttl + clock_skew_seconds have passed leaves the JWKS, and its tokens stop verifying', async () => {
    await s.call('PATCH', '/v1/settings', { signing_alg: 'ES256', token_ttl: 1, clock_skew_seconds: 0 });
    await s.sync();
    const t = await s.token(ID, SECRET);
    const kid = decodeProtectedHeader(t).kid!;
    await s.call('POST', '/v1/keys/rotate', {});
    // Polls the admin API (no fixed sleep) until the retire is accepted: about one second.
    const deadline = Date.now() + 10_000;
    let r = await s.admin.api('POST', `/v1/keys/${kid}/retire`);
    while (r.status === 409 && Date.now() < deadline) {
      await new Promise((res) => setTimeout(res, 100));
      r = await s.admin.api('POST', `/v1/keys/${kid}/retire`);
    }
    expect(r.status).toBe(200);
    expect(r.json.status).toBe('retired');
    await s.sync();
    const keys = (await s.request('/.well-known/jwks.json')).json.keys as { kid: string }[];
    expect(keys.map((k) => k.kid)).not.toContain(kid);
    await s.call('PATCH', '/v1/settings', { token_ttl: 7200, clock_skew_seconds: 3153600000 });
    await s.sync();
    // Even with a skew that would excuse its expiry, a token of a retired key no longer verifies.
    expect((await bearer(t)).status).toBe(401);
  });
});
