import { authRow, decideAuth, type AuthRow } from './decide';
import { hostMatches } from './names';
import type { CompiledRoute } from './route-match';
import type { CompiledRule } from './rule-match';
import type { Snapshot } from './snapshot';

/**
 * Who-can-reach-what views of a snapshot, with SPEC §4 semantics: `consumerGrants` (one consumer,
 * every route and domain rule) and `routeWho` (one route, which consumers). A route's rule is the
 * first rule naming it; a domain rule placed earlier that can match one of its hosts wins for
 * those hosts, which is reported as a note rather than guessed per host.
 */

export interface RouteGrant {
  route: string;
  reachable: boolean;
  access: 'allowed_by_rule' | 'denied_by_rule' | 'any_valid_token' | 'pass_through';
  rule: number | null;
  reason: string;
  notes: string[];
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

/** Can two host patterns (exact or `*.suffix`) match a common host? */
function overlaps(a: string, b: string): boolean {
  const wa = a.startsWith('*.');
  const wb = b.startsWith('*.');
  if (wa && wb) return a.slice(1).endsWith(b.slice(1)) || b.slice(1).endsWith(a.slice(1));
  if (wa) return hostMatches(a, b);
  if (wb) return hostMatches(b, a);
  return a === b;
}

/** Domain rules evaluated before `before` (or all, if none) that can match a host of `route`. */
function shadowingDomainRules(snap: Snapshot, route: CompiledRoute, before: CompiledRule | undefined): CompiledRule[] {
  return snap.rules.rules.filter(
    (r) => r.domains !== null && (before === undefined || r.index < before.index) && (route.hosts.length === 0 || r.domains.some((d) => route.hosts.some((h) => overlaps(d, h.toLowerCase())))),
  );
}

const hostsText = (r: CompiledRoute) => (r.hosts.length === 0 ? 'any host' : r.hosts.join(', '));
const allowText = (r: CompiledRule) => r.allow.join(', ');

function audienceNote(snap: Snapshot, route: string): string[] {
  return snap.settings.global_credentials ? [] : [`global_credentials=false: only a token issued on route ${JSON.stringify(route)} (aud = the route name) is accepted`];
}

/** Every route and domain rule, and whether `consumer` gets through; null when no such consumer. */
export function consumerGrants(snap: Snapshot, consumer: string): GrantsResult | null {
  if (!snap.consumersByName.has(consumer)) return null;
  const anyRule = snap.rules.rules.length > 0;
  const routes: RouteGrant[] = [];
  for (const route of snap.routes.byName.values()) {
    const rule = snap.rules.byRoute.get(route.name);
    const notes = audienceNote(snap, route.name);
    for (const d of shadowingDomainRules(snap, route, rule)) {
      const verdict = d.allowSet.has(consumer) ? 'allows' : 'denies';
      notes.push(`for hosts matching ${d.domains!.join(', ')}, domain rule #${d.id} (earlier) applies instead and ${verdict} ${JSON.stringify(consumer)}`);
    }
    let g: Omit<RouteGrant, 'route' | 'notes'>;
    if (rule !== undefined) {
      g = rule.allowSet.has(consumer)
        ? { reachable: true, access: 'allowed_by_rule', rule: rule.id, reason: `rule #${rule.id} allows ${JSON.stringify(consumer)}` }
        : { reachable: false, access: 'denied_by_rule', rule: rule.id, reason: `rule #${rule.id} allows only ${allowText(rule)}` };
    } else if (decideAuth(snap.settings.global_auth, anyRule, false) === 'authenticate') {
      g = { reachable: true, access: 'any_valid_token', rule: null, reason: 'no rule names this route: any valid token passes (authentication only)' };
    } else {
      g = { reachable: true, access: 'pass_through', rule: null, reason: 'no rule names this route: pass-through, no token needed' };
    }
    routes.push({ route: route.name, ...g, notes });
  }
  const domain_rules: DomainRuleGrant[] = snap.rules.rules
    .filter((r) => r.domains !== null)
    .map((r) => ({
      rule: r.id,
      position: r.position,
      domains: [...r.domains!],
      reachable: r.allowSet.has(consumer),
      reason: r.allowSet.has(consumer) ? `rule #${r.id} allows ${JSON.stringify(consumer)}` : `rule #${r.id} allows only ${allowText(r)}`,
    }));
  return {
    consumer,
    revision: snap.revision,
    global_auth_row: authRow(snap.settings.global_auth, anyRule),
    global_credentials: snap.settings.global_credentials,
    routes,
    domain_rules,
  };
}

/** Which consumers pass on `routeName`; null when no such route. */
export function routeWho(snap: Snapshot, routeName: string): WhoResult | null {
  const route = snap.routes.byName.get(routeName);
  if (route === undefined) return null;
  const anyRule = snap.rules.rules.length > 0;
  const rule = snap.rules.byRoute.get(route.name);
  const notes = audienceNote(snap, route.name);
  for (const d of shadowingDomainRules(snap, route, rule)) {
    notes.push(`for hosts matching ${d.domains!.join(', ')} (route hosts: ${hostsText(route)}), domain rule #${d.id} (earlier) applies instead: allows ${allowText(d)}`);
  }
  const base = { route: route.name, revision: snap.revision, global_auth_row: authRow(snap.settings.global_auth, anyRule), notes };
  if (rule !== undefined) {
    return { ...base, rule: rule.id, access: 'allow_list', consumers: [...rule.allow].sort(), reason: `rule #${rule.id} (position ${rule.position}) is the first rule naming this route` };
  }
  if (decideAuth(snap.settings.global_auth, anyRule, false) === 'authenticate') {
    const all = [...snap.consumersByName.keys()].sort();
    return { ...base, rule: null, access: 'any_consumer', consumers: all, reason: 'no rule names this route and authentication is required: every consumer with a valid token' };
  }
  return { ...base, rule: null, access: 'anyone', consumers: null, reason: 'no rule names this route: anyone (pass-through, no token needed)' };
}
