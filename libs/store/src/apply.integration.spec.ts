import { stringify } from 'yaml';
import { DEFAULT_SETTINGS, type SnapshotSource } from '@oauth2/core';
import { HIGRESS_DOC_CONSUMERS, HIGRESS_DOC_MATCH_RULES_YAML, higressDocConsumersYaml, higressWasmPlugin, indentYaml, storePerTest } from '@oauth2/testing';
import { openStore, StoreError } from './index';

// The Higress OAuth2 plugin documentation's example ("global auth, route/domain authorization"), as a
// WasmPlugin and as the C++ plugin's bare config.
const CONSUMERS = higressDocConsumersYaml();
const WASM_PLUGIN = higressWasmPlugin(`defaultConfig:
  global_auth: false
  consumers:
${indentYaml(CONSUMERS, 2)}
${HIGRESS_DOC_MATCH_RULES_YAML}phase: AUTHN
priority: 350
url: oci://higress-registry.cn-hangzhou.cr.aliyuncs.com/plugins/oauth:1.0.0
`);
const CPP_CONFIG = `global_auth: false
consumers:
${CONSUMERS}
_rules_:
- _match_route_: [route-a, route-b]
  allow: [consumer1]
- _match_domain_: ["*.example.com", test.com]
  allow: [consumer2]
`;
const GO_CONFIG = `global_auth: true
consumers:
${CONSUMERS}
`;

/** What a snapshot means, without rule ids (apply re-creates rules). */
function meaning(src: SnapshotSource) {
  return { settings: src.settings, consumers: src.consumers, routes: src.routes, rules: src.rules.map(({ routes, domains, allow }) => ({ routes, domains, allow })) };
}

describe('apply / export', () => {
  const ctx = storePerTest('oauth2-apply-', (dataDir) => openStore({ dataDir }));
  beforeEach(async () => {
    await ctx.store.createRoute({ name: 'route-a', upstream: 'http://127.0.0.1:9000' });
  });

  it.each([
    ['a WasmPlugin', WASM_PLUGIN, 'spec.matchRules[0].ingress[1]'],
    ['the C++ bare config', CPP_CONFIG, '_rules_[0]._match_route_[1]'],
  ])('applies the Higress doc example as %s', async (_shape, doc, warnPath) => {
    const before = await ctx.store.revision();
    const res = await ctx.store.apply(doc, { dryRun: false });
    expect(res).toEqual({
      revision: before + 1,
      warnings: [`${warnPath}: route "route-b" does not exist yet; rule kept`],
      applied: { consumers: 2, rules: 2 },
      changes: expect.objectContaining({ consumers: { added: ['consumer1', 'consumer2'], removed: [], changed: [] } }),
    });
    const src = await ctx.store.loadSnapshotSource();
    expect(src.revision).toBe(before + 1);
    expect(src.settings).toEqual({ ...DEFAULT_SETTINGS, global_auth: false });
    expect(src.consumers).toEqual(HIGRESS_DOC_CONSUMERS.map((c) => ({ ...c, scopes: null, groups: [] })));
    expect(meaning(src).rules).toEqual([
      { routes: ['route-a', 'route-b'], domains: null, allow: ['consumer1'] },
      { routes: null, domains: ['*.example.com', 'test.com'], allow: ['consumer2'] },
    ]);
    expect(src.rules.map((r) => r.position)).toEqual([1, 2]);
    expect(src.routes.map((r) => r.name)).toEqual(['route-a']); // routes untouched
  });

  it('applies a bare Go-plugin config (no rules) and JSON', async () => {
    expect((await ctx.store.apply(GO_CONFIG, { dryRun: false })).applied).toEqual({ consumers: 2, rules: 0 });
    expect((await ctx.store.getSettings()).global_auth).toBe(true);
    const res = await ctx.store.apply(JSON.stringify({ consumers: null, auth_header: 'X-Token', token_ttl: 60 }), { dryRun: false });
    expect(res.applied).toEqual({ consumers: 0, rules: 0 });
    expect(await ctx.store.getSettings()).toEqual({ ...DEFAULT_SETTINGS, auth_header_name: 'X-Token', token_ttl: 60 });
  });

  it('returns absent settings to their defaults and replaces consumers and rules', async () => {
    await ctx.store.patchSettings({ issuer: 'me', token_ttl: 5, global_auth: true });
    const old = await ctx.store.createConsumer({ name: 'old' });
    const kept = await ctx.store.createConsumer({ name: 'consumer1' });
    await ctx.store.createRule({ routes: ['route-a'], allow: ['old'] });
    await ctx.store.apply(CPP_CONFIG, { dryRun: false });
    expect(await ctx.store.getSettings()).toEqual({ ...DEFAULT_SETTINGS, global_auth: false });
    const names = (await ctx.store.listConsumers(10, 0)).items;
    expect(names.map((c) => c.name)).toEqual(['consumer1', 'consumer2']);
    expect(names[0].created_at).toBe(kept.created_at);
    expect((await ctx.store.listRules(10, 0)).items.flatMap((r) => r.allow)).not.toContain(old.name);
  });

  it('keeps rules with an empty or null allow as deny-all, with a warning naming the Higress difference', async () => {
    const doc = `spec:\n  defaultConfig:\n    consumers:\n${indentYaml(CONSUMERS, 4)}\n  matchRules:\n  - ingress: [route-a]\n    config:\n      allow: []\n  - domain: [a.com]\n    config: {allow: null}\n  - domain: [b.com]\n    config: {allow: [consumer1]}\n`;
    const res = await ctx.store.apply(doc, { dryRun: false });
    expect(res.applied.rules).toBe(3);
    expect(res.warnings).toEqual([
      expect.stringMatching(/^spec\.matchRules\[0\]\.config\.allow: empty; the rule is kept and allows nobody \(403\)\. Higress ignores/),
      expect.stringMatching(/^spec\.matchRules\[1\]\.config\.allow: empty; the rule is kept/),
    ]);
    expect((await ctx.store.listRules(10, 0)).items.map((r) => r.allow)).toEqual([[], [], ['consumer1']]);
    // Export writes the deny-all rules back, so the round trip keeps them.
    const again = await ctx.store.apply(JSON.stringify(await ctx.store.exportConfig({ redact: false })), { dryRun: true });
    expect(again.applied.rules).toBe(3);
  });

  it('says what it changes, dry run and real alike, naming a changed secret but never its value', async () => {
    const secret = (n: number) => `s${n}`.padEnd(40, 'x');
    await ctx.store.apply(
      JSON.stringify({
        global_auth: false,
        consumers: [
          { name: 'keep', client_id: 'keep-id', client_secret: secret(1) },
          { name: 'moved', client_id: 'm1', client_secret: secret(2) },
          { name: 'gone', client_id: 'g', client_secret: secret(3) },
        ],
        _rules_: [
          { _match_route_: ['route-a'], allow: ['keep'] },
          { _match_domain_: ['x.com'], allow: ['gone'] },
        ],
      }),
      { dryRun: false },
    );
    const bare = JSON.stringify({
      global_auth: true,
      consumers: [
        { name: 'keep', client_id: 'keep-id', client_secret: secret(9) },
        { name: 'moved', client_id: 'm2', client_secret: secret(2) },
      ],
      _rules_: [{ _match_route_: ['route-a'], allow: ['keep', 'moved'] }],
    });
    const dry = await ctx.store.apply(bare, { dryRun: true });
    const real = await ctx.store.apply(bare, { dryRun: false });
    for (const r of [dry, real]) {
      expect(r.changes).toEqual({
        consumers: {
          added: [],
          removed: ['gone'],
          changed: [
            { name: 'keep', fields: ['client_secret'] },
            { name: 'moved', fields: ['client_id'] },
          ],
        },
        rules: {
          added: [],
          removed: [{ position: 2, routes: null, domains: ['x.com'], allow: ['gone'], allow_groups: [], scopes: [] }],
          changed: [{ position: 1, routes: ['route-a'], domains: null, allow: ['keep', 'moved'], allow_groups: [], scopes: [], fields: ['allow'] }],
        },
        settings: [{ key: 'global_auth', from: false, to: true }],
      });
      expect(JSON.stringify(r)).not.toContain(secret(9));
    }
    // Applying the same document again changes nothing, and says so.
    const again = await ctx.store.apply(bare, { dryRun: true });
    expect(again.changes).toEqual({ consumers: { added: [], removed: [], changed: [] }, rules: { added: [], removed: [], changed: [] }, settings: [] });
  });

  it('dry run reports the would-be result and writes nothing', async () => {
    const before = await ctx.store.exportConfig({ redact: false });
    const rev = await ctx.store.revision();
    const res = await ctx.store.apply(WASM_PLUGIN, { dryRun: true });
    expect(res).toMatchObject({ revision: rev + 1, applied: { consumers: 2, rules: 2 } });
    expect(res.warnings).toHaveLength(1);
    expect(await ctx.store.revision()).toBe(rev);
    expect(await ctx.store.exportConfig({ redact: false })).toEqual(before);
  });

  it('round-trips: apply(export) changes nothing in meaning, as YAML and as JSON', async () => {
    await ctx.store.apply(WASM_PLUGIN, { dryRun: false });
    await ctx.store.patchSettings({ global_auth: null, keep_token: false, clock_skew_seconds: 0 });
    await ctx.store.createConsumer({ name: 'ns/generated' });
    const exported = await ctx.store.exportConfig({ redact: false });
    expect(exported).toMatchObject({ apiVersion: 'extensions.higress.io/v1alpha1', kind: 'WasmPlugin', metadata: { name: 'oauth2-gateway' } });
    expect((exported.spec as { defaultConfig: object }).defaultConfig).not.toHaveProperty('global_auth');
    const before = meaning(await ctx.store.loadSnapshotSource());
    for (const text of [stringify(exported), JSON.stringify(exported)]) {
      await ctx.store.apply(text, { dryRun: false });
      expect(meaning(await ctx.store.loadSnapshotSource())).toEqual(before);
      expect(await ctx.store.exportConfig({ redact: false })).toEqual(exported);
    }
  });

  it('a redacted export hides secrets, and applying it keeps the stored ones', async () => {
    await ctx.store.apply(WASM_PLUGIN, { dryRun: false });
    const before = meaning(await ctx.store.loadSnapshotSource());
    const redacted = await ctx.store.exportConfig({ redact: true });
    expect(JSON.stringify(redacted)).not.toContain('abcdefgh-xxxx');
    expect(JSON.stringify(redacted)).toContain('"client_secret":"***"');
    await ctx.store.apply(stringify(redacted), { dryRun: false });
    expect(meaning(await ctx.store.loadSnapshotSource())).toEqual(before);
  });

  describe('refusals: a broken document changes nothing', () => {
    const wasm = (defaultConfig: string, matchRules = '[]') => `kind: WasmPlugin\nspec:\n  defaultConfig: ${defaultConfig}\n  matchRules: ${matchRules}\n`;
    const c1 = '{name: consumer1, client_id: id1, client_secret: abcdefgh-xxxx-xxxx-xxxx-xxxxxxxxxxxx}';
    it.each<[string, string, string | RegExp]>([
      ['short secret', wasm(`{consumers: [${c1}, {name: c2, client_id: id2, client_secret: short}]}`), 'spec.defaultConfig.consumers[1].client_secret: must be at least 32 characters'],
      ['unknown config key', wasm('{consumers: [], tokenttl: 5}'), 'spec.defaultConfig.tokenttl: unknown key'],
      ['unknown bare key', 'consumers: []\nfoo: 1\n', 'foo: unknown key'],
      ['unknown consumer key', wasm('{consumers: [{name: a, client_id: b, client_secret: abcdefgh-xxxx-xxxx-xxxx-xxxxxxxxxxxx, x: 1}]}'), 'spec.defaultConfig.consumers[0].x: unknown key'],
      ['missing client_id', wasm('{consumers: [{name: a, client_secret: abcdefgh-xxxx-xxxx-xxxx-xxxxxxxxxxxx}]}'), 'spec.defaultConfig.consumers[0].client_id: is required'],
      ['bad setting', wasm('{token_ttl: 0}'), /^spec\.defaultConfig\.token_ttl: token_ttl must be an integer >= 1/],
      ['string global_auth', wasm('{global_auth: "yes"}'), /^spec\.defaultConfig\.global_auth: /],
      ['conflicting auth_header', wasm('{auth_header: a, auth_header_name: b}'), /^spec\.defaultConfig\.auth_header: conflicts/],
      ['consumers not a list', wasm('{consumers: {a: 1}}'), 'spec.defaultConfig.consumers: must be a list of consumers'],
      ['duplicate consumer', wasm(`{consumers: [${c1}, ${c1.replace('id1', 'id2')}]}`), /^spec\.defaultConfig\.consumers\[1\]\.name: duplicate consumer name "consumer1"/],
      ['duplicate client_id', wasm(`{consumers: [${c1}, ${c1.replace('consumer1', 'x')}]}`), /^spec\.defaultConfig\.consumers\[1\]\.client_id: duplicate client_id/],
      [
        'allow names an undefined consumer',
        wasm(`{consumers: [${c1}]}`, '[{ingress: [route-a], config: {allow: [consumer1, ghost]}}]'),
        'spec.matchRules[0].config.allow[1]: consumer "ghost" is not defined in consumers',
      ],
      ['C++ allow names an undefined consumer', '_rules_:\n- _match_domain_: [a.com]\n  allow: [ghost]\n', '_rules_[0].allow[0]: consumer "ghost" is not defined in consumers'],
      ['rule with both targets', wasm(`{consumers: [${c1}]}`, '[{ingress: [route-a], domain: [a.com], config: {allow: [consumer1]}}]'), 'spec.matchRules[0]: give either ingress or domain, not both'],
      ['rule with no target', wasm(`{consumers: [${c1}]}`, '[{config: {allow: [consumer1]}}]'), /^spec\.matchRules\[0\]: needs a non-empty ingress or domain/],
      ['bad domain', wasm(`{consumers: [${c1}]}`, '[{domain: ["a b"], config: {allow: [consumer1]}}]'), /^spec\.matchRules\[0\]\.domain\[0\]: /],
      ['service rule', wasm(`{consumers: [${c1}]}`, '[{service: [x], config: {allow: [consumer1]}}]'), /^spec\.matchRules\[0\]\.service: service-level rules are not supported/],
      ['rule-level consumers', wasm(`{consumers: [${c1}]}`, `[{ingress: [route-a], config: {consumers: [${c1}]}}]`), /^spec\.matchRules\[0\]\.config\.consumers: is instance-level/],
      ['redacted secret of a new consumer', wasm('{consumers: [{name: new, client_id: n, client_secret: "***"}]}'), /^spec\.defaultConfig\.consumers\[0\]\.client_secret: "\*\*\*"/],
      ['not a WasmPlugin', 'kind: Deployment\nspec: {}\n', 'kind: "Deployment" is not WasmPlugin'],
      ['a list', '- a\n- b\n', /^document: must be a mapping/],
      ['empty', '', 'document: is empty'],
      ['YAML syntax error', 'consumers:\n  - name: a\n   bad: [\n', /^document: YAML syntax error: .*at line \d+, column \d+$/],
      ['duplicate YAML key', 'token_ttl: 1\ntoken_ttl: 2\n', /^document: YAML syntax error: Map keys must be unique at line 2/],
    ])('%s', async (_title, doc, message) => {
      await ctx.store.apply(WASM_PLUGIN, { dryRun: false });
      const before = await ctx.store.exportConfig({ redact: false });
      const rev = await ctx.store.revision();
      for (const dryRun of [false, true]) {
        const err = await ctx.store.apply(doc, { dryRun }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(StoreError);
        expect((err as StoreError).kind).toBe('validation');
        if (typeof message === 'string') expect((err as StoreError).message).toContain(message);
        else expect((err as StoreError).message).toMatch(message);
        expect((err as StoreError).message).not.toMatch(/\n/);
      }
      expect(await ctx.store.revision()).toBe(rev);
      expect(await ctx.store.exportConfig({ redact: false })).toEqual(before);
    });

    it('never echoes a refused secret', async () => {
      const err = await ctx.store.apply(`consumers: [{name: a, client_id: b, client_secret: tiny-secret}]`, { dryRun: false }).catch((e: unknown) => e);
      expect((err as Error).message).not.toContain('tiny-secret');
    });
  });
});
