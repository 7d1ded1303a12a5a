import { startGatewayStack, type GatewayStack } from '@oauth2/testing';

// End-to-end: the three configuration examples of the Higress OAuth2 plugin documentation, applied
// as Higress WasmPlugin YAML through the admin API's /v1/apply, enforced by the real gateway.
const C1 = { id: '12345678-xxxx-xxxx-xxxx-xxxxxxxxxxxx', secret: 'abcdefgh-xxxx-xxxx-xxxx-xxxxxxxxxxxx' };
const C2 = { id: '87654321-xxxx-xxxx-xxxx-xxxxxxxxxxxx', secret: 'hgfedcba-xxxx-xxxx-xxxx-xxxxxxxxxxxx' };

const wasmPlugin = (defaultConfig: string, matchRules = '') => `apiVersion: extensions.higress.io/v1alpha1
kind: WasmPlugin
metadata:
  name: oauth2
  namespace: higress-system
spec:
  priority: 350
  url: oci://higress-registry.cn-hangzhou.cr.aliyuncs.com/plugins/oauth2:1.0.0
  defaultConfig:
${defaultConfig.replace(/^/gm, '    ')}
${matchRules}`;

const CONSUMER1 = `consumers:
- name: consumer1
  client_id: ${C1.id}
  client_secret: ${C1.secret}`;
const BOTH = `${CONSUMER1}
- name: consumer2
  client_id: ${C2.id}
  client_secret: ${C2.secret}`;

let s: GatewayStack;
beforeAll(async () => {
  s = await startGatewayStack();
  for (const [name, prefix] of [['route-a', '/a'], ['route-b', '/b'], ['route-c', '/c']]) {
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
    await apply(
      wasmPlugin(
        `global_auth: false\n${BOTH}`,
        `  matchRules:
  - ingress:
    - route-a
    - route-b
    config:
      allow:
      - consumer1
  - domain:
    - "*.example.com"
    - test.com
    config:
      allow:
      - consumer2
`,
      ),
    );
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
