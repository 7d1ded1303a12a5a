import { FAILURES } from '@oauth2/core';
import { startGatewayStack, type GatewayStack, type RawRequest } from '@oauth2/testing';
import { HIGRESS_CASES, HIGRESS_CONFIGS, type HigressConfigFixture, type HigressConfigName } from '@oauth2/testing';

/*
 * Higress' own end-to-end conformance tests of its OAuth2 plugin, replayed against our real processes:
 *   github.com/alibaba/higress test/e2e/conformance/tests/go-wasm-oauth-{basic,empty-consumer,
 *   expired-token,global-auth,route-auth}.{go,yaml} (Apache-2.0; test data only, no code).
 * Per test group, as Higress does per manifest: a fresh admin API + gateway + echo upstream; the
 * YAML's Ingresses become routes (named `namespace/name`, as the WasmPlugin's `ingress:` entries
 * reference them), the YAML's WasmPlugin document is POSTed to /v1/apply as text, unchanged, and
 * every request of the .go file is sent with Higress' host, path and Higress-minted token.
 * The tokens date from 2023 and stay valid only through the configs' 100-year clock_skew_seconds,
 * used as is. The Ingresses' `app-root: /foo` annotation (a redirect of `/`) is not ported: no case
 * requests `/`. Our deliberate strictness (iss, sub, typ checked, strict Bearer scheme, alg pinned)
 * changes no expected status here: every Higress token carries the claims Higress itself issues.
 */

interface Ingress {
  name: string;
  host: string;
  path: string;
} // pathType: Prefix in every YAML

// The Ingress documents of each YAML (metadata.namespace/metadata.name, rules[].host, paths[].path).
const R = { name: 'higress-conformance-infra/wasmplugin-oauth', host: 'foo.com', path: '/foo' };
const INGRESSES: Record<Exclude<HigressConfigName, 'seedDoc'>, Ingress[]> = {
  basic: [R],
  emptyConsumer: [R],
  expiredToken: [R],
  globalAuth: [
    { name: 'higress-conformance-infra/wasmplugin-oauth1', host: 'foo1.com', path: '/foo' },
    { name: 'higress-conformance-infra/wasmplugin-oauth2', host: 'foo2.com', path: '/foo' },
  ],
  routeAuth: [R],
};
type Group = keyof typeof INGRESSES;

// The WasmPlugin document of each YAML, verbatim (comments, blank lines and null values included).
// The five share Higress' header, consumer entries and settings lines; `rest` is each file's own
// text after `keep_token: true` (its global_auth line, matchRules and url).
const CONSUMERS = {
  consumer1: { client_id: '9515b564-0b1d-11ee-9c4c-00163e1250b5', client_secret: '9e55de56-0b1d-11ee-b8ec-00163e1250b5' },
  consumer2: { client_id: '8521b564-0b1d-11ee-9c4c-00163e1250b5', client_secret: '8520b564-0b1d-11ee-9c4c-00163e1250b5' },
  consumer3: { client_id: '4987b564-0b1d-11ee-9c4c-00163e1250b5', client_secret: '498766s4-0b1d-11ee-9c4c-00163e1250b5' },
  consumer4: { client_id: '5559qv64-0b1d-11ee-9c4c-00163e1250b5', client_secret: '58as2a84-0b1d-11ee-9c4c-00163e1250b5' },
};
function wasmPlugin(consumers: (keyof typeof CONSUMERS)[], globalCredentials: boolean, clockSkewSeconds: number, rest: string): string {
  const entries = consumers.map((n) => `      - name: ${n}\n        client_id: ${CONSUMERS[n].client_id}\n        client_secret: ${CONSUMERS[n].client_secret}\n`).join('');
  return `
apiVersion: extensions.higress.io/v1alpha1
kind: WasmPlugin
metadata:
  name: oauth
  namespace: higress-system
spec:
  defaultConfig:
    consumers:
${entries}    issuer: Higress-Gateway
    auth_path: /oauth2/token
    global_credentials: ${globalCredentials}
    auth_header_name: Authorization
    token_ttl: 7200
    clock_skew_seconds: ${clockSkewSeconds}
    keep_token: true
${rest}`;
}
const UNSET = '    # global_auth is unset\n';
const URL = '  url: file:///opt/plugins/wasm-go/extensions/oauth/plugin.wasm';
/** matchRules with one rule on the wasmplugin-oauth Ingress; `allow` is the text under its `allow:`. */
const oneRule = (allow: string) => `  matchRules:
      - ingress:
        - "higress-conformance-infra/wasmplugin-oauth"
        config:
          allow:
${allow}${URL}`;
const WASM_PLUGIN: Record<Group, string> = {
  // test/e2e/conformance/tests/go-wasm-oauth-basic.yaml
  basic: wasmPlugin(
    ['consumer1', 'consumer2', 'consumer3', 'consumer4'],
    true,
    3153600000,
    `${UNSET}    
  matchRules:
      # 规则一：按路由名称匹配生效
      - ingress:
        - "higress-conformance-infra/wasmplugin-oauth"
        - "asd"
        config:
          allow:
          - consumer1

      # 规则二：按域名匹配生效
      - domain:
        - "*.example.com"
        - foo.com
        config:
          allow:
          - consumer3
${URL}
`,
  ),
  // test/e2e/conformance/tests/go-wasm-oauth-empty-consumer.yaml
  emptyConsumer: wasmPlugin([], true, 3153600000, `${UNSET}${oneRule('')}`),
  // test/e2e/conformance/tests/go-wasm-oauth-expired-token.yaml
  expiredToken: wasmPlugin(['consumer1'], true, 60, `${UNSET}${oneRule('          - consumer1\n')}\n`),
  // test/e2e/conformance/tests/go-wasm-oauth-global-auth.yaml
  globalAuth: wasmPlugin(
    ['consumer1', 'consumer2'],
    true,
    3153600000,
    `    global_auth: false
  matchRules:
      - ingress:
        - "higress-conformance-infra/wasmplugin-oauth1"
        config:
          allow:
          - consumer1
      - ingress:
        - "higress-conformance-infra/wasmplugin-oauth2"
        config:
        # warn：allow字段可以不写或者allow字段下面的列表为空，起到的效果是相同的。但是测试发现如果有config字段，但是config下不写任何字段会导致插件失效
          allow:
          # - consumer2
${URL}
`,
  ),
  // test/e2e/conformance/tests/go-wasm-oauth-route-auth.yaml
  routeAuth: wasmPlugin(['consumer1'], false, 3153600000, `\n${oneRule('          - consumer1\n')}\n`),
};

interface Case {
  group: Group;
  name: string;
  host: string;
  path: string;
  req: RawRequest;
  /** Higress' expected status, and ours (equal unless a comment on the row says why). */
  higress: number;
  ours: number;
  /** 200 through the proxy: the consumer the upstream must see in x-mse-consumer (null: pass-through). */
  consumer?: string | null;
  /** Refusals: our typed failure code (body `reason`). */
  reason?: string;
  /** Token endpoint: answered by the gateway, never forwarded. */
  token?: boolean;
}

const claims = (authorization: string) => JSON.parse(Buffer.from(authorization.split('.')[1] ?? '', 'base64url').toString('utf8'));

// The token-carrying cases, from the fixtures (go-wasm-oauth-*.go); the README example is not a
// conformance test and needs a 2023 clock, so it stays with the token lib's specs.
const FROM_FIXTURES: Case[] = HIGRESS_CASES.filter((c) => c.config !== 'seedDoc').map((c) => ({
  group: c.config as Group,
  name: c.source,
  host: c.host,
  path: c.path,
  req: { headers: { host: c.host, authorization: c.authorization } },
  higress: c.expectStatus,
  ours: c.expectStatus,
  consumer: c.expectStatus === 200 ? claims(c.authorization).sub : undefined,
  // The body names the answered code (unknown_client is answered as bad_signature: no client_id oracle).
  reason: c.expect !== 'ok' ? (FAILURES[c.expect].answerAs ?? c.expect) : c.expectStatus === 403 ? (HIGRESS_CONFIGS[c.config].global_credentials ? 'not_allowed' : 'audience_mismatch') : undefined,
}));

// What the fixtures lack: the token endpoint (go-wasm-oauth-basic.go scene 1) and the pass-through
// case of go-wasm-oauth-global-auth.go (case 1).
const C1 = `client_id=${CONSUMERS.consumer1.client_id}`;
const C2 = `client_id=${CONSUMERS.consumer2.client_id}`;
const S1 = `client_secret=${CONSUMERS.consumer1.client_secret}`;
const S2 = `client_secret=${CONSUMERS.consumer2.client_secret}`;
const GT = 'grant_type=client_credentials';
const TP = '/foo/oauth2/token';
const get = (name: string, query: string, ours: number, reason?: string): Case => ({
  group: 'basic',
  name: `go-wasm-oauth-basic.go scene 1 ${name}`,
  host: 'foo.com',
  path: TP + query,
  req: { headers: { host: 'foo.com' } },
  higress: ours,
  ours,
  reason,
  token: true,
});
const post = (name: string, body: string, ours: number, reason?: string): Case => ({
  ...get(name, '', ours, reason),
  req: { method: 'POST', headers: { host: 'foo.com', 'content-type': 'application/x-www-form-urlencoded' }, body },
});
const EXTRA: Case[] = [
  get('case 1: GET, path lacks <?>', '', 400, 'params_missing'),
  get('case 2: GET, path lacks grant_type', '?', 400, 'params_missing'),
  get('case 3: GET, path lacks client_id', `?${GT}`, 400, 'client_id_missing'),
  get('case 4: GET, path lacks client_secret', `?${GT}&${C1}`, 400, 'client_secret_missing'),
  get('case 5: GET, consumer_id not found in configs', `?${GT}&client_id=c05&client_secret=xxxxx`, 400, 'invalid_client'),
  get('case 6: GET, consumerid and secret not matched', `?${GT}&${C1}&client_secret=c01xxxx`, 400, 'invalid_client'),
  get('case 7: success by GET method (consumer1)', `?${GT}&${C1}&${S1}`, 200),
  get('case 8: success by GET method (consumer2)', `?${GT}&${C2}&${S2}`, 200),
  post('case 9: POST, body lacks grant_type', `${C2}&${S2}`, 400, 'grant_type_missing'),
  post('case 10: POST, body lacks client_id', `${GT}&${S2}`, 400, 'client_id_missing'),
  post('case 11: POST, body lacks client_secret', `${GT}&${C2}`, 400, 'client_secret_missing'),
  post('case 12: POST, consumer_id not found in configs', `${GT}&client_id=c05&client_secret=xxxxx`, 400, 'invalid_client'),
  post('case 13: POST, consumerid and secret not matched', `${GT}&${C1}&client_secret=c01xxxx`, 400, 'invalid_client'),
  post('case 14: success by POST method, consumer info in request body (consumer2)', `${GT}&${C2}&${S2}`, 200),
  {
    group: 'globalAuth',
    name: 'go-wasm-oauth-global-auth.go case 1: with no ruleset under this route, oauth let every request pass',
    // Deliberate difference: Higress skips the route's rule because its allow is empty, which opens
    // the route; we keep such a rule and it allows nobody (fail closed), so no token is 401.
    host: 'foo2.com',
    path: '/foo',
    req: { headers: { host: 'foo2.com', buthorization: 'Aearer x.x.x' } },
    higress: 200,
    ours: 401,
    reason: 'missing_token',
  },
];

const CASES = [...EXTRA, ...FROM_FIXTURES];
const GROUPS = Object.keys(INGRESSES) as Group[];

describe.each(GROUPS)('Higress conformance: %s', (group) => {
  let s: GatewayStack;
  let applied: any;
  beforeAll(async () => {
    s = await startGatewayStack();
    for (const i of INGRESSES[group]) await s.call('POST', '/v1/routes', { name: i.name, hosts: [i.host], path_prefix: i.path, upstream: s.echo.url });
    const r = await s.admin.api('POST', '/v1/apply', WASM_PLUGIN[group], { 'content-type': 'application/yaml' });
    if (r.status !== 200) throw new Error(`apply ${group} -> ${r.status} ${r.text}`);
    applied = r.json;
    await s.sync();
  }, 60_000);
  afterAll(async () => {
    await s?.stop();
  }, 30_000);

  it('applies the unchanged WasmPlugin document: consumers, every rule (an empty allow kept as deny-all) and settings as the fixture says', async () => {
    const cfg: HigressConfigFixture = HIGRESS_CONFIGS[group];
    expect(applied.applied).toEqual({ consumers: cfg.consumers.length, rules: cfg.rules.length });
    const { source: _s, consumers: _c, rules: _r, global_auth, ...settings } = cfg;
    const inForce = await s.call('GET', '/v1/settings');
    expect(inForce).toMatchObject({ ...settings, global_auth: global_auth ?? null });
    // Higress ignores an empty `allow` (we keep the rule as deny-all) and a route that does not exist (so do we); both with a warning.
    if (group === 'basic') expect(applied.warnings.join('\n')).toMatch(/asd/);
    if (group === 'emptyConsumer' || group === 'globalAuth') expect(applied.warnings.join('\n')).toMatch(/allow/);
  });

  it.each(CASES.filter((c) => c.group === group).map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const seenBefore = s.echo.count;
    const r = await s.request(c.path, c.req);
    expect({ status: r.status, reason: r.json?.reason }).toEqual({ status: c.ours, reason: c.reason });
    if (c.token) {
      expect(s.echo.count).toBe(seenBefore); // the token endpoint answers itself (ExpectedResponseNoRequest)
      if (c.ours === 200) {
        expect(r.json).toMatchObject({ token_type: 'bearer', expires_in: 7200 });
        expect(r.headers['cache-control']).toBe('no-store');
        // The token we issued must then behave like Higress' own on this route: rule 1 allows consumer1 only.
        const sub = claims(r.json.access_token).sub;
        const use = await s.request('/foo', { headers: { host: c.host, authorization: `Bearer ${r.json.access_token}` } });
        expect([sub, use.status]).toEqual(sub === 'consumer1' ? ['consumer1', 200] : ['consumer2', 403]);
      } else {
        expect(r.json).toMatchObject({ code: 400, error: c.reason === 'invalid_client' ? 'invalid_client' : 'invalid_request' });
      }
    } else if (c.ours === 200) {
      // Proxied: the upstream (echo) answered with what it saw.
      expect(s.echo.count).toBe(seenBefore + 1);
      expect(r.json.url).toBe(c.path);
      expect(r.json.headers['x-mse-consumer']).toBe(c.consumer ?? undefined);
      if (c.consumer) expect(r.json.headers.authorization).toBe(c.req.headers!.authorization); // keep_token: true
    } else {
      expect(s.echo.count).toBe(seenBefore); // a refused request never reaches the upstream
      expect(r.json.code).toBe(c.ours);
      expect(r.json.msg).toMatch(c.ours === 401 ? /^Invalid Jwt token/ : /^Access Denied/);
      // RFC 6750 §3.1: a request without credentials gets the challenge without an error code.
      if (c.ours === 401) expect(r.headers['www-authenticate']).toMatch(c.reason === 'missing_token' ? /^Bearer realm="oauth2-gateway"$/ : /^Bearer realm="oauth2-gateway", error="invalid_token"/);
    }
  });
});
