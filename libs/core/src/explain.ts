import { authRow, decideAuth, type AuthRow } from './decide';
import { FAILURES, type FailureCode } from './failures';
import { normalizeHost } from './names';
import { checkRevoked } from './revocation';
import { matchRoute, routeMismatchReason, type CompiledRoute } from './route-match';
import { matchRule } from './rule-match';
import { hasDotSegment } from './request-path';
import { isTokenRequest, type Snapshot } from './snapshot';
import { traceToken, type ExplainStep, type ExplainVerifier } from './explain-steps';

export * from './explain-steps';
export * from './explain-grants';

/**
 * The decision explainer: replays the gateway's request flow (apps/gateway proxy/gateway-handler.ts
 * and token-endpoint/) on a snapshot with the same core functions, and says why at each step.
 * Pure; never returns a secret. The e2e test test/explain.e2e-spec.ts holds it equal to the gateway.
 */
export interface ExplainInput {
  host: string;
  /** The request target as sent: a path (query allowed) or an absolute http(s) URL. */
  path: string;
  method?: string;
  /** The access token sent as `Bearer <token>` in the auth header. */
  token?: string;
  /** Instead of a token: assume a valid token of this consumer (signature checks skipped). */
  consumer?: string;
  nowSeconds: number;
}

export interface RouteCandidate {
  name: string;
  matched: boolean;
  reason: string;
}

export type ExplainDecision = 'pass' | 'authenticate' | 'authenticate_allow' | 'token_request';

export interface ExplainResult {
  revision: number;
  request: { host: string; path: string; method: string };
  route: { matched: string | null; candidates: RouteCandidate[] };
  rule: { matched: number | null; position: number | null; kind: 'routes' | 'domains' | null; allow: string[] | null; reason: string };
  global_auth_row: AuthRow;
  decision: ExplainDecision | null;
  auth_required: boolean;
  verification: ExplainStep[];
  /** The gateway's answer: its status and body `msg`; 200 means forwarded to the upstream. */
  outcome: { status: number; reason: string; msg: string };
  /** Why the gateway refused before routing, when it did. */
  note?: string;
}

/** 3 exact, 2 + suffix length wildcard... as a sortable rank; -1 when the host does not match. */
function hostRank(route: CompiledRoute, host: string): number {
  if (route.hosts.length === 0) return 0;
  let best = -1;
  for (const p of route.hosts) {
    if (p.startsWith('*.')) {
      if (host.length > p.length - 1 && host.endsWith(p.slice(1))) best = Math.max(best, p.length);
    } else if (p === host) best = Math.max(best, 1_000_000);
  }
  return best;
}

const rankText = (rank: number): string => (rank >= 1_000_000 ? 'exact host' : rank > 0 ? 'wildcard host' : 'any host');

function candidates(snap: Snapshot, chosen: CompiledRoute | undefined, host: string, path: string): RouteCandidate[] {
  const out: RouteCandidate[] = [];
  const chosenRank = chosen ? hostRank(chosen, host) : -1;
  for (const r of snap.routes.byName.values()) {
    if (r === chosen) {
      out.unshift({ name: r.name, matched: true, reason: `chosen: ${rankText(chosenRank)} match, path prefix ${r.prefix}` });
      continue;
    }
    const miss = routeMismatchReason(r, host, path);
    if (miss !== null) out.push({ name: r.name, matched: false, reason: miss });
    else if (chosen) {
      const rank = hostRank(r, host);
      const why =
        rank !== chosenRank
          ? `${rankText(rank)} match is less specific than ${JSON.stringify(chosen.name)}'s ${rankText(chosenRank)} match`
          : r.prefix.length < chosen.prefix.length
            ? `path prefix ${r.prefix} is shorter than ${JSON.stringify(chosen.name)}'s ${chosen.prefix}`
            : `same specificity as ${JSON.stringify(chosen.name)}, which sorts first by name`;
      out.push({ name: r.name, matched: false, reason: `matches, but ${why}` });
    }
  }
  return out;
}

const fail = (code: FailureCode, msg?: string) => ({ status: FAILURES[code].status, reason: code, msg: msg ?? FAILURES[code].msg });
const NO_RULE = { matched: null, position: null, kind: null, allow: null } as const;

/**
 * Explains what the gateway would answer to `input` under `snap`: route, rule, SPEC §4 row,
 * verification steps and the final status and message, in the gateway's order of decisions.
 */
export function explainRequest(snap: Snapshot, input: ExplainInput, verifier: ExplainVerifier): ExplainResult {
  const method = (input.method ?? 'GET').toUpperCase();
  let target = input.path;
  let hostHeader = input.host;
  const row = authRow(snap.settings.global_auth, snap.rules.rules.length > 0);
  const base = (path: string, host: string) => ({ revision: snap.revision, request: { host, path, method }, global_auth_row: row });
  const refused = (path: string, host: string, reason: string): ExplainResult => ({
    ...base(path, host),
    route: { matched: null, candidates: [] },
    rule: { ...NO_RULE, reason: 'not evaluated' },
    decision: null,
    auth_required: false,
    verification: [],
    outcome: fail('bad_request'),
    note: reason,
  });
  if (target.charCodeAt(0) !== 47 /* / */) {
    // Absolute-form target: its authority replaces Host, as in the gateway.
    if (!/^https?:\/\//i.test(target)) return refused(target, input.host, 'request target is neither a path nor an http(s) URL');
    try {
      const u = new URL(target);
      hostHeader = u.host;
      target = u.pathname + u.search;
    } catch {
      return refused(target, input.host, 'request target is not a valid URL');
    }
  }
  const qi = target.indexOf('?');
  const path = qi < 0 ? target : target.slice(0, qi);
  const host = normalizeHost(hostHeader);
  if (hasDotSegment(path)) return refused(path, host, 'path has a dot segment');

  const route = matchRoute(snap.routes, host, path);
  const routeOut = { matched: route?.name ?? null, candidates: candidates(snap, route, host, path) };
  const result = (rest: Omit<ExplainResult, 'revision' | 'request' | 'global_auth_row' | 'route'>): ExplainResult => ({ ...base(path, host), route: routeOut, ...rest });

  if (isTokenRequest(snap, path)) return tokenRequest(snap, route, method, result);
  if (route === undefined) {
    return result({ rule: { ...NO_RULE, reason: 'not evaluated: no route' }, decision: null, auth_required: false, verification: [], outcome: fail('no_route') });
  }

  const rule = matchRule(snap.rules, route.name, host);
  const ruleOut = rule
    ? {
        matched: rule.id,
        position: rule.position,
        kind: rule.routes !== null ? ('routes' as const) : ('domains' as const),
        allow: [...rule.allow],
        reason: rule.routes !== null ? `first rule naming route ${JSON.stringify(route.name)}` : `first rule matching host ${JSON.stringify(host)}`,
      }
    : { ...NO_RULE, reason: `no rule names route ${JSON.stringify(route.name)} or matches host ${JSON.stringify(host)}` };
  const decision = decideAuth(snap.settings.global_auth, snap.rules.rules.length > 0, rule !== undefined);
  if (decision === 'pass') {
    return result({ rule: ruleOut, decision, auth_required: false, verification: [], outcome: { status: 200, reason: 'forwarded', msg: `forwarded to ${route.upstream} without authentication (pass-through)` } });
  }

  const steps: ExplainStep[] = [];
  const done = (outcome: ExplainResult['outcome']) => result({ rule: ruleOut, decision, auth_required: true, verification: steps, outcome });
  let consumer: string;
  let aud: unknown;
  if (input.consumer !== undefined) {
    const c = snap.consumersByName.get(input.consumer);
    steps.push({ step: 'consumer exists', ok: c !== undefined, detail: c ? `consumer ${JSON.stringify(c.name)} exists (token checks assumed to pass)` : `no consumer named ${JSON.stringify(input.consumer)}` });
    if (!c) return done(fail('unknown_client'));
    consumer = c.name;
    // A hypothetical token issued on this route: its audience is what the token endpoint would write.
    aud = snap.settings.global_credentials ? 'default' : route.name;
  } else {
    const header = input.token === undefined ? undefined : `Bearer ${input.token}`;
    const t = traceToken(header, snap, input.nowSeconds, verifier);
    steps.push(...t.steps);
    if (!t.ok) return done(fail(t.code));
    // The gateway checks revocation right after verification (cache hits included).
    const revoked = checkRevoked(snap, t.claims, input.nowSeconds);
    steps.push({ step: 'not revoked', ok: !revoked, detail: revoked ? `${FAILURES.revoked.msg} (jti ${JSON.stringify(t.claims.jti ?? null)} or client cut-off)` : 'no revocation applies' });
    if (revoked) return done(fail('revoked'));
    consumer = t.consumer;
    aud = t.claims.aud;
  }
  if (!snap.settings.global_credentials) {
    const ok = typeof aud === 'string' ? aud === route.name : Array.isArray(aud) && aud.includes(route.name);
    steps.push({ step: 'audience (global_credentials=false)', ok, detail: `aud ${JSON.stringify(aud ?? null)} ${ok ? 'includes' : 'does not include'} route ${JSON.stringify(route.name)}` });
    if (!ok) return done(fail('audience_mismatch'));
  }
  if (rule !== undefined) {
    const ok = rule.allowSet.has(consumer);
    steps.push({ step: 'allow-list', ok, detail: `rule #${rule.id} ${ok ? 'allows' : 'does not allow'} ${JSON.stringify(consumer)} (allow: ${rule.allow.join(', ')})` });
    if (!ok) return done(fail('not_allowed'));
  }
  return done({ status: 200, reason: 'forwarded', msg: `forwarded to ${route.upstream} as consumer ${JSON.stringify(consumer)}` });
}

/** SPEC §3.3 as the token endpoint orders it; explain carries no credentials, so the request has none. */
function tokenRequest(
  snap: Snapshot,
  route: CompiledRoute | undefined,
  method: string,
  result: (rest: Omit<ExplainResult, 'revision' | 'request' | 'global_auth_row' | 'route'>) => ExplainResult,
): ExplainResult {
  const rule = { ...NO_RULE, reason: 'not evaluated: token requests are not subject to allow-lists' };
  const r = (outcome: ExplainResult['outcome'], detail: string) =>
    result({ rule, decision: 'token_request', auth_required: false, verification: [{ step: 'token endpoint', ok: outcome.status === 200, detail }], outcome });
  const where = `path ends with auth_path ${JSON.stringify(snap.settings.auth_path)}`;
  if (!snap.settings.global_credentials && route === undefined) {
    return r(fail('no_route'), `${where}, but global_credentials=false needs a route to name the token's audience`);
  }
  const aud = snap.settings.global_credentials ? '"default"' : JSON.stringify(route!.name);
  const issues = `${where}; valid client credentials would get a token with aud ${aud}`;
  // The explained request has no query, body or Basic header: what the endpoint answers to that.
  if (method === 'GET') return r(fail('params_missing'), `${issues}; this request carries no parameters`);
  if (method !== 'POST') return r(fail('method_not_allowed'), `${issues}; ${method} is not GET or POST`);
  return r(fail('bad_content_type'), `${issues}; this request has no form body`);
}
