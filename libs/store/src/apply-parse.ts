import { checkSetting, DEFAULT_SETTINGS, documentKeyOf, SETTING_KEYS, settingSpec, type Settings } from '@oauth2/core';
import { parseDocument } from 'yaml';
import { readJsonDocument } from './apply-read';
import { invalid, StoreError } from './errors';
import {
  checkClientId,
  checkClientSecret,
  checkConsumerAuth,
  checkConsumerScopes,
  type ConsumerAuth,
  checkGroups,
  checkHosts,
  checkKeys,
  checkName,
  checkNames,
  checkScopes,
  isPlainObject,
} from './validate';

/** `***` is what a redacted export shows: on apply it means "keep this consumer's current secret". */
export const REDACTED = '***';

export interface PlannedConsumer {
  path: string;
  name: string;
  client_id: string;
  /** Plaintext, or REDACTED (resolved against the store inside the transaction). */
  client_secret: string;
  // SPEC §8.5: absent = unrestricted and no groups (what a Higress document means).
  scopes: string[] | null;
  groups: string[];
  /** SPEC §13: absent = client_secret. */
  auth: ConsumerAuth;
}

export interface PlannedRule {
  /** Document path of the route list, for "route does not exist yet" warnings. */
  routesPath: string;
  routes: string[] | null;
  domains: string[] | null;
  allow: string[];
  allow_groups: string[];
  scopes: string[];
}

/** A validated `/v1/apply` document: everything but the checks that need the database. */
export interface ApplyPlan {
  settings: Settings;
  consumers: PlannedConsumer[];
  rules: PlannedRule[];
  warnings: string[];
}

/** Every validation problem of a document, not only the first: `msg` joins them, `errors` lists them. */
export class ApplyValidationError extends StoreError {
  constructor(
    readonly errors: string[],
    field?: string,
  ) {
    super('validation', errors.join('; '), field);
    this.name = 'ApplyValidationError';
  }
}

/**
 * Collects validation failures so one apply reports all of them (like a POST body's errors[]).
 * A failed step yields undefined and the walk goes on; anything but a validation error escapes.
 */
const MAX_PROBLEMS = 50;

class Problems {
  readonly list: string[] = [];
  private field?: string;

  run<T>(fn: () => T): T | undefined {
    try {
      return fn();
    } catch (e) {
      if (!(e instanceof StoreError) || e.kind !== 'validation') throw e;
      this.list.push(...(e instanceof ApplyValidationError ? e.errors : [e.message]));
      this.field ??= e.field;
      return undefined;
    }
  }

  /** Unknown keys, each one reported. */
  keys(obj: Record<string, unknown>, allowed: readonly string[], prefix: string): void {
    for (const k of Object.keys(obj)) if (!allowed.includes(k)) this.run(() => checkKeys({ [k]: true }, allowed, prefix));
  }

  /** At most MAX_PROBLEMS are listed (a 10,000-consumer document with one bad column must not answer megabytes). */
  throwIfAny(): void {
    if (!this.list.length) return;
    const shown = this.list.length > MAX_PROBLEMS ? [...this.list.slice(0, MAX_PROBLEMS), `... and ${this.list.length - MAX_PROBLEMS} more problems`] : this.list;
    throw new ApplyValidationError(shown, this.field);
  }
}

const CONFIG_KEYS = [...SETTING_KEYS.flatMap((k) => [documentKeyOf(k), ...Object.keys(settingSpec(k).aliases ?? {})]), 'consumers', '_rules_'];

const at = (base: string, key: string | number): string => (typeof key === 'number' ? `${base}[${key}]` : base ? `${base}.${key}` : key);
const required = (v: unknown, field: string): void => {
  if (v === undefined || v === null) invalid(field, 'is required');
};

/** YAML or JSON (JSON is YAML 1.2); a syntax error reports its line. JSON takes a one-copy fast path (apply-read.ts). */
export function parseText(text: string): unknown {
  const json = readJsonDocument(text);
  if (json !== undefined) return json.value;
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0].message.split('\n')[0].replace(/:\s*$/, '');
    invalid('document', `YAML syntax error: ${first}`);
  }
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    invalid('document', (err as Error).message);
  }
}

function planSettings(cfg: Record<string, unknown>, base: string, problems: Problems): Settings {
  const s: Record<string, unknown> = { ...DEFAULT_SETTINGS };
  for (const key of SETTING_KEYS) {
    problems.run(() => {
      let name = documentKeyOf(key);
      let v = cfg[name];
      for (const [alias, who] of Object.entries(settingSpec(key).aliases ?? {})) {
        const a = cfg[alias];
        if (a === undefined || a === null) continue;
        if (v !== undefined && v !== null && v !== a) invalid(at(base, alias), `conflicts with ${name} (${alias} is ${who} of the same setting)`);
        [name, v] = [alias, a];
      }
      if (v === undefined || v === null) return; // absent: back to the default (global_auth: unset)
      const problem = checkSetting(key, v);
      if (problem) invalid(at(base, name), problem);
      s[key] = v;
    });
  }
  return s as Settings;
}

/**
 * Consumers, every field of every one checked. `names` gets each consumer's name as soon as the name
 * itself is valid, so a rule allowing a consumer whose secret is bad reports the secret only.
 */
function planConsumers(v: unknown, base: string, problems: Problems, names: Set<string>): PlannedConsumer[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) return problems.run(() => invalid(base, 'must be a list of consumers')) ?? [];
  const byName = new Map<string, number>();
  const byId = new Map<string, number>();
  const out: PlannedConsumer[] = [];
  v.forEach((c, i) => {
    const p = at(base, i);
    if (!isPlainObject(c)) return problems.run(() => invalid(p, 'must be a mapping with name, client_id and client_secret'));
    problems.keys(c, ['name', 'client_id', 'client_secret', 'scopes', 'groups', 'auth_method', 'tls_subject', 'tls_thumbprint'], p);
    const field = <T>(k: string, check: (x: unknown, f: string) => T): T | undefined =>
      problems.run(() => {
        required(c[k], at(p, k));
        return check(c[k], at(p, k));
      });
    const name = field('name', checkName);
    const clientId = field('client_id', checkClientId);
    const secret = field('client_secret', (x, f) => (x === REDACTED ? REDACTED : checkClientSecret(x, f)));
    const scopes = c.scopes === undefined ? null : problems.run(() => checkConsumerScopes(c.scopes, at(p, 'scopes')));
    const groups = c.groups === undefined || c.groups === null ? [] : problems.run(() => checkGroups(c.groups, at(p, 'groups')));
    const auth = problems.run(() => checkConsumerAuth(c, p));
    if (name !== undefined) {
      names.add(name);
      if (byName.has(name)) problems.run(() => invalid(at(p, 'name'), `duplicate consumer name ${JSON.stringify(name)} (also ${at(base, byName.get(name)!)})`));
      else byName.set(name, i);
    }
    if (clientId !== undefined) {
      if (byId.has(clientId)) problems.run(() => invalid(at(p, 'client_id'), `duplicate client_id ${JSON.stringify(clientId)} (also ${at(base, byId.get(clientId)!)})`));
      else byId.set(clientId, i);
    }
    if (name !== undefined && clientId !== undefined && secret !== undefined && scopes !== undefined && groups !== undefined && auth !== undefined) {
      out.push({ path: p, name, client_id: clientId, client_secret: secret, scopes, groups, auth });
    }
  });
  return out;
}

/** Keys of one rule in either shape: [routes key, domains key, unsupported service key]. */
interface RuleShape {
  route: string;
  domain: string;
  service: string;
  /** Where `allow` lives relative to the rule. */
  allowIn: 'config' | 'rule';
}
const HIGRESS_RULE: RuleShape = { route: 'ingress', domain: 'domain', service: 'service', allowIn: 'config' };
const CPP_RULE: RuleShape = { route: '_match_route_', domain: '_match_domain_', service: '_match_service_', allowIn: 'rule' };

function planRule(r: unknown, p: string, shape: RuleShape, consumers: Set<string>, warnings: string[]): PlannedRule | null {
  if (!isPlainObject(r)) invalid(p, `must be a mapping with ${shape.route} or ${shape.domain}, and allow`);
  if (r[shape.service] !== undefined) invalid(at(p, shape.service), 'service-level rules are not supported; use routes (ingress) or domains');
  let allowRaw: unknown;
  let allowPath: string;
  /** Where allow lives: the rule's config (WasmPlugin) or the rule itself (_rules_); allow_groups and scopes live beside it. */
  let holder: Record<string, unknown>;
  let holderPath: string;
  if (shape.allowIn === 'config') {
    checkKeys(r, ['ingress', 'domain', 'service', 'config', 'configDisable', 'config_type'], p);
    if (r.configDisable === true) {
      warnings.push(`${p}: configDisable is true; rule skipped`);
      return null;
    }
    const cfg = r.config ?? {};
    if (!isPlainObject(cfg)) invalid(at(p, 'config'), 'must be a mapping');
    for (const k of Object.keys(cfg)) {
      if (k === 'allow' || k === 'allow_groups' || k === 'scopes') continue;
      if (CONFIG_KEYS.includes(k)) invalid(at(at(p, 'config'), k), 'is instance-level configuration; put it in spec.defaultConfig');
      invalid(at(at(p, 'config'), k), 'unknown key');
    }
    allowRaw = cfg.allow;
    allowPath = at(at(p, 'config'), 'allow');
    holder = cfg;
    holderPath = at(p, 'config');
  } else {
    checkKeys(r, ['_match_route_', '_match_domain_', '_match_service_', 'allow', 'allow_groups', 'scopes'], p);
    allowRaw = r.allow;
    allowPath = at(p, 'allow');
    holder = r;
    holderPath = p;
  }
  const has = (k: string) => r[k] !== undefined && r[k] !== null && !(Array.isArray(r[k]) && (r[k] as unknown[]).length === 0);
  if (has(shape.route) && has(shape.domain)) invalid(p, `give either ${shape.route} or ${shape.domain}, not both`);
  if (!has(shape.route) && !has(shape.domain)) invalid(p, `needs a non-empty ${shape.route} or ${shape.domain} list`);
  const routes = has(shape.route) ? checkNames(r[shape.route], at(p, shape.route)) : null;
  const domains = has(shape.domain) ? checkHosts(r[shape.domain], at(p, shape.domain)) : null;
  const allowGroups = holder.allow_groups === undefined || holder.allow_groups === null ? [] : checkGroups(holder.allow_groups, at(holderPath, 'allow_groups'), 1000);
  const scopes = holder.scopes === undefined || holder.scopes === null ? [] : checkScopes(holder.scopes, at(holderPath, 'scopes'));
  const noAllow = allowRaw === undefined || allowRaw === null || (Array.isArray(allowRaw) && allowRaw.length === 0);
  if (noAllow && allowGroups.length === 0 && scopes.length === 0) {
    // Higress skips such a rule, which leaves its routes open to any valid token (or to anyone
    // when global_auth is false). Kept here as a rule that allows nobody: fail closed.
    warnings.push(`${allowPath}: empty; the rule is kept and allows nobody (403). Higress ignores a rule without allow, which leaves its routes open`);
    return { routesPath: at(p, shape.route), routes, domains, allow: [], allow_groups: [], scopes: [] };
  }
  if (noAllow) return { routesPath: at(p, shape.route), routes, domains, allow: [], allow_groups: allowGroups, scopes };
  const allow = checkNames(allowRaw, allowPath);
  const unknown = (allowRaw as string[])
    .map((c, k) => (consumers.has(c) ? null : `${at(allowPath, k)}: consumer ${JSON.stringify(c)} is not defined in consumers`))
    .filter((m): m is string => m !== null);
  if (unknown.length) throw new ApplyValidationError(unknown, unknown[0].slice(0, unknown[0].indexOf(':')));
  return { routesPath: at(p, shape.route), routes, domains, allow, allow_groups: allowGroups, scopes };
}

function planRules(v: unknown, base: string, shape: RuleShape, consumers: Set<string>, warnings: string[], problems: Problems): PlannedRule[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) return problems.run(() => invalid(base, 'must be a list of rules')) ?? [];
  // One problem per rule at most (the rest of a broken rule is usually noise), but every rule is checked.
  return v.map((r, i) => problems.run(() => planRule(r, at(base, i), shape, consumers, warnings)) ?? null).filter((r): r is PlannedRule => r !== null);
}

/**
 * Validates a `/v1/apply` document (docs/higress-mapping.md) in either Higress shape: a WasmPlugin (settings and
 * consumers in spec.defaultConfig, rules in spec.matchRules) or a bare plugin config (C++ `_rules_`,
 * or the Go plugin's config without rules). Errors name the document path of the bad value.
 */
export function planApply(text: string): ApplyPlan {
  const doc = parseText(text);
  if (doc === null || doc === undefined) invalid('document', 'is empty');
  if (!isPlainObject(doc)) invalid('document', 'must be a mapping: a Higress WasmPlugin or a plugin config');
  const warnings: string[] = [];
  let cfg: Record<string, unknown> = doc;
  let base = '';
  let matchRules: unknown;
  if ('spec' in doc || 'apiVersion' in doc || 'kind' in doc) {
    if (doc.kind !== undefined && doc.kind !== 'WasmPlugin') invalid('kind', `${JSON.stringify(doc.kind)} is not WasmPlugin`);
    const spec = doc.spec;
    if (!isPlainObject(spec)) invalid('spec', 'must be a mapping with defaultConfig and matchRules');
    base = 'spec.defaultConfig';
    const dc = spec.defaultConfig ?? {};
    if (!isPlainObject(dc)) invalid(base, 'must be a mapping');
    cfg = dc;
    matchRules = spec.matchRules;
    if (spec.defaultConfigDisable === true) warnings.push('spec.defaultConfigDisable: ignored; the gateway applies the default config');
  }
  // Past the document's shape, every problem is collected and reported together.
  const problems = new Problems();
  problems.keys(cfg, CONFIG_KEYS, base);
  const settings = planSettings(cfg, base, problems);
  const names = new Set<string>();
  const consumers = planConsumers(cfg.consumers, at(base, 'consumers'), problems, names);
  const rules = [...planRules(cfg._rules_, at(base, '_rules_'), CPP_RULE, names, warnings, problems), ...planRules(matchRules, 'spec.matchRules', HIGRESS_RULE, names, warnings, problems)];
  problems.throwIfAny();
  return { settings, consumers, rules, warnings };
}
