// A delete never widens access: a rule left without consumers stays and allows nobody, through the
// real admin API, CLI wording aside, and the real gateway. The scenario a new user hit: with
// global_auth=false, force-deleting the only consumer of a domain rule opened the domain (401 -> 200).
import { enforced, seededStackPerBlock } from '@oauth2/testing';

const C1 = { name: 'consumer1', client_id: 'deny-all-c1', client_secret: 'deny-all-secret-one-0123456789abcdef' };
const C2 = { name: 'consumer2', client_id: 'deny-all-c2', client_secret: 'deny-all-secret-two-0123456789abcdef' };

describe('force-deleting the last consumer of a rule', () => {
  const s = seededStackPerBlock({ consumers: [C1, C2], echoRoutes: ['catch-all', { name: 'orders', path_prefix: '/orders' }], settings: { global_auth: false } });
  const asTestCom = (token?: string) => ({ headers: { host: 'test.com', ...(token ? { authorization: `Bearer ${token}` } : {}) } });

  it('a domain rule stays deny-all: no token 401, another consumer 403, never 200', async () => {
    const rule = await s.call('POST', '/v1/rules', { domains: ['*.example.com', 'test.com'], allow: ['consumer2'] });
    await s.sync();
    expect((await s.request('/', asTestCom())).status).toBe(401);

    const del = await s.call('DELETE', '/v1/consumers/consumer2?force=true');
    expect(del).toEqual({ deleted: 'consumer2', rules_updated: [], rules_deleted: [], rules_emptied: [rule.id] });
    await enforced(s);

    expect((await s.request('/', asTestCom())).status).toBe(401);
    const t1 = await s.token(C1.client_id, C1.client_secret);
    const r = await s.request('/', asTestCom(t1));
    expect(r.status).toBe(403);
    expect(r.json).toMatchObject({ reason: 'not_allowed' });
    expect(r.json).not.toHaveProperty('echo');
  });

  it('a route rule stays deny-all; the explainer says it allows nobody', async () => {
    await s.call('POST', '/v1/consumers', { name: 'solo', client_id: 'deny-all-solo', client_secret: 'deny-all-secret-solo-0123456789abcdef' });
    const rule = await s.call('POST', '/v1/rules', { routes: ['orders'], allow: ['solo'] });
    expect((await s.call('DELETE', '/v1/consumers/solo?force=true')).rules_emptied).toEqual([rule.id]);
    await enforced(s);
    const t1 = await s.token(C1.client_id, C1.client_secret);
    expect((await s.request('/orders/1', { headers: { authorization: `Bearer ${t1}` } })).status).toBe(403);
    expect((await s.request('/orders/1')).status).toBe(401);
    const ex = await s.call('POST', '/v1/explain', { host: 'localhost', path: '/orders/1', token: t1 });
    expect(ex.outcome).toMatchObject({ status: 403, reason: 'not_allowed' });
    expect(JSON.stringify(ex.verification)).toContain(`rule #${rule.id} allows nobody`);
  });
});
