import {
  HIGRESS_DOC_CONSUMER1,
  HIGRESS_DOC_CONSUMER2,
  HIGRESS_DOC_MATCH_RULES_YAML,
  HIGRESS_PLUGIN_URL,
  higressDocConsumersYaml,
  higressWasmPlugin,
  indentYaml,
  startGatewayStack,
  type GatewayStack,
} from '@oauth2/testing';

// End-to-end: the three configuration examples of the Higress OAuth2 plugin documentation, applied
// as Higress WasmPlugin YAML through the admin API's /v1/apply, enforced by the real gateway.
const C1 = { id: HIGRESS_DOC_CONSUMER1.client_id, secret: HIGRESS_DOC_CONSUMER1.client_secret };
const C2 = { id: HIGRESS_DOC_CONSUMER2.client_id, secret: HIGRESS_DOC_CONSUMER2.client_secret };

const wasmPlugin = (defaultConfig: string, matchRules = '') =>
  higressWasmPlugin(`priority: 350
url: ${HIGRESS_PLUGIN_URL}
defaultConfig:
${indentYaml(defaultConfig, 2)}
${matchRules}`);

const CONSUMER1 = `consumers:\n${higressDocConsumersYaml([HIGRESS_DOC_CONSUMER1])}`;
const BOTH = `consumers:\n${higressDocConsumersYaml([HIGRESS_DOC_CONSUMER1, HIGRESS_DOC_CONSUMER2])}`;

let s: GatewayStack;
beforeAll(async () => {
  s = await startGatewayStack();
  for (const [name, prefix] of [
    ['route-a', '/a'],
    ['route-b', '/b'],
    ['route-c', '/c'],
  ]) {
    await s.call('POST', '/v1/routes', { name, upstream: s.echo.url, path_prefix: prefix });
  }
}, 30_000);
afterAll(async () => {
  await s?.stop();
}, 30_000);

async function apply(yaml: string): Promise<void> {
  const r = await s.admin.api('POST', '/v1/apply', yaml, { 'content-type': 'application/yaml' });
  if (r.status !== 200) throw new Error(`apply -> ${r.status} ${r.text}`);
  await s.sync();
}

async function status(path: string, token?: string, host = 'gw.local'): Promise<number> {
  const headers: Record<string, string> = { host };
  if (token) headers.authorization = `Bearer ${token}`;
  return (await s.request(path, { headers })).status;
}

describe('Higress doc: route granularity authentication', () => {
  it('global_credentials=false: a credential issued under route-a cannot be used on route-b, and vice versa', async () => {
    await apply(wasmPlugin(`global_credentials: false\n${CONSUMER1}`));
    const ta = await s.token(C1.id, C1.secret, '/a/oauth2/token');
    const tb = await s.token(C1.id, C1.secret, '/b/oauth2/token');
    expect([await status('/a/x', ta), await status('/b/x', ta)]).toEqual([200, 403]);
    expect([await status('/b/x', tb), await status('/a/x', tb)]).toEqual([200, 403]);
    expect(await status('/a/x')).toBe(401);
  });

  it('global_credentials=true: the same credential is shared by both routes', async () => {
    await apply(wasmPlugin(`global_credentials: true\n${CONSUMER1}`));
    const ta = await s.token(C1.id, C1.secret, '/a/oauth2/token');
    expect([await status('/a/x', ta), await status('/b/x', ta)]).toEqual([200, 200]);
  });
});

describe('Higress doc: global_auth=false, route and domain authorization', () => {
  let t1: string;
  let t2: string;
  beforeAll(async () => {
    await apply(wasmPlugin(`global_auth: false\n${BOTH}`, HIGRESS_DOC_MATCH_RULES_YAML));
    t1 = await s.token(C1.id, C1.secret);
    t2 = await s.token(C2.id, C2.secret);
  }, 30_000);

  it('route-a and route-b admit consumer1 only', async () => {
    for (const p of ['/a/x', '/b/x']) expect([await status(p, t1), await status(p, t2), await status(p)]).toEqual([200, 403, 401]);
  });

  it('*.example.com and test.com admit consumer2 only', async () => {
    for (const host of ['api.example.com', 'a.b.example.com', 'test.com']) {
      expect([await status('/c/x', t2, host), await status('/c/x', t1, host), await status('/c/x', undefined, host)]).toEqual([200, 403, 401]);
    }
  });

  it('anything else passes without authentication', async () => {
    expect([await status('/c/x'), await status('/c/x', undefined, 'example.com')]).toEqual([200, 200]);
  });
});

describe('Higress doc: global_auth=true at instance level', () => {
  it('every request authenticates; every consumer is admitted', async () => {
    await apply(wasmPlugin(`global_auth: true\n${BOTH}`));
    const t1 = await s.token(C1.id, C1.secret);
    const t2 = await s.token(C2.id, C2.secret);
    for (const p of ['/a/x', '/b/x', '/c/x']) expect([await status(p), await status(p, t1), await status(p, t2)]).toEqual([401, 200, 200]);
    const r = await s.request('/c/x', { headers: { authorization: `Bearer ${t2}` } });
    expect(r.json.headers['x-mse-consumer']).toBe('consumer2');
  });
});
