import { AT_HEADER, craftHs256, standardClaims, startGatewayStack, type GatewayStack } from '@oauth2/testing';

// End-to-end: the gateway reacts to a store commit through its watch on the data directory, not
// only at the next poll. The poll period here is 60 s, so a change enforced well before that can
// only have come through the watch (one worker) or the watch and the primary's relay (two).
const ID = 'watch-client';
const SECRET = 'watch-secret-0123456789abcdef0123456789ab';

describe.each([
  ['one process', '1'],
  ['GATEWAY_WORKERS=2', '2'],
])('store watch, %s', (_label, workers) => {
  let s: GatewayStack;
  beforeAll(async () => {
    s = await startGatewayStack({ gatewayEnv: { GATEWAY_WORKERS: workers, GATEWAY_RELOAD_MS: '60000' } });
    await s.call('POST', '/v1/routes', { name: 'r', upstream: s.echo.url });
    await s.call('POST', '/v1/consumers', { name: 'other', client_id: 'watch-other', client_secret: SECRET + '-other' });
  }, 60_000);
  afterAll(async () => {
    await s?.stop();
  }, 30_000);

  it('enforces writes without waiting for the 60 s poll', async () => {
    const token = craftHs256(AT_HEADER, standardClaims({ name: 'c', clientId: ID, now: Math.floor(Date.now() / 1000) }), SECRET);
    for (let i = 0; i < 3; i++) {
      // Each round: the consumer appears (200), then a rule leaves it out (403), then both go.
      await s.call('POST', '/v1/consumers', { name: 'c', client_id: ID, client_secret: SECRET });
      await s.gateway.waitForRevision((await s.call('GET', '/v1/revision')).revision, 10_000);
      expect((await s.request('/x', { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      const rule = await s.call('POST', '/v1/rules', { routes: ['r'], allow: ['other'] });
      await s.gateway.waitForRevision((await s.call('GET', '/v1/revision')).revision, 10_000);
      expect((await s.request('/x', { headers: { authorization: `Bearer ${token}` } })).status).toBe(403);
      await s.call('DELETE', `/v1/rules/${rule.id}`);
      await s.call('DELETE', '/v1/consumers/c?force=true');
      await s.gateway.waitForRevision((await s.call('GET', '/v1/revision')).revision, 10_000);
      expect((await s.request('/x', { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    }
  });
});
