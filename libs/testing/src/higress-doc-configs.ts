// Owner: admin-api engineer. The Higress OAuth2 plugin documentation's example configurations, in
// pieces, for the store's apply spec and the admin API / gateway e2e tests. Each test composes its
// document from these pieces (the texts they build are the ones those tests always sent).

/** The documentation's two consumers, as they appear in its `consumers:` list. */
export const HIGRESS_DOC_CONSUMER1 = { name: 'consumer1', client_id: '12345678-xxxx-xxxx-xxxx-xxxxxxxxxxxx', client_secret: 'abcdefgh-xxxx-xxxx-xxxx-xxxxxxxxxxxx' };
export const HIGRESS_DOC_CONSUMER2 = { name: 'consumer2', client_id: '87654321-xxxx-xxxx-xxxx-xxxxxxxxxxxx', client_secret: 'hgfedcba-xxxx-xxxx-xxxx-xxxxxxxxxxxx' };
export const HIGRESS_DOC_CONSUMERS = [HIGRESS_DOC_CONSUMER1, HIGRESS_DOC_CONSUMER2];

/** The plugin image the documentation's WasmPlugin names. */
export const HIGRESS_PLUGIN_URL = 'oci://higress-registry.cn-hangzhou.cr.aliyuncs.com/plugins/oauth2:1.0.0';

/** Indents every non-empty line of `text` by `spaces` spaces. */
export function indentYaml(text: string, spaces: number): string {
  return text.replace(/^(?=.)/gm, ' '.repeat(spaces));
}

/** The items of a `consumers:` list at column 0, without a trailing newline (default: both doc consumers). */
export function higressDocConsumersYaml(consumers: ReadonlyArray<typeof HIGRESS_DOC_CONSUMER1> = HIGRESS_DOC_CONSUMERS): string {
  return consumers.map((c) => `- name: ${c.name}\n  client_id: ${c.client_id}\n  client_secret: ${c.client_secret}`).join('\n');
}

/** The "route/domain authorization" example's `matchRules` at column 0: route-a and route-b allow consumer1, *.example.com and test.com allow consumer2. */
export const HIGRESS_DOC_MATCH_RULES_YAML = `matchRules:
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
`;

/** A WasmPlugin resource named oauth2 in higress-system whose `spec:` is `spec` (YAML at column 0, indented here). */
export function higressWasmPlugin(spec: string): string {
  return `apiVersion: extensions.higress.io/v1alpha1
kind: WasmPlugin
metadata:
  name: oauth2
  namespace: higress-system
spec:
${indentYaml(spec, 2)}`;
}
