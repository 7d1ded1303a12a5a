import { SETTING_KEYS, type RuleRecord, type Settings } from '@oauth2/core';

/**
 * What an apply changes (docs/admin-api.md, "POST /v1/apply"): computed from the store before and
 * the plan after, the same for a dry run and a real one. Never a secret's value: a changed secret
 * is named as a changed field.
 */
export interface ApplyChanges {
  consumers: { added: string[]; removed: string[]; changed: { name: string; fields: string[] }[] };
  rules: { added: RuleChangeView[]; removed: RuleChangeView[]; changed: (RuleChangeView & { fields: string[] })[] };
  settings: { key: string; from: unknown; to: unknown }[];
}

/** A rule as a diff shows it: what it matches, its place in evaluation order (1 = first) and its allow-list. */
export type RuleChangeView = Omit<RuleRecord, 'id'>;

export interface ConsumerSide {
  name: string;
  client_id: string;
  /** Whether the secret differs from the stored one; computed by the caller (it alone can open secrets). */
  secretChanged: boolean;
  // SPEC §8.1; absent = unrestricted, no groups.
  scopes?: string[] | null;
  groups?: string[];
  /** SPEC §13; absent = client_secret. */
  auth?: { auth_method: string; tls_subject: string | null; tls_thumbprint: string | null };
}

/** A rule's identity across an apply (ids are not kept): what it matches. */
const ruleKey = (r: RuleChangeView): string => (r.routes ? `routes:${[...r.routes].sort().join(',')}` : `domains:${[...(r.domains ?? [])].sort().join(',')}`);
const sameList = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
/** Same scopes: both unrestricted, or the same list. */
const sameScopes = (a: readonly string[] | null | undefined, b: readonly string[] | null | undefined): boolean =>
  (a ?? null) === null || (b ?? null) === null ? (a ?? null) === (b ?? null) : sameList(a!, b!);

/** Whether one client-authentication field differs (absent = client_secret, no subject, no thumbprint). */
function authField(a: ConsumerSide, b: ConsumerSide, k: 'auth_method' | 'tls_subject' | 'tls_thumbprint'): boolean {
  const v = (c: ConsumerSide): string | null => c.auth?.[k] ?? (k === 'auth_method' ? 'client_secret' : null);
  return v(a) !== v(b);
}

export function diffApply(
  before: { consumers: readonly ConsumerSide[]; rules: readonly RuleChangeView[]; settings: Settings },
  after: { consumers: readonly ConsumerSide[]; rules: readonly RuleChangeView[]; settings: Settings },
): ApplyChanges {
  const old = new Map(before.consumers.map((c) => [c.name, c]));
  const next = new Set(after.consumers.map((c) => c.name));
  const consumers: ApplyChanges['consumers'] = { added: [], removed: before.consumers.filter((c) => !next.has(c.name)).map((c) => c.name), changed: [] };
  for (const c of after.consumers) {
    const o = old.get(c.name);
    if (!o) {
      consumers.added.push(c.name);
      continue;
    }
    const fields = [
      ...(o.client_id !== c.client_id ? ['client_id'] : []),
      ...(c.secretChanged ? ['client_secret'] : []),
      ...(!sameScopes(o.scopes, c.scopes) ? ['scopes'] : []),
      ...(!sameList(o.groups ?? [], c.groups ?? []) ? ['groups'] : []),
      ...(authField(o, c, 'auth_method') ? ['auth_method'] : []),
      ...(authField(o, c, 'tls_subject') ? ['tls_subject'] : []),
      ...(authField(o, c, 'tls_thumbprint') ? ['tls_thumbprint'] : []),
    ];
    if (fields.length) consumers.changed.push({ name: c.name, fields });
  }

  // Rules pair up by what they match, in order, so a duplicate target pairs first with first.
  const pool = new Map<string, RuleChangeView[]>();
  for (const r of before.rules) pool.set(ruleKey(r), [...(pool.get(ruleKey(r)) ?? []), r]);
  const rules: ApplyChanges['rules'] = { added: [], removed: [], changed: [] };
  for (const r of after.rules) {
    const o = pool.get(ruleKey(r))?.shift();
    if (!o) {
      rules.added.push(r);
      continue;
    }
    const fields = [
      ...(o.position !== r.position ? ['position'] : []),
      ...(!sameList(o.allow, r.allow) ? ['allow'] : []),
      ...(!sameList(o.allow_groups ?? [], r.allow_groups ?? []) ? ['allow_groups'] : []),
      ...(!sameList(o.scopes ?? [], r.scopes ?? []) ? ['scopes'] : []),
    ];
    if (fields.length) rules.changed.push({ ...r, fields });
  }
  for (const left of pool.values()) rules.removed.push(...left);
  rules.removed.sort((a, b) => a.position - b.position);

  const settings = SETTING_KEYS.filter((k) => before.settings[k] !== after.settings[k]).map((k) => ({ key: k, from: before.settings[k], to: after.settings[k] }));
  return { consumers, rules, settings };
}

/** Counts per kind, for one line of a summary (and the audit log). */
export function countChanges(c: ApplyChanges): Record<string, number> {
  return {
    consumers_added: c.consumers.added.length,
    consumers_removed: c.consumers.removed.length,
    consumers_changed: c.consumers.changed.length,
    rules_added: c.rules.added.length,
    rules_removed: c.rules.removed.length,
    rules_changed: c.rules.changed.length,
    settings_changed: c.settings.length,
  };
}
