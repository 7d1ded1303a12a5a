/** `/v1/apply` and `/v1/export` with the Higress documentation's own example configs (docs/higress-mapping.md). */
import {
  AdminProcess,
  HIGRESS_DOC_CONSUMER1,
  HIGRESS_DOC_CONSUMER2,
  HIGRESS_DOC_CONSUMERS,
  HIGRESS_DOC_MATCH_RULES_YAML,
  HIGRESS_PLUGIN_URL,
  higressDocConsumersYaml,
  higressWasmPlugin,
  indentYaml,
  spawnAdmin,
} from '@oauth2/testing';
import { parse } from 'yaml';

const SECRET1 = HIGRESS_DOC_CONSUMER1.client_secret;
const SECRET2 = HIGRESS_DOC_CONSUMER2.client_secret;

// The "global configuration authentication, route granularity authorization" example, as a WasmPlugin.
const WASM_PLUGIN = higressWasmPlugin(`phase: AUTHN
priority: 350
url: ${HIGRESS_PLUGIN_URL}
defaultConfig:
  global_auth: false
  consumers:
${indentYaml(higressDocConsumersYaml(), 2)}
${HIGRESS_DOC_MATCH_RULES_YAML}`);

// The same configuration in the C++ plugin's bare shape, with its `auth_header` key.
const CPP_RULES = {
  global_auth: true,
  auth_header: 'X-Token',
  token_ttl: 600,
  consumers: [HIGRESS_DOC_CONSUMER1],
  _rules_: [
    { _match_route_: ['route-a'], allow: ['consumer1'] },
    { _match_domain_: ['test.com'], allow: ['consumer1'] },
  ],
};

let admin: AdminProcess;
beforeAll(async () => {
  admin = await spawnAdmin();
  expect((await admin.api('POST', '/v1/routes', { name: 'route-a', upstream: 'http://127.0.0.1:9' })).status).toBe(201);
});
afterAll(async () => {
  expect(await admin.stop()).toBe(0);
  const all = admin.logs.join('\n');
  expect(all).not.toContain(SECRET1);
  expect(all).not.toContain(SECRET2);
});

const revision = async () => (await admin.api('GET', '/v1/revision')).json.revision as number;
const exportJson = async () => (await admin.api('GET', '/v1/export')).json;
const applyYaml = (doc: string, query = '') => admin.api('POST', `/v1/apply${query}`, doc, { 'content-type': 'application/yaml' });

describe('apply the Higress examples', () => {
  it('WasmPlugin YAML: settings, consumers and rules in document order; unknown route is a warning', async () => {
    const r0 = await revision();
    const res = await applyYaml(WASM_PLUGIN);
    expect(res.status).toBe(200);
    expect(res.json.applied).toEqual({ consumers: 2, rules: 2 });
    expect(res.json.revision).toBeGreaterThan(r0);
    expect(res.json.warnings.join('\n')).toMatch(/route-b/);
    expect(res.json.warnings.join('\n')).not.toMatch(/route-a/);
    expect((await admin.api('GET', '/v1/settings')).json).toMatchObject({ global_auth: false, issuer: 'Higress-Gateway', token_ttl: 7200 });
    const rules = (await admin.api('GET', '/v1/rules')).json.items;
    expect(rules.map((r: { routes?: string[]; domains?: string[]; allow: string[] }) => [r.routes ?? r.domains, r.allow])).toEqual([
      [['route-a', 'route-b'], ['consumer1']],
      [['*.example.com', 'test.com'], ['consumer2']],
    ]);
    expect((await admin.api('GET', '/v1/consumers/consumer2')).json.client_id).toBe(HIGRESS_DOC_CONSUMER2.client_id);
    // Routes are not touched by apply.
    expect((await admin.api('GET', '/v1/routes')).json.total).toBe(1);
  });

  it('export (JSON by default) holds the secrets and applies back to the same export', async () => {
    const first = await exportJson();
    expect(first.kind).toBe('WasmPlugin');
    expect(first.spec.defaultConfig.consumers).toEqual(HIGRESS_DOC_CONSUMERS);
    expect(first.spec.matchRules).toEqual([
      { ingress: ['route-a', 'route-b'], config: { allow: ['consumer1'] } },
      { domain: ['*.example.com', 'test.com'], config: { allow: ['consumer2'] } },
    ]);
    const again = await admin.api('POST', '/v1/apply', first);
    expect(again.status).toBe(200);
    expect(await exportJson()).toEqual(first);
  });

  it('YAML export (Accept or ?format=yaml) parses to the JSON export and applies back unchanged', async () => {
    const json = await exportJson();
    const viaAccept = await fetch(`${admin.url}/v1/export`, { headers: { authorization: `Bearer ${admin.token}`, accept: 'application/yaml' } });
    expect(viaAccept.headers.get('content-type')).toMatch(/yaml/);
    const text = await viaAccept.text();
    expect(parse(text)).toEqual(json);
    const viaQuery = await admin.api('GET', '/v1/export?format=yaml');
    expect(viaQuery.text).toBe(text);
    expect((await applyYaml(text)).status).toBe(200);
    expect(await exportJson()).toEqual(json);
  });

  it('?redact=true masks every secret', async () => {
    const res = await admin.api('GET', '/v1/export?redact=true');
    expect(res.status).toBe(200);
    expect(res.text).not.toContain(SECRET1);
    expect(res.text).not.toContain(SECRET2);
    expect(res.json.spec.defaultConfig.consumers).toHaveLength(2);
  });

  it('C++ `_rules_` shape (JSON body): auth_header is auth_header_name, absent settings return to defaults', async () => {
    const res = await admin.api('POST', '/v1/apply', CPP_RULES);
    expect(res.status).toBe(200);
    expect(res.json.applied).toEqual({ consumers: 1, rules: 2 });
    expect((await admin.api('GET', '/v1/settings')).json).toMatchObject({ global_auth: true, auth_header_name: 'X-Token', token_ttl: 600, issuer: 'Higress-Gateway' });
    expect((await admin.api('GET', '/v1/consumers/consumer2')).status).toBe(404);
    const exp = await exportJson();
    expect(exp.spec.matchRules).toEqual([
      { ingress: ['route-a'], config: { allow: ['consumer1'] } },
      { domain: ['test.com'], config: { allow: ['consumer1'] } },
    ]);
    expect((await admin.api('POST', '/v1/apply', exp)).status).toBe(200);
    expect(await exportJson()).toEqual(exp);
  });

  it.each(['application/yaml', 'text/yaml', 'application/x-yaml', 'text/plain', 'application/json'])('accepts %s', async (type) => {
    const body = type === 'application/json' ? JSON.stringify(CPP_RULES) : WASM_PLUGIN;
    const res = await admin.api('POST', '/v1/apply?dry_run=true', body, { 'content-type': type });
    expect(res.status).toBe(200);
  });

  it('a rule with an empty allow is kept as deny-all with a warning (Higress would skip it and leave the route open)', async () => {
    const res = await admin.api('POST', '/v1/apply', { consumers: [], _rules_: [{ _match_route_: ['route-a'], allow: [] }] });
    expect(res.status).toBe(200);
    expect(res.json.applied).toEqual({ consumers: 0, rules: 1 });
    expect(res.json.warnings).toEqual([expect.stringContaining('_rules_[0].allow: empty; the rule is kept and allows nobody')]);
  });
});

describe('broken or dry-run apply changes nothing', () => {
  beforeAll(async () => {
    expect((await applyYaml(WASM_PLUGIN)).status).toBe(200);
  });

  it('dry_run validates and reports, but writes nothing', async () => {
    const before = await exportJson();
    const r0 = await revision();
    const res = await admin.api('POST', '/v1/apply?dry_run=true', CPP_RULES);
    expect(res.status).toBe(200);
    expect(res.json.applied).toEqual({ consumers: 1, rules: 2 });
    expect(await revision()).toBe(r0);
    expect(await exportJson()).toEqual(before);
  });

  it.each([
    ['unknown config key', WASM_PLUGIN.replace('global_auth: false', 'global_auht: false'), /global_auht/],
    ['rule naming a consumer not in the document', WASM_PLUGIN.replace('- consumer2\n', '- consumer9\n'), /consumer9/],
    ['bad setting value', WASM_PLUGIN.replace('global_auth: false', 'token_ttl: -5'), /token_ttl/],
    ['short secret', WASM_PLUGIN.replace(SECRET2, 'short'), /client_secret/],
    ['YAML syntax error', WASM_PLUGIN.replace('  matchRules:', '  matchRules: [\n'), /line/i],
    ['not a mapping', '- just\n- a list\n', /./],
  ])('%s: 400 naming it', async (_t, doc, what) => {
    const before = await exportJson();
    const r0 = await revision();
    const res = await applyYaml(doc);
    expect(res.status).toBe(400);
    expect(res.json.code).toBe(400);
    expect(res.json.msg).toMatch(what);
    expect(res.json.msg).not.toMatch(/\n/);
    expect(await revision()).toBe(r0);
    expect(await exportJson()).toEqual(before);
  });

  it('an empty body is 400, an unsupported content type 415, a bad dry_run 400', async () => {
    expect((await applyYaml('   ')).status).toBe(400);
    expect((await admin.api('POST', '/v1/apply', WASM_PLUGIN, { 'content-type': 'application/octet-stream' })).status).toBe(415);
    expect((await admin.api('POST', '/v1/apply?dry_run=yes', WASM_PLUGIN, { 'content-type': 'application/yaml' })).status).toBe(400);
  });
});
