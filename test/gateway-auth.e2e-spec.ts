import { AT_HEADER, craftHs256, mutate, standardClaims, startGatewayStack, type GatewayStack } from '@oauth2/testing';

// End-to-end: verification, refusals and the global_auth table (docs/request-flow.md) on the real gateway; tokens crafted
// independently with node:crypto (jwt-craft), configuration through the admin API.
const ID1 = 'auth-client-1';
const S1 = 'auth-secret-one-0123456789abcdef0123456789';
const ID2 = 'auth-client-2';
const S2 = 'auth-secret-two-0123456789abcdef0123456789';
const nowS = () => Math.floor(Date.now() / 1000);
const tokenFor = (name: string, id: string, secret: string, extra: Record<string, unknown> = {}) => craftHs256(AT_HEADER, { ...standardClaims({ name, clientId: id, now: nowS() }), ...extra }, secret);
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

/** A valid token whose signature holds `-` or `_`, so re-spelling it in standard base64 changes it. */
function withUrlSafeChar(): string {
  for (let i = 0; ; i++) {
    const t = tokenFor('c1', ID1, S1, { jti: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` });
    if (/[-_]/.test(t.split('.')[2])) return t;
  }
}

let s: GatewayStack;
beforeAll(async () => {
  s = await startGatewayStack();
  await s.call('POST', '/v1/consumers', { name: 'c1', client_id: ID1, client_secret: S1 });
  await s.call('POST', '/v1/consumers', { name: 'c2', client_id: ID2, client_secret: S2 });
  await s.call('POST', '/v1/routes', { name: 'ra', upstream: s.echo.url, path_prefix: '/a' });
  await s.call('POST', '/v1/routes', { name: 'rb', upstream: s.echo.url, path_prefix: '/b' });
  await s.sync();
}, 30_000);
afterAll(async () => {
  await s?.stop();
}, 30_000);

async function setRules(rules: Array<Record<string, unknown>>, settings: Record<string, unknown>): Promise<void> {
  for (const r of (await s.call('GET', '/v1/rules')).items) await s.call('DELETE', `/v1/rules/${r.id}`);
  for (const r of rules) await s.call('POST', '/v1/rules', r);
  await s.call('PATCH', '/v1/settings', settings);
  await s.sync();
}

describe('refusals', () => {
  beforeAll(() => setRules([], { global_auth: null, global_credentials: true }));
  const t = () => tokenFor('c1', ID1, S1);
  const now = nowS();
  const claims = (extra: Record<string, unknown>) => ({ ...standardClaims({ name: 'c1', clientId: ID1, now }), ...extra });
  it.each<[string, () => string | undefined, string]>([
    ['no auth header', () => undefined, 'missing_token'],
    ['Basic scheme', () => 'Basic YTpi', 'bad_scheme'],
    // node trims the value to `Bearer`: a scheme with no token.
    ['Bearer without token', () => 'Bearer ', 'bad_scheme'],
    ['two tokens', () => `Bearer ${t()} ${t()}`, 'bad_scheme'],
    ['not a JWT', () => 'Bearer abc', 'malformed'],
    ['two parts', () => `Bearer ${mutate.twoParts(t())}`, 'malformed'],
    ['padded base64', () => `Bearer ${mutate.padded(t())}`, 'malformed'],
    ['standard base64 alphabet', () => `Bearer ${mutate.standardAlphabet(withUrlSafeChar())}`, 'malformed'],
    ['alg none', () => `Bearer ${craftHs256({ alg: 'none', typ: 'at+jwt' }, claims({}), S1)}`, 'bad_alg'],
    ['alg HS512', () => `Bearer ${craftHs256({ alg: 'HS512', typ: 'at+jwt' }, claims({}), S1, { hash: 'sha512' })}`, 'bad_alg'],
    ['typ JWT', () => `Bearer ${craftHs256({ alg: 'HS256', typ: 'JWT' }, claims({}), S1)}`, 'bad_typ'],
    ['crit header', () => `Bearer ${craftHs256({ ...AT_HEADER, crit: ['exp'] }, claims({}), S1)}`, 'bad_header'],
    // Answered exactly as a bad signature: no oracle for which client_ids exist.
    ['unknown client_id', () => `Bearer ${craftHs256(AT_HEADER, claims({ client_id: 'nobody' }), S1)}`, 'bad_signature'],
    ['signed with another secret', () => `Bearer ${craftHs256(AT_HEADER, claims({}), S2)}`, 'bad_signature'],
    ['signature flipped', () => `Bearer ${mutate.flipSignatureChar(t())}`, 'bad_signature'],
    ['exp not a number', () => `Bearer ${craftHs256(AT_HEADER, claims({ exp: String(now + 100) }), S1)}`, 'bad_claims'],
    ['wrong issuer', () => `Bearer ${craftHs256(AT_HEADER, claims({ iss: 'someone-else' }), S1)}`, 'bad_issuer'],
    ['sub is another consumer', () => `Bearer ${craftHs256(AT_HEADER, claims({ sub: 'c2' }), S1)}`, 'bad_subject'],
    ['expired beyond the skew', () => `Bearer ${craftHs256(AT_HEADER, claims({ iat: now - 7200, exp: now - 61 }), S1)}`, 'expired'],
    ['no exp', () => `Bearer ${craftHs256(AT_HEADER, claims({ exp: undefined }), S1)}`, 'expired'],
    ['iat in the future', () => `Bearer ${craftHs256(AT_HEADER, claims({ iat: now + 3600, exp: now + 7200 }), S1)}`, 'not_yet_valid'],
    ['nbf in the future', () => `Bearer ${craftHs256(AT_HEADER, claims({ nbf: now + 3600 }), S1)}`, 'not_yet_valid'],
  ])('%s: 401 %s', async (_name, header, reason) => {
    const h = header();
    const r = await s.request('/a/x', { headers: h === undefined ? {} : { authorization: h } });
    expect(r.status).toBe(401);
    expect(r.json).toMatchObject({ code: 401, reason });
    expect(r.json.msg).toMatch(/^Invalid Jwt token: /);
    expect(r.headers['www-authenticate']).toBe(reason === 'missing_token' ? 'Bearer realm="oauth2-gateway"' : 'Bearer realm="oauth2-gateway", error="invalid_token"');
  });

  it('a token expired less than clock_skew_seconds ago still passes', async () => {
    const n = nowS();
    const r = await s.request('/a/x', { headers: bearer(craftHs256(AT_HEADER, claims({ iat: n - 7200, exp: n - 30 }), S1)) });
    expect(r.status).toBe(200);
  });

  it('an aud array is accepted; the consumer reaches the upstream named', async () => {
    const r = await s.request('/a/x', { headers: bearer(tokenFor('c1', ID1, S1, { aud: ['x', 'default'] })) });
    expect(r.status).toBe(200);
    expect(r.json.headers['x-mse-consumer']).toBe('c1');
  });

  it('403 not_allowed: the consumer is not on the rule', async () => {
    await setRules([{ routes: ['ra'], allow: ['c1'] }], { global_auth: true });
    const r = await s.request('/a/x', { headers: bearer(tokenFor('c2', ID2, S2)) });
    expect(r.status).toBe(403);
    expect(r.json).toMatchObject({ code: 403, reason: 'not_allowed' });
    expect(r.json.msg).toMatch(/^Access Denied: /);
  });

  it('403 audience_mismatch: global_credentials=false and the token was issued for another route', async () => {
    await setRules([], { global_auth: true, global_credentials: false });
    const r = await s.request('/a/x', { headers: bearer(tokenFor('c1', ID1, S1, { aud: 'rb' })) });
    expect(r.status).toBe(403);
    expect(r.json).toMatchObject({ code: 403, reason: 'audience_mismatch' });
  });
});

describe('global_auth table: which requests need auth', () => {
  const anon = async (path: string) => (await s.request(path, { headers: { 'x-mse-consumer': 'spoofed' } })).status;
  const as = async (path: string, who: 'c1' | 'c2') => (await s.request(path, { headers: bearer(who === 'c1' ? tokenFor('c1', ID1, S1) : tokenFor('c2', ID2, S2)) })).status;

  it('global_auth unset, no rule at all: every request authenticates', async () => {
    await setRules([], { global_auth: null, global_credentials: true });
    expect([await anon('/a/x'), await anon('/b/x')]).toEqual([401, 401]);
    expect([await as('/a/x', 'c1'), await as('/b/x', 'c2')]).toEqual([200, 200]);
  });

  it('global_auth unset, a rule exists: ruled requests authenticate + allow-list, others pass', async () => {
    await setRules([{ routes: ['ra'], allow: ['c1'] }], { global_auth: null });
    expect(await anon('/a/x')).toBe(401);
    expect(await as('/a/x', 'c2')).toBe(403);
    expect(await as('/a/x', 'c1')).toBe(200);
    expect(await anon('/b/x')).toBe(200);
  });

  it('global_auth=true: ruled requests authenticate + allow-list, others authenticate only', async () => {
    await setRules([{ routes: ['ra'], allow: ['c1'] }], { global_auth: true });
    expect([await anon('/a/x'), await as('/a/x', 'c2'), await as('/a/x', 'c1')]).toEqual([401, 403, 200]);
    expect([await anon('/b/x'), await as('/b/x', 'c2')]).toEqual([401, 200]);
  });

  it('global_auth=false: ruled requests authenticate + allow-list, others pass (even with no rule at all)', async () => {
    await setRules([{ routes: ['ra'], allow: ['c1'] }], { global_auth: false });
    expect([await anon('/a/x'), await as('/a/x', 'c2'), await as('/a/x', 'c1')]).toEqual([401, 403, 200]);
    expect(await anon('/b/x')).toBe(200);
    await setRules([], { global_auth: false });
    expect([await anon('/a/x'), await anon('/b/x')]).toEqual([200, 200]);
  });

  it('a pass-through request never carries a client-sent X-Mse-Consumer; an authenticated one carries the real name', async () => {
    await setRules([{ routes: ['ra'], allow: ['c1'] }], { global_auth: false });
    const pass = await s.request('/b/x', { headers: { 'X-Mse-Consumer': 'admin', 'x-mse-consumer': 'root' } });
    expect(pass.status).toBe(200);
    expect(pass.json.headers['x-mse-consumer']).toBeUndefined();
    expect(pass.json.rawHeaders.map((h: string) => h.toLowerCase())).not.toContain('x-mse-consumer');
    const auth = await s.request('/a/x', { headers: { ...bearer(tokenFor('c1', ID1, S1)), 'x-mse-consumer': 'admin' } });
    expect(auth.json.headers['x-mse-consumer']).toBe('c1');
  });
});

describe('global_credentials=false', () => {
  beforeAll(() => setRules([], { global_auth: true, global_credentials: false }));

  it('a token issued on route A opens A and is refused (403) on B', async () => {
    const t = await s.token(ID1, S1, '/a/oauth2/token');
    expect(JSON.parse(Buffer.from(t.split('.')[1], 'base64url').toString()).aud).toBe('ra');
    expect((await s.request('/a/x', { headers: bearer(t) })).status).toBe(200);
    const other = await s.request('/b/x', { headers: bearer(t) });
    expect(other.status).toBe(403);
    expect(other.json.reason).toBe('audience_mismatch');
  });

  it('a token request with no route is 404 no route', async () => {
    const r = await s.request(`/elsewhere/oauth2/token?grant_type=client_credentials&client_id=${ID1}&client_secret=${S1}`);
    expect(r.status).toBe(404);
    expect(r.json).toMatchObject({ code: 404, msg: 'no route' });
  });
});

describe('auth_header_name', () => {
  afterAll(() => setRules([], { auth_header_name: 'Authorization', global_credentials: true }));
  it('reads the token from the configured header only', async () => {
    await setRules([], { global_auth: true, global_credentials: true, auth_header_name: 'X-Api-Token' });
    const t = tokenFor('c1', ID1, S1);
    expect((await s.request('/a/x', { headers: { 'x-api-token': `Bearer ${t}` } })).status).toBe(200);
    expect((await s.request('/a/x', { headers: bearer(t) })).status).toBe(401);
  });
});
