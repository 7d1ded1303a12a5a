// SPEC §8.1-§8.3 end to end, real admin API and gateway processes: scopes granted at the token
// endpoint, required by rules, checked against the consumer's CURRENT list, forwarded upstream as
// X-Authenticated-Scope (and never a client's own), and group allow-lists. Waits on /revision only.
import { AT_HEADER, craftHs256, enforced, rawRequest, seededStackPerBlock, standardClaims } from '@oauth2/testing';

const ORDERS = { name: 'orders-svc', client_id: 'scopes-orders', client_secret: 'scopes-secret-orders-0123456789abcdef' };
const OPEN = { name: 'free', client_id: 'scopes-free', client_secret: 'scopes-secret-free-0123456789abcdef01' };
const LATE = { name: 'late', client_id: 'scopes-late', client_secret: 'scopes-secret-late-0123456789abcdef01' };

describe('scopes and groups', () => {
  const s = seededStackPerBlock({ echoRoutes: ['catch-all', { name: 'orders', path_prefix: '/orders' }, { name: 'team', path_prefix: '/team' }], gatewayEnv: { GATEWAY_AUTHZ_PORT: '0' } });
  const tokenReq = (c: { client_id: string; client_secret: string }, scope?: string) =>
    s.request(`/oauth2/token?grant_type=client_credentials&client_id=${c.client_id}&client_secret=${c.client_secret}${scope === undefined ? '' : `&scope=${encodeURIComponent(scope)}`}`);
  const bearer = (t: string, extra: Record<string, string | string[]> = {}) => ({ headers: { authorization: `Bearer ${t}`, ...extra } });
  const claims = (t: string) => JSON.parse(Buffer.from(t.split('.')[1], 'base64url').toString('utf8'));

  beforeAll(async () => {
    await s.call('POST', '/v1/consumers', { ...ORDERS, scopes: ['orders:read', 'orders:write'] });
    await s.call('POST', '/v1/consumers', OPEN); // unrestricted: the Higress behaviour
    await s.call('POST', '/v1/rules', { routes: ['orders'], allow: ['orders-svc', 'free'], scopes: ['orders:write'] });
    await s.call('POST', '/v1/rules', { routes: ['team'], allow_groups: ['billing'] });
    await enforced(s);
  });

  describe('token endpoint', () => {
    it('a restricted consumer asking for a scope it lacks: 400 invalid_scope naming it', async () => {
      const r = await tokenReq(ORDERS, 'orders:read admin');
      expect(r.status).toBe(400);
      expect(r.json).toMatchObject({ code: 400, msg: 'scope admin is not allowed for this client', error: 'invalid_scope' });
    });

    it('a scope outside the RFC 6749 charset: 400 invalid_scope, for unrestricted consumers too', async () => {
      for (const c of [ORDERS, OPEN]) {
        const r = await tokenReq(c, 'orders:read "quoted"');
        expect([r.status, r.json.error]).toEqual([400, 'invalid_scope']);
      }
    });

    it('asking for none: the whole list, in the token and the response', async () => {
      const r = await tokenReq(ORDERS);
      expect(r.status).toBe(200);
      expect(r.json.scope).toBe('orders:read orders:write');
      expect(claims(r.json.access_token).scope).toBe('orders:read orders:write');
      const some = await tokenReq(ORDERS, 'orders:read');
      expect([some.json.scope, claims(some.json.access_token).scope]).toEqual(['orders:read', 'orders:read']);
    });

    it('unrestricted: the requested scope is copied as given (Higress), no scope in the response', async () => {
      const r = await tokenReq(OPEN, 'orders:write admin');
      expect(r.status).toBe(200);
      expect(r.json).not.toHaveProperty('scope');
      expect(claims(r.json.access_token).scope).toBe('orders:write admin');
    });
  });

  describe('required scopes', () => {
    it('403 insufficient_scope with the RFC 6750 challenge without orders:write, 200 with it, and X-Authenticated-Scope upstream', async () => {
      const readOnly = (await tokenReq(ORDERS, 'orders:read')).json.access_token;
      const no = await s.request('/orders/1', bearer(readOnly));
      expect(no.status).toBe(403);
      expect(no.json).toEqual({ code: 403, msg: 'Access Denied: insufficient scope', reason: 'insufficient_scope' });
      expect(no.headers['www-authenticate']).toBe('Bearer realm="oauth2-gateway", error="insufficient_scope", scope="orders:write"');

      const write = (await tokenReq(ORDERS, 'orders:write')).json.access_token;
      const yes = await s.request('/orders/1', bearer(write));
      expect(yes.status).toBe(200);
      expect(yes.json.headers['x-authenticated-scope']).toBe('orders:write');
      expect(yes.json.headers['x-mse-consumer']).toBe('orders-svc');
    });

    it('a client-sent X-Authenticated-Scope never reaches the upstream, in any spelling, also duplicated', async () => {
      const write = (await tokenReq(ORDERS, 'orders:write')).json.access_token;
      const r = await s.request('/orders/1', bearer(write, { 'x-authenticated-scope': ['admin', 'root'], X_Authenticated_Scope: 'admin', 'X-Authenticated_Scope': 'admin' }));
      expect(r.status).toBe(200);
      const raw: string[] = r.json.rawHeaders;
      const scopeHeaders: string[] = [];
      for (let i = 0; i < raw.length; i += 2) if (raw[i].toLowerCase().replace(/_/g, '-') === 'x-authenticated-scope') scopeHeaders.push(raw[i + 1]);
      expect(scopeHeaders).toEqual(['orders:write']);
      // Pass-through (no rule on the catch-all; global_auth unset with rules): the client's header is dropped too.
      const open = await s.request('/anything', { headers: { 'x-authenticated-scope': 'admin' } });
      expect(open.status).toBe(200);
      expect(open.json.headers).not.toHaveProperty('x-authenticated-scope');
    });

    it('an unrestricted consumer self-requesting the scope: in its token, but never satisfies the rule nor reaches X-Authenticated-Scope', async () => {
      const t = (await tokenReq(OPEN, 'orders:write')).json.access_token;
      expect(claims(t).scope).toBe('orders:write');
      const r = await s.request('/orders/1', bearer(t));
      expect([r.status, r.json.reason]).toEqual([403, 'insufficient_scope']);
      // Where no scope is required it passes, and still no X-Authenticated-Scope.
      await s.call('POST', '/v1/rules', { routes: ['catch-all'], allow: ['free', 'orders-svc'] });
      await enforced(s);
      const ok = await s.request('/x', bearer(t));
      expect(ok.status).toBe(200);
      expect(ok.json.headers['x-mse-consumer']).toBe('free');
      expect(ok.json.headers).not.toHaveProperty('x-authenticated-scope');
    });

    it('removing the scope from the consumer makes the same token 403 at the next reload (within 1 s)', async () => {
      const t = (await tokenReq(ORDERS)).json.access_token;
      expect((await s.request('/orders/1', bearer(t))).status).toBe(200);
      await s.call('PATCH', '/v1/consumers/orders-svc', { scopes: ['orders:read'] });
      await enforced(s);
      const r = await s.request('/orders/1', bearer(t));
      expect([r.status, r.json.reason]).toEqual([403, 'insufficient_scope']);
      // Its other routes see only what is left: X-Authenticated-Scope shrinks with the list.
      const x = await s.request('/x', bearer(t));
      expect(x.json.headers['x-authenticated-scope']).toBe('orders:read');
      await s.call('PATCH', '/v1/consumers/orders-svc', { scopes: ['orders:read', 'orders:write'] });
      await enforced(s);
      expect((await s.request('/orders/1', bearer(t))).status).toBe(200);
    });

    it('a token crafted independently with a scope the consumer holds passes; with one it does not, 403', async () => {
      const now = Math.floor(Date.now() / 1000);
      const craft = (scope: string) => craftHs256(AT_HEADER, { ...standardClaims({ name: ORDERS.name, clientId: ORDERS.client_id, now }), scope }, ORDERS.client_secret);
      expect((await s.request('/orders/1', bearer(craft('orders:write')))).status).toBe(200);
      expect((await s.request('/orders/1', bearer(craft('admin orders:read')))).status).toBe(403);
    });

    it('the authz listener answers the same: 403 with the challenge, or 200 with X-Authenticated-Scope', async () => {
      const authz = s.gateway.authzUrl!;
      const read = (await tokenReq(ORDERS, 'orders:read')).json.access_token;
      const no = await rawRequest(authz, '/envoy/orders/1', { headers: { host: 'localhost', authorization: `Bearer ${read}`, 'content-length': '0' } });
      expect([no.status, no.headers['www-authenticate']]).toEqual([403, 'Bearer realm="oauth2-gateway", error="insufficient_scope", scope="orders:write"']);
      const write = (await tokenReq(ORDERS, 'orders:write orders:read')).json.access_token;
      const yes = await rawRequest(authz, '/envoy/orders/1', { headers: { host: 'localhost', authorization: `Bearer ${write}`, 'content-length': '0' } });
      expect([yes.status, yes.headers['x-mse-consumer'], yes.headers['x-authenticated-scope']]).toEqual([200, 'orders-svc', 'orders:write orders:read']);
    });
  });

  describe('groups', () => {
    it('a group allow-list admits a consumer added to the group later, without touching the rule', async () => {
      await s.call('POST', '/v1/consumers', LATE);
      await enforced(s);
      const t = await s.token(LATE.client_id, LATE.client_secret);
      const before = await s.request('/team/x', bearer(t));
      expect([before.status, before.json.reason]).toEqual([403, 'not_allowed']);
      const rules = (await s.call('GET', '/v1/rules')).items;
      await s.call('PATCH', '/v1/consumers/late', { groups: ['billing'] });
      await enforced(s);
      expect((await s.call('GET', '/v1/rules')).items).toEqual(rules);
      const after = await s.request('/team/x', bearer(t));
      expect(after.status).toBe(200);
      expect(after.json.headers['x-mse-consumer']).toBe('late');
      expect((await s.call('GET', '/v1/consumers?group=billing')).items.map((c: { name: string }) => c.name)).toEqual(['late']);
      expect(await s.call('GET', '/v1/consumers?group=no-such-group')).toEqual({ items: [], total: 0 });
      // Out of the group again: refused again.
      await s.call('PATCH', '/v1/consumers/late', { groups: [] });
      await enforced(s);
      expect((await s.request('/team/x', bearer(t))).status).toBe(403);
    });
  });

  describe('admin API refusals', () => {
    it.each<[string, string, string, unknown, RegExp]>([
      ['scopes as a string', 'PATCH', '/v1/consumers/free', { scopes: 'a b' }, /scopes/],
      ['a scope outside the charset', 'PATCH', '/v1/consumers/free', { scopes: ['a\\b'] }, /scopes/],
      ['over 256 scopes', 'POST', '/v1/consumers', { name: 'many', scopes: Array.from({ length: 257 }, (_, i) => `s${i}`) }, /scopes/],
      ['over 64 groups', 'PATCH', '/v1/consumers/free', { groups: Array.from({ length: 65 }, (_, i) => `g${i}`) }, /groups/],
      ['a rule with all three lists empty', 'POST', '/v1/rules', { routes: ['team'], allow: [], allow_groups: [], scopes: [] }, /allow/],
      ['a rule scope outside the charset', 'POST', '/v1/rules', { routes: ['team'], scopes: ['a b'] }, /scopes/],
    ])('%s: 400 naming the field, nothing changes', async (_n, method, path, body, field) => {
      const rev = (await s.call('GET', '/v1/revision')).revision;
      const r = await s.admin.api(method, path, body);
      expect(r.status).toBe(400);
      expect(r.text).toMatch(field);
      expect((await s.call('GET', '/v1/revision')).revision).toBe(rev);
    });
  });
});
