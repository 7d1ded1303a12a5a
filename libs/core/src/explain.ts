import { authorizeRequest, type BindingFacts, type DecisionTrace, type TokenVerifier } from './authorize';
import { authRow, type AuthDecision, type AuthRow } from './decide';
import { FAILURES, type FailureCode } from './failures';
import { normalizeHost } from './names';
import { parseRequestTarget } from './request-target';
import { routeMismatchReason, type CompiledRoute } from './route-match';
import type { CompiledRule } from './rule-match';
import type { RotationWindow, ScopeSet, Snapshot } from './snapshot';
import { assumedConsumerVerifier, isoTime, tokenSteps, type ExplainStep } from './explain-steps';

export * from './explain-steps';
export * from './explain-grants';

/**
 * The decision explainer: runs THE request decision (`authorizeRequest`, authorize.ts) on a
 * snapshot with a trace, and lays the trace out as steps. It cannot drift from the gateway: it is
 * the same call. Pure; never returns a secret. test/explain.e2e-spec.ts holds it against the gateway.
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
  /** Over TLS (or from a trusted proxy saying https); default true. With require_https, false shows the refusal. */
  secure?: boolean;
  /** RFC 8705: the x5t#S256 of the client certificate the request presents (the caller hashes the PEM); absent = none. */
  clientCert?: string | null;
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
  rule: {
    matched: number | null;
    position: number | null;
    kind: 'routes' | 'domains' | null;
    allow: string[] | null;
    /** SPEC §8.3: the rule's groups and required scopes (null without a rule). */
    allow_groups: string[] | null;
    scopes: string[] | null;
    reason: string;
  };
  global_auth_row: AuthRow;
  decision: ExplainDecision | null;
  auth_required: boolean;
  verification: ExplainStep[];
  /**
   * The gateway's answer: its status, body `reason` and `msg`; 200 means forwarded to the upstream.
   * `cause` is the real failure code where the client is answered as another (unknown_client).
   */
  outcome: { status: number; reason: string; msg: string; cause?: string };
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

function candidates(snap: Snapshot, chosen: CompiledRoute | undefined, host: string, matchPath: string): RouteCandidate[] {
  const out: RouteCandidate[] = [];
  const chosenRank = chosen ? hostRank(chosen, host) : -1;
  for (const r of snap.routes.byName.values()) {
    if (r === chosen) {
      out.unshift({ name: r.name, matched: true, reason: `chosen: ${rankText(chosenRank)} match, path prefix ${r.prefix}` });
      continue;
    }
    const miss = routeMismatchReason(r, host, matchPath);
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

/** What the gateway answers for `code`: the answered code's status and msg, and the real cause. */
export function outcomeOf(code: FailureCode, msg?: string): ExplainResult['outcome'] {
  const answered = FAILURES[code].answerAs ?? code;
  const out: ExplainResult['outcome'] = { status: FAILURES[answered].status, reason: answered, msg: msg ?? FAILURES[answered].msg };
  if (answered !== code) out.cause = code;
  return out;
}

const NO_RULE = { matched: null, position: null, kind: null, allow: null, allow_groups: null, scopes: null } as const;

function ruleOut(rule: CompiledRule | undefined, route: CompiledRoute | undefined, host: string): ExplainResult['rule'] {
  if (rule === undefined) {
    const where = route ? `names route ${JSON.stringify(route.name)} or matches` : 'matches';
    return { ...NO_RULE, reason: `no rule ${where} host ${JSON.stringify(host)}` };
  }
  return {
    matched: rule.id,
    position: rule.position,
    kind: rule.routes !== null ? 'routes' : 'domains',
    allow: [...rule.allow],
    allow_groups: [...rule.allow_groups],
    scopes: [...rule.scopes],
    reason:
      rule.routes !== null && route !== undefined && rule.routes.includes(route.name) ? `first rule naming route ${JSON.stringify(route.name)}` : `first rule matching host ${JSON.stringify(host)}`,
  };
}

const list = (xs: readonly string[]): string => (xs.length === 0 ? 'none' : xs.join(', '));

/** The who-part of a rule, in words (SPEC §8.3): nobody, anyone, by name, by group. */
export function whoDetail(rule: CompiledRule, consumer: string, ok: boolean, group?: string): string {
  const r = `rule #${rule.id}`;
  if (rule.nobody) return `${r} allows nobody (its allow, allow_groups and scopes are all empty)`;
  if (rule.anyone) return `${r} names no consumer or group: every consumer passes the who-part (it requires scopes ${rule.scopes.join(' ')})`;
  const lists = `allow: ${list(rule.allow)}; allow_groups: ${list(rule.allow_groups)}`;
  if (!ok) return `${r} does not allow ${JSON.stringify(consumer)} (${lists})`;
  if (group !== undefined) return `${r} allows ${JSON.stringify(consumer)} through its group ${JSON.stringify(group)} (${lists})`;
  return `${r} allows ${JSON.stringify(consumer)} (${lists})`;
}

/** The TLS facts of a decision (RFC 8705 §3), in words: the connection, its certificate, the token's cnf, the verdict. */
export function bindingDetail(f: BindingFacts): string {
  const tls = f.secure ? 'over TLS' : 'not over TLS';
  const cert = f.clientCert === null ? 'no client certificate' : `client certificate x5t#S256 ${f.clientCert}`;
  const x5t = typeof f.cnf === 'object' && f.cnf !== null ? (f.cnf as Record<string, unknown>)['x5t#S256'] : undefined;
  const cnf =
    f.cnf === undefined
      ? 'the token has no cnf'
      : typeof x5t === 'string'
        ? `the token is bound to x5t#S256 ${x5t}`
        : `the token's cnf ${JSON.stringify(f.cnf)} names no x5t#S256 (cannot be checked: fails closed)`;
  const method = f.consumerMethod === undefined ? '' : `; the consumer authenticates with ${f.consumerMethod}, so its tokens must be bound`;
  const verdict = f.ok
    ? f.cnf === undefined
      ? 'not bound: any connection may use it'
      : 'the certificate matches'
    : f.cnf === undefined
      ? FAILURES.certificate_mismatch.msg
      : f.clientCert === null
        ? `${FAILURES.certificate_mismatch.msg} (none presented)`
        : `${FAILURES.certificate_mismatch.msg} (another certificate)`;
  return `${tls}, ${cert}; ${cnf}${method}: ${verdict}`;
}

/** Collects what the decision saw, step by step. */
class Recorder implements DecisionTrace {
  routeSeen: CompiledRoute | undefined;
  consumerSeen: string | undefined;
  ruleSeen: CompiledRule | undefined;
  need: AuthDecision | null = null;
  readonly steps: ExplainStep[] = [];
  constructor(
    private readonly snap: Snapshot,
    private readonly now: number,
    private readonly assumed: boolean,
  ) {}
  route(route: CompiledRoute | undefined): void {
    this.routeSeen = route;
  }
  rule(rule: CompiledRule | undefined, need: AuthDecision): void {
    this.ruleSeen = rule;
    this.need = need;
  }
  token(token: string | undefined, verdict: Parameters<DecisionTrace['token']>[1]): void {
    this.steps.push(...tokenSteps(this.snap, this.now, token, verdict, this.assumed));
  }
  revoked(claims: Parameters<DecisionTrace['revoked']>[0], revoked: boolean, rotation?: RotationWindow): void {
    if (this.assumed) return; // a hypothetical token has no jti to revoke
    const detail = rotation
      ? `${FAILURES.revoked.msg} (issued ${claims.iat === undefined ? 'with no iat' : `at iat ${claims.iat}`}, before the secret rotation at ${isoTime(rotation.rotated_at)}, whose grace ended at ${isoTime(rotation.expires_at)})`
      : revoked
        ? `${FAILURES.revoked.msg} (jti ${JSON.stringify(claims.jti ?? null)} or client cut-off)`
        : 'no revocation applies';
    this.steps.push({ step: 'not revoked', ok: !revoked, detail });
  }
  audience(aud: unknown, route: string | undefined, ok: boolean): void {
    const target = route === undefined ? 'no route (a token is only valid on the route it was issued on)' : `route ${JSON.stringify(route)}`;
    this.steps.push({ step: 'audience (global_credentials=false)', ok, detail: `aud ${JSON.stringify(aud ?? null)} ${ok ? 'includes' : 'does not include'} ${target}` });
  }
  who(rule: CompiledRule, consumer: string, ok: boolean, group?: string): void {
    this.consumerSeen = consumer;
    this.steps.push({ step: 'allow-list', ok, detail: whoDetail(rule, consumer, ok, group) });
  }
  binding(f: BindingFacts): void {
    this.steps.push({ step: 'certificate binding', ok: f.ok, detail: bindingDetail(f) });
  }
  scopes(rule: CompiledRule, effective: ScopeSet, ok: boolean): void {
    const c = this.snap.consumersByName.get(this.consumerSeen ?? '');
    const why = c?.scopeSet === null ? ` (consumer ${JSON.stringify(c.name)} is unrestricted: a scope it asks for itself is never effective)` : " (the token's scope ∩ the consumer's current scopes)";
    const have = effective.text === '' ? 'none' : effective.text;
    const missing = rule.scopes.filter((x) => !effective.set.has(x));
    const detail = `rule #${rule.id} requires ${rule.scopes.join(' ')}; effective scopes: ${have}${why}${ok ? '' : `; missing: ${missing.join(' ')}`}`;
    this.steps.push({ step: 'scopes', ok, detail });
  }
}

/**
 * Explains what the gateway would answer to `input` under `snap`: route, rule, global_auth row,
 * verification steps and the final status and message, from the one decision's trace.
 */
export function explainRequest(snap: Snapshot, input: ExplainInput, verifier: TokenVerifier): ExplainResult {
  const method = (input.method ?? 'GET').toUpperCase();
  const row = authRow(snap.settings.global_auth, snap.rules.rules.length > 0);
  const target = parseRequestTarget(input.path, input.host);
  if (!target.ok) {
    const q = input.path.indexOf('?');
    return {
      revision: snap.revision,
      request: { host: normalizeHost(input.host), path: q < 0 ? input.path : input.path.slice(0, q), method },
      global_auth_row: row,
      route: { matched: null, candidates: [] },
      rule: { ...NO_RULE, reason: 'not evaluated' },
      decision: null,
      auth_required: false,
      verification: [],
      outcome: outcomeOf('bad_path'),
      note: target.reason,
    };
  }
  const assumed = input.consumer !== undefined;
  const rec = new Recorder(snap, input.nowSeconds, assumed);
  const v = assumed ? assumedConsumerVerifier(input.consumer!, input.clientCert ?? null) : verifier;
  const authorization = assumed ? 'Bearer assumed' : input.token === undefined ? undefined : `Bearer ${input.token}`;
  const d = authorizeRequest(snap, { target, method, authorization, secure: input.secure ?? true, clientCert: input.clientCert ?? null }, input.nowSeconds, v, 'proxy', rec);
  const route = d.route;
  const base = {
    revision: snap.revision,
    request: { host: target.host, path: target.path, method },
    global_auth_row: row,
    route: { matched: route?.name ?? null, candidates: candidates(snap, route, target.host, target.matchPath) },
  };
  if (d.kind === 'token_request') return { ...base, ...tokenRequest(snap, route, method) };
  if (d.kind === 'refuse' && d.code === 'no_route') {
    return { ...base, rule: { ...NO_RULE, reason: 'not evaluated: no route' }, decision: null, auth_required: false, verification: [], outcome: outcomeOf('no_route') };
  }
  const need = rec.need!;
  const common = { ...base, rule: ruleOut(rec.ruleSeen, route, target.host), decision: need, auth_required: need !== 'pass', verification: rec.steps };
  switch (d.kind) {
    case 'pass':
      return { ...common, outcome: { status: 200, reason: 'forwarded', msg: `forwarded to ${route!.upstream} without authentication (pass-through)` } };
    case 'allow': {
      const scopes = d.scopes === '' ? '' : ` with X-Authenticated-Scope: ${d.scopes}`;
      return { ...common, outcome: { status: 200, reason: 'forwarded', msg: `forwarded to ${route!.upstream} as consumer ${JSON.stringify(d.consumer)}${scopes}` } };
    }
    case 'refuse':
      return { ...common, outcome: outcomeOf(d.code) };
  }
}

/** How the token endpoint answers; explain carries no credentials, so the request has none. */
function tokenRequest(snap: Snapshot, route: CompiledRoute | undefined, method: string): Omit<ExplainResult, 'revision' | 'request' | 'global_auth_row' | 'route'> {
  const rule = { ...NO_RULE, reason: 'not evaluated: token requests are not subject to allow-lists' };
  const r = (outcome: ExplainResult['outcome'], detail: string) => ({
    rule,
    decision: 'token_request' as const,
    auth_required: false,
    verification: [{ step: 'token endpoint', ok: outcome.status === 200, detail }],
    outcome,
  });
  const where = `path ends with auth_path ${JSON.stringify(snap.settings.auth_path)}`;
  if (!snap.settings.global_credentials && route === undefined) {
    return r(outcomeOf('no_route'), `${where}, but global_credentials=false needs a route to name the token's audience`);
  }
  const aud = snap.settings.global_credentials ? '"default"' : JSON.stringify(route!.name);
  const issues = `${where}; valid client credentials would get a token with aud ${aud}`;
  // The explained request has no query, body or Basic header: what the endpoint answers to that.
  if (method === 'GET') return r(outcomeOf('params_missing'), `${issues}; this request carries no parameters`);
  if (method !== 'POST') return r(outcomeOf('method_not_allowed'), `${issues}; ${method} is not GET or POST`);
  return r(outcomeOf('bad_content_type'), `${issues}; this request has no form body`);
}
