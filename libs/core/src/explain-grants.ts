import { authorizeRequest, type AccessDecision, type DecisionMode } from './authorize';
import { authRow, type AuthRow } from './decide';
import { assumedConsumerVerifier } from './explain-steps';
import { parseRequestTarget } from './request-target';
import type { CompiledRoute } from './route-match';
import type { CompiledRule } from './rule-match';
import type { Snapshot } from './snapshot';

/**
 * Who-can-reach-what views of a snapshot: `consumerGrants` (one consumer, every route and domain
 * rule) and `routeWho` (one route, which consumers). Both are answers of THE request decision
 * (`authorizeRequest`) for sample requests, so they cannot disagree with the gateway: a route is
 * asked on each of its hosts and on every host a domain rule carves out of them; where those
 * answers differ, the first (the route's own host) is the headline and the others are notes.
 */

export type GrantAccess = 'allowed_by_rule' | 'denied_by_rule' | 'any_valid_token' | 'pass_through';

export interface HostGrant {
  /** A sample host: an exact host, a `*.suffix` pattern (any host under it), or '' (any host). */
  host: string;
  reachable: boolean;
  access: GrantAccess;
  rule: number | null;
}

export interface RouteGrant {
  route: string;
  reachable: boolean;
  access: GrantAccess;
  rule: number | null;
  reason: string;
  notes: string[];
  /** The decision on each sample host of the route (first = headline). */
  hosts: HostGrant[];
}

export interface DomainRuleGrant {
  rule: number;
  position: number;
  domains: string[];
  reachable: boolean;
  reason: string;
}

export interface GrantsResult {
  consumer: string;
  revision: number;
  global_auth_row: AuthRow;
  global_credentials: boolean;
  routes: RouteGrant[];
  domain_rules: DomainRuleGrant[];
}

export interface WhoResult {
  route: string;
  revision: number;
  global_auth_row: AuthRow;
  rule: number | null;
  access: 'allow_list' | 'any_consumer' | 'anyone';
  /** Consumer names that pass; null for a pass-through route (anyone, no token). */
  consumers: string[] | null;
  reason: string;
  notes: string[];
}

const hostText = (h: string) => (h === '' ? 'any host' : h.startsWith('*.') ? `hosts under ${h}` : `host ${h}`);

/** Can `inner` (exact or `*.suffix`) name a host that `outer` also matches? */
function within(inner: string, outer: string): boolean {
  if (outer === '') return true;
  if (!outer.startsWith('*.')) return inner === outer;
  const suffix = outer.slice(1);
  const body = inner.startsWith('*.') ? inner.slice(1) : inner;
  return body.length > suffix.length && body.endsWith(suffix);
}

/**
 * The hosts a route is asked on: each of its patterns ('' for an any-host route; a `*.suffix`
 * pattern stands for a host under it that nothing more specific names), then every domain-rule
 * pattern inside one of them (a domain rule may decide those hosts instead of the route's rule).
 */
function sampleHosts(snap: Snapshot, route: CompiledRoute): string[] {
  const own = route.hosts.length === 0 ? [''] : route.hosts.map((h) => h.toLowerCase());
  const out = [...own];
  for (const r of snap.rules.rules) {
    for (const d of r.domains ?? []) {
      const p = d.toLowerCase();
      if (!out.includes(p) && own.some((o) => within(p, o))) out.push(p);
    }
  }
  return out;
}

interface Asked {
  decision: AccessDecision;
  /** The rule the decision applied (a refusal does not carry it). */
  rule: CompiledRule | undefined;
}

const NO_TRACE = { route() {}, token() {}, revoked() {}, audience() {}, who() {} };

/** The decision for GET `path` on `host`, as consumer `name` (a valid token assumed) or with no token. */
function ask(snap: Snapshot, path: string, host: string, name: string | null, mode: DecisionMode = 'proxy'): Asked | null {
  const target = parseRequestTarget(path, host);
  if (!target.ok) return null;
  let rule: CompiledRule | undefined;
  const trace = { ...NO_TRACE, rule: (r: CompiledRule | undefined) => void (rule = r) };
  const authorization = name === null ? undefined : 'Bearer assumed';
  const decision = authorizeRequest(snap, { target, method: 'GET', authorization, secure: true }, Math.floor(Date.now() / 1000), assumedConsumerVerifier(name ?? ''), mode, trace);
  return { decision, rule };
}

function grantOf({ decision: d, rule }: Asked): Omit<HostGrant, 'host'> | null {
  if (d.kind === 'pass') return { reachable: true, access: 'pass_through', rule: null };
  if (d.kind === 'allow') return d.rule ? { reachable: true, access: 'allowed_by_rule', rule: d.rule.id } : { reachable: true, access: 'any_valid_token', rule: null };
  if (d.kind === 'refuse' && (d.code === 'not_allowed' || d.code === 'insufficient_scope')) return { reachable: false, access: 'denied_by_rule', rule: rule?.id ?? null };
  return null;
}

function reasonOf(g: Omit<HostGrant, 'host'>, consumer: string, snap: Snapshot): string {
  const rule = g.rule === null ? undefined : snap.rules.rules.find((r) => r.id === g.rule);
  switch (g.access) {
    case 'allowed_by_rule':
      return `rule #${g.rule} allows ${JSON.stringify(consumer)}`;
    case 'denied_by_rule':
      return rule === undefined ? `rule #${g.rule} refuses it` : ruleText(rule, consumer, snap);
    case 'any_valid_token':
      return 'no rule applies: any valid token passes (authentication only)';
    case 'pass_through':
      return 'no rule applies: pass-through, no token needed';
  }
}

/** What one rule says about `consumer` (by name, group, scopes), in words. */
function ruleText(r: CompiledRule, consumer: string, snap: Snapshot): string {
  if (r.nobody) return `rule #${r.id} allows nobody`;
  const c = snap.consumersByName.get(consumer);
  const group = c?.groups.find((g) => r.allowGroupSet.has(g));
  const who = r.anyone || r.allowSet.has(consumer) || group !== undefined;
  if (!who) return `rule #${r.id} allows only ${[...r.allow, ...r.allow_groups.map((g) => `group ${g}`)].join(', ')}`;
  const via = group !== undefined && !r.allowSet.has(consumer) && !r.anyone ? ` through group ${JSON.stringify(group)}` : '';
  if (r.scopes.length === 0) return `rule #${r.id} allows ${JSON.stringify(consumer)}${via}`;
  const missing = r.scopes.filter((x) => c?.scopeSet?.set.has(x) !== true);
  return missing.length === 0
    ? `rule #${r.id} allows ${JSON.stringify(consumer)}${via} (it holds the required scopes ${r.scopes.join(' ')})`
    : `rule #${r.id} requires scopes ${r.scopes.join(' ')}; ${JSON.stringify(consumer)} lacks ${missing.join(' ')}`;
}

function audienceNote(snap: Snapshot, route: string): string[] {
  return snap.settings.global_credentials ? [] : [`global_credentials=false: only a token issued on route ${JSON.stringify(route)} (aud = the route name) is accepted`];
}

/** The route's decisions per sample host, for `consumer`; hosts another route takes are left out. */
function routeHostGrants(snap: Snapshot, route: CompiledRoute, consumer: string): HostGrant[] {
  const out: HostGrant[] = [];
  for (const host of sampleHosts(snap, route)) {
    const a = ask(snap, route.prefix, host, consumer);
    if (a === null || a.decision.route !== route) continue;
    const g = grantOf(a);
    if (g !== null) out.push({ host, ...g });
  }
  return out;
}

/** Every route and domain rule, and whether `consumer` gets through; null when no such consumer. */
export function consumerGrants(snap: Snapshot, consumer: string): GrantsResult | null {
  if (!snap.consumersByName.has(consumer)) return null;
  const routes: RouteGrant[] = [];
  for (const route of snap.routes.byName.values()) {
    const hosts = routeHostGrants(snap, route, consumer);
    const notes = audienceNote(snap, route.name);
    if (hosts.length === 0) {
      routes.push({
        route: route.name,
        reachable: false,
        access: 'denied_by_rule',
        rule: null,
        reason: 'no request reaches this route: more specific routes take all its hosts and its prefix',
        notes,
        hosts,
      });
      continue;
    }
    const head = hosts[0];
    for (const h of hosts.slice(1)) {
      if (h.access !== head.access || h.rule !== head.rule) notes.push(`for ${hostText(h.host)}: ${reasonOf(h, consumer, snap)} (${h.reachable ? 'reachable' : 'not reachable'})`);
    }
    routes.push({ route: route.name, reachable: head.reachable, access: head.access, rule: head.rule, reason: `on ${hostText(head.host)}: ${reasonOf(head, consumer, snap)}`, notes, hosts });
  }
  const domain_rules: DomainRuleGrant[] = [];
  for (const r of snap.rules.rules) {
    if (r.domains === null) continue;
    // Each pattern asked as the authz listener would (a host need not have a route): reachable
    // when every pattern lets the consumer through, and the reason names the deciding rule.
    const verdicts = r.domains.map((p) => ask(snap, '/', p.toLowerCase(), consumer, 'authz'));
    const reachable = verdicts.every((v) => v !== null && (v.decision.kind === 'allow' || v.decision.kind === 'pass'));
    const other = verdicts.find((v) => v?.rule !== undefined && v.rule !== r);
    const own = ruleText(r, consumer, snap);
    const reason = other ? `${own}, but rule #${other.rule!.id} (earlier, or naming the route there) decides some of its hosts` : own;
    domain_rules.push({ rule: r.id, position: r.position, domains: [...r.domains], reachable, reason });
  }
  const anyRule = snap.rules.rules.length > 0;
  return { consumer, revision: snap.revision, global_auth_row: authRow(snap.settings.global_auth, anyRule), global_credentials: snap.settings.global_credentials, routes, domain_rules };
}

/** Which consumers pass on `routeName` (on its first host; other hosts that differ are notes); null when no such route. */
export function routeWho(snap: Snapshot, routeName: string): WhoResult | null {
  const route = snap.routes.byName.get(routeName);
  if (route === undefined) return null;
  const anyRule = snap.rules.rules.length > 0;
  const base = { route: route.name, revision: snap.revision, global_auth_row: authRow(snap.settings.global_auth, anyRule) };
  const names = [...snap.consumersByName.keys()].sort();
  const perHost: Array<Omit<WhoResult, 'route' | 'revision' | 'global_auth_row' | 'notes'> & { host: string }> = [];
  for (const host of sampleHosts(snap, route)) {
    const anon = ask(snap, route.prefix, host, null);
    if (anon === null || anon.decision.route !== route) continue;
    if (anon.decision.kind === 'pass') {
      perHost.push({ host, rule: null, access: 'anyone', consumers: null, reason: `on ${hostText(host)}: no rule applies: anyone (pass-through, no token needed)` });
      continue;
    }
    const rule = anon.rule;
    const allowed = names.filter((n) => ask(snap, route.prefix, host, n)?.decision.kind === 'allow');
    perHost.push(
      rule
        ? { host, rule: rule.id, access: 'allow_list', consumers: allowed, reason: `on ${hostText(host)}: rule #${rule.id} (position ${rule.position}) applies` }
        : { host, rule: null, access: 'any_consumer', consumers: allowed, reason: `on ${hostText(host)}: no rule applies and authentication is required: every consumer with a valid token` },
    );
  }
  const notes = audienceNote(snap, route.name);
  if (perHost.length === 0) return { ...base, rule: null, access: 'allow_list', consumers: [], reason: 'no request reaches this route: more specific routes take all its hosts and its prefix', notes };
  const [head, ...rest] = perHost;
  for (const h of rest) {
    if (h.access !== head.access || h.rule !== head.rule) notes.push(`${h.reason}: ${h.consumers === null ? 'anyone' : h.consumers.join(', ') || 'nobody'}`);
  }
  return { ...base, rule: head.rule, access: head.access, consumers: head.consumers, reason: head.reason, notes };
}
