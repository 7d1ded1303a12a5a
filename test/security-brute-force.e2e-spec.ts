import { spawnGateway, startGatewayStack, type GatewayProcess, type GatewayStack, type RawResponse } from '@oauth2/testing';

// Brute force on the token endpoint: after GATEWAY_TOKEN_MAX_FAILURES failed client
// authentications of one client_id within GATEWAY_TOKEN_FAILURE_WINDOW_S, that client_id is
// answered 429 + Retry-After until the window ends, even with the right secret.
jest.setTimeout(60_000);

const C1 = { name: 'c1', id: 'bf-client-1', secret: 'bf-client-1-secret-0123456789abcdef-xx' };
const C2 = { name: 'c2', id: 'bf-client-2', secret: 'bf-client-2-secret-0123456789abcdef-xx' };
const WINDOW_S = 30;

let s: GatewayStack;
const extra: GatewayProcess[] = [];

const viaQuery = (gw: { url: string }, id: string, secret: string) =>
  fetch(`${gw.url}/oauth2/token?${new URLSearchParams({ grant_type: 'client_credentials', client_id: id, client_secret: secret })}`).then(toRaw);
const viaBasic = (gw: { url: string }, id: string, secret: string) =>
  fetch(`${gw.url}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Basic ' + Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64') },
    body: 'grant_type=client_credentials',
  }).then(toRaw);
async function toRaw(r: Response): Promise<RawResponse> {
  const text = await r.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: r.status, headers: Object.fromEntries(r.headers), text, json };
}

function expectLocked(r: RawResponse): void {
  expect(r.status).toBe(429);
  expect(r.json).toMatchObject({ code: 429, error: 'invalid_client' });
  expect(r.headers['cache-control']).toBe('no-store');
  const retry = Number(r.headers['retry-after']);
  expect(Number.isInteger(retry)).toBe(true);
  expect(retry).toBeGreaterThanOrEqual(1);
  expect(retry).toBeLessThanOrEqual(WINDOW_S);
  expect(r.text).not.toContain(C1.secret);
}

beforeAll(async () => {
  s = await startGatewayStack({ gatewayEnv: { GATEWAY_TOKEN_MAX_FAILURES: '3', GATEWAY_TOKEN_FAILURE_WINDOW_S: String(WINDOW_S) } });
  for (const c of [C1, C2]) await s.call('POST', '/v1/consumers', { name: c.name, client_id: c.id, client_secret: c.secret });
  await s.sync();
});
afterAll(async () => {
  for (const g of extra) await g.stop();
  await s?.stop();
});

describe('failed client authentication limit (max 3 per 30 s)', () => {
  it('3 wrong secrets are 400 invalid_client; the 4th attempt is 429 with Retry-After', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await viaQuery(s.gateway, C1.id, `wrong-${i}`);
      expect(r.status).toBe(400);
      expect(r.json).toMatchObject({ error: 'invalid_client' });
    }
    expectLocked(await viaQuery(s.gateway, C1.id, 'wrong-again'));
  });

  it('while locked, the correct secret is refused too (else the lock would confirm a guess)', async () => {
    expectLocked(await viaQuery(s.gateway, C1.id, C1.secret));
    expectLocked(await viaBasic(s.gateway, C1.id, C1.secret));
  });

  it('another client is not affected', async () => {
    const r = await viaQuery(s.gateway, C2.id, C2.secret);
    expect(r.status).toBe(200);
  });

  it('unknown client_ids are limited the same way (429 does not reveal which ids exist)', async () => {
    for (let i = 0; i < 3; i++) expect((await viaQuery(s.gateway, 'ghost-id', 'x')).status).toBe(400);
    expectLocked(await viaQuery(s.gateway, 'ghost-id', 'x'));
  });

  it('HTTP Basic failures count too (401 then 429)', async () => {
    const id = C2.id;
    for (let i = 0; i < 3; i++) expect((await viaBasic(s.gateway, id, `wrong-${i}`)).status).toBe(401);
    expectLocked(await viaBasic(s.gateway, id, C2.secret));
  });
});

describe('configuration', () => {
  it('defaults to 10 failures', async () => {
    const gw = await spawnGateway({ dataDir: s.admin.dataDir });
    extra.push(gw);
    const id = 'default-limit-id';
    for (let i = 0; i < 10; i++) expect((await viaQuery(gw, id, 'x')).status).toBe(400);
    const r = await viaQuery(gw, id, 'x');
    expect(r.status).toBe(429);
    expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(r.headers['retry-after'])).toBeLessThanOrEqual(60);
  });

  it('GATEWAY_TOKEN_MAX_FAILURES=0 disables the limit', async () => {
    const gw = await spawnGateway({ dataDir: s.admin.dataDir, env: { GATEWAY_TOKEN_MAX_FAILURES: '0' } });
    extra.push(gw);
    for (let i = 0; i < 30; i++) expect((await viaQuery(gw, C1.id, `wrong-${i}`)).status).toBe(400);
    expect((await viaQuery(gw, C1.id, C1.secret)).status).toBe(200);
  });
});
