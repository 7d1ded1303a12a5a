import { createTokenVerifier } from '@oauth2/token';
import { AT_HEADER, craftHs256, standardClaims } from '@oauth2/testing';
import { authorizeRequest, type AccessDecision } from './authorize';
import { parseRequestTarget, type ParsedTarget } from './request-target';
import { compileSnapshot, type Snapshot } from './snapshot';
import { DEFAULT_SETTINGS, type Settings } from './settings';
import type { RuleRecord } from './model';

const NOW = 1_700_000_000;
const SA = 'authz-alice-secret-0123456789abcdef012345';
const SB = 'authz-bob-secret-0123456789abcdef01234567';
const verifier = createTokenVerifier();
const alice = (extra: Record<string, unknown> = {}) => craftHs256(AT_HEADER, { ...standardClaims({ name: 'alice', clientId: 'id-a', now: NOW }), ...extra }, SA);
const bob = (extra: Record<string, unknown> = {}) => craftHs256(AT_HEADER, { ...standardClaims({ name: 'bob', clientId: 'id-b', now: NOW }), ...extra }, SB);

const RULES: RuleRecord[] = [
  { id: 1, position: 1, routes: ['api'], domains: null, allow: ['alice'] },
  { id: 2, position: 2, routes: null, domains: ['*.dom.test', 'noroute.test'], allow: ['bob'] },
  // SPEC §8: who by name or group, and a required scope.
  { id: 3, position: 3, routes: ['orders'], domains: null, allow: ['alice'], allow_groups: ['team'], scopes: ['orders:write'] },
];

function snap(settings: Partial<Settings>, rules: RuleRecord[] = RULES, catchAll = true): Snapshot {
  return compileSnapshot({
    revision: 1,
    settings: { ...DEFAULT_SETTINGS, ...settings },
    consumers: [
      { name: 'alice', client_id: 'id-a', client_secret: SA, scopes: ['orders:read', 'orders:write'] },
      // Unrestricted (scopes null): a scope it asks for itself is never effective.
      { name: 'bob', client_id: 'id-b', client_secret: SB, groups: ['team'] },
    ],
    routes: [
      { name: 'orders', hosts: ['api.test'], path_prefix: '/orders', upstream: 'http://u:3', strip_prefix: false },
      { name: 'api', hosts: ['api.test'], path_prefix: '/api', upstream: 'http://u:1', strip_prefix: false },
      ...(catchAll ? [{ name: 'open', hosts: [], path_prefix: '/', upstream: 'http://u:2', strip_prefix: false }] : []),
    ],
    rules,
    revocations: { jtis: [{ jti: 'gone', exp: NOW + 100 }], clients: [] },
  });
}

const target = (path: string, host: string): ParsedTarget => {
  const t = parseRequestTarget(path, host);
  if (!t.ok) throw new Error(t.reason);
  return t;
};
const decide = (s: Snapshot, path: string, host: string, token: string | undefined, mode: 'proxy' | 'authz'): AccessDecision =>
  authorizeRequest(s, { target: target(path, host), method: 'GET', authorization: token === undefined ? undefined : `Bearer ${token}` }, NOW, verifier, mode);
/** What a door answers: the kind, the code and its challenge, the consumer and X-Authenticated-Scope (the route object itself is the same). */
const answer = (d: AccessDecision) => ({
  kind: d.kind,
  code: d.kind === 'refuse' ? d.code : null,
  challenge: d.kind === 'refuse' ? (d.wwwAuthenticate ?? null) : null,
  consumer: d.kind === 'allow' ? d.consumer : null,
  scopes: d.kind === 'allow' ? d.scopes : null,
  route: d.route?.name ?? null,
});

const SNAPS: Array<[string, Snapshot]> = [
  ['global_auth unset, rules exist', snap({})],
  ['global_auth unset, no rules', snap({}, [])],
  ['global_auth=true', snap({ global_auth: true })],
  ['global_auth=false', snap({ global_auth: false })],
  ['global_credentials=false', snap({ global_credentials: false })],
];
const REQUESTS: Array<[string, string, string, (() => string) | undefined]> = [
  ['route rule, allowed', '/api/x', 'api.test', () => alice()],
  ['route rule, not allowed', '/api/x', 'api.test', () => bob()],
  ['route rule, no token', '/API/x', 'api.test', undefined],
  ['route rule, audience of the route', '/api/x', 'api.test', () => alice({ aud: 'api' })],
  ['domain rule on a routed host', '/x', 'a.dom.test', () => bob()],
  ['domain rule refuses', '/x', 'a.dom.test', () => alice()],
  ['no rule', '/x', 'else.test', () => alice()],
  ['no rule, no token', '/x', 'else.test', undefined],
  ['revoked', '/api/x', 'api.test', () => alice({ jti: 'gone' })],
  ['expired', '/api/x', 'api.test', () => alice({ iat: NOW - 9000, exp: NOW - 100 })],
  ['bad signature', '/api/x', 'api.test', () => alice({}).slice(0, -2) + 'AA'],
  ['scoped rule, the token holds the scope', '/orders/1', 'api.test', () => alice({ scope: 'orders:write' })],
  ['scoped rule, the token lacks it', '/orders/1', 'api.test', () => alice({ scope: 'orders:read' })],
  ['scoped rule, a group member whose scope is self-granted', '/orders/1', 'api.test', () => bob({ scope: 'orders:write' })],
  ['scoped rule, no token', '/orders/1', 'api.test', undefined],
  ['no rule, effective scopes forwarded', '/x', 'else.test', () => alice({ scope: 'orders:read admin' })],
];

describe('the authz listener decides exactly as the proxy path (same function, authz mode)', () => {
  for (const [sName, s] of SNAPS) {
    it.each(REQUESTS)(`${sName}: %s`, (_n, path, host, token) => {
      const t = token?.();
      expect(answer(decide(s, path, host, t, 'authz'))).toEqual(answer(decide(s, path, host, t, 'proxy')));
    });
  }

  it('the scope cases are decided on scopes (the table compares real outcomes, not two refusals alike)', () => {
    const s = snap({ global_auth: true });
    const got = REQUESTS.filter(([n]) => n.includes('scope')).map(([, path, host, token]) => {
      const a = answer(decide(s, path, host, token?.(), 'authz'));
      return a.kind === 'allow' ? `allow ${a.consumer} [${a.scopes}]` : `${a.code}${a.challenge === null ? '' : ` ${a.challenge}`}`;
    });
    const challenge = 'Bearer realm="oauth2-gateway", error="insufficient_scope", scope="orders:write"';
    expect(got).toEqual(['allow alice [orders:write]', `insufficient_scope ${challenge}`, `insufficient_scope ${challenge}`, 'missing_token', 'allow alice [orders:read]']);
  });

  it('differs in the two documented points only: no route is decided on domain rules and global_auth; a token request passes without a token', () => {
    const s = snap({ global_auth: false }, RULES, false);
    // No route on noroute.test: the proxy answers 404; authz applies the domain rule.
    expect(answer(decide(s, '/x', 'noroute.test', undefined, 'proxy'))).toMatchObject({ kind: 'refuse', code: 'no_route' });
    expect(answer(decide(s, '/x', 'noroute.test', undefined, 'authz'))).toMatchObject({ kind: 'refuse', code: 'missing_token' });
    expect(answer(decide(s, '/x', 'noroute.test', bob(), 'authz'))).toMatchObject({ kind: 'allow', consumer: 'bob', route: null });
    expect(answer(decide(s, '/x', 'noroute.test', alice(), 'authz'))).toMatchObject({ kind: 'refuse', code: 'not_allowed' });
    // No route and no rule: global_auth decides (false: pass; true: authenticate).
    expect(answer(decide(s, '/x', 'nowhere.test', undefined, 'authz'))).toMatchObject({ kind: 'pass' });
    const onlyApi = compileSnapshot({ revision: 1, settings: { ...DEFAULT_SETTINGS, global_auth: true }, consumers: [], routes: [], rules: [] });
    expect(answer(decide(onlyApi, '/x', 'nowhere.test', undefined, 'authz'))).toMatchObject({ kind: 'refuse', code: 'missing_token' });
    // A token request is the token endpoint's business, wherever it is.
    expect(answer(decide(s, '/oauth2/token', 'noroute.test', undefined, 'authz'))).toMatchObject({ kind: 'token_request' });
  });

  it('global_credentials=false without a route: no route name can be in aud, so audience_mismatch', () => {
    const s = snap({ global_credentials: false }, RULES, false);
    expect(answer(decide(s, '/x', 'noroute.test', bob(), 'authz'))).toMatchObject({ kind: 'refuse', code: 'audience_mismatch' });
  });
});

describe('cors_preflight', () => {
  const preflight = (s: Snapshot, corsPreflight: boolean) =>
    answer(authorizeRequest(s, { target: target('/api/x', 'api.test'), method: 'OPTIONS', authorization: undefined, corsPreflight }, NOW, verifier));
  it.each<[string, Snapshot, boolean, string, string | null]>([
    ['authenticate (default): a preflight needs a token like any request', snap({}), true, 'refuse', 'missing_token'],
    ['pass: a preflight passes without one', snap({ cors_preflight: 'pass' }), true, 'pass', null],
    ['pass: an OPTIONS that is no preflight still needs one', snap({ cors_preflight: 'pass' }), false, 'refuse', 'missing_token'],
  ])('%s', (_n, s, isPreflight, kind, code) => {
    expect(preflight(s, isPreflight)).toMatchObject({ kind, code });
  });
});

// SPEC §8.3: groups, required scopes, effective scopes, deny-all rules, and the order of refusals.
describe('policies: who (consumers, groups) and scopes', () => {
  const SC = 'authz-carol-secret-0123456789abcdef0123456';
  const SD = 'authz-dave-secret-0123456789abcdef01234567';
  const tok = (name: string, id: string, secret: string, extra: Record<string, unknown> = {}) => craftHs256(AT_HEADER, { ...standardClaims({ name, clientId: id, now: NOW }), ...extra }, secret);
  type C = { scopes?: string[] | null; groups?: string[] };
  function policySnap(rule: Partial<RuleRecord>, who: { carol?: C; dave?: C } = {}, settings: Partial<Settings> = {}): Snapshot {
    return compileSnapshot({
      revision: 1,
      settings: { ...DEFAULT_SETTINGS, ...settings },
      consumers: [
        { name: 'carol', client_id: 'id-c', client_secret: SC, ...who.carol },
        { name: 'dave', client_id: 'id-d', client_secret: SD, ...who.dave },
      ],
      routes: [{ name: 'orders', hosts: [], path_prefix: '/orders', upstream: 'http://u:1', strip_prefix: false }],
      rules: [{ id: 7, position: 1, routes: ['orders'], domains: null, allow: [], ...rule }],
    });
  }
  const ask = (s: Snapshot, token: string) => authorizeRequest(s, { target: target('/orders/1', 'h.test'), method: 'GET', authorization: `Bearer ${token}` }, NOW, verifier);
  const carol = (extra: Record<string, unknown> = {}) => tok('carol', 'id-c', SC, extra);
  const dave = (extra: Record<string, unknown> = {}) => tok('dave', 'id-d', SD, extra);
  const outcome = (d: AccessDecision) => (d.kind === 'allow' ? `allow ${d.consumer} [${d.scopes}]` : d.kind === 'refuse' ? d.code : d.kind);

  it.each<[string, Partial<RuleRecord>, { carol?: C; dave?: C }, string, string]>([
    ['by name: listed', { allow: ['carol'] }, {}, 'allow carol []', 'not_allowed'],
    ['by group: a member', { allow_groups: ['billing'] }, { carol: { groups: ['ops', 'billing'] } }, 'allow carol []', 'not_allowed'],
    ['by group: no member (a group need not have members)', { allow_groups: ['nobody-yet'] }, { carol: { groups: ['ops'] } }, 'not_allowed', 'not_allowed'],
    ['both lists: name or group', { allow: ['dave'], allow_groups: ['billing'] }, { carol: { groups: ['billing'] } }, 'allow carol []', 'allow dave []'],
    [
      'neither list, scopes required: anyone holding them',
      { scopes: ['orders:read'] },
      { carol: { scopes: ['orders:read'] }, dave: { scopes: [] } },
      'allow carol [orders:read]',
      'insufficient_scope',
    ],
    ['all three empty: nobody', {}, { carol: { groups: ['billing'] } }, 'not_allowed', 'not_allowed'],
  ])('%s', (_n, rule, who, forCarol, forDave) => {
    const s = policySnap(rule, who);
    expect([outcome(ask(s, carol({ scope: 'orders:read' }))), outcome(ask(s, dave()))]).toEqual([forCarol, forDave]);
  });

  it.each<[string, C, string | undefined, string[], string]>([
    ['restricted, token holds the required scope', { scopes: ['orders:read', 'orders:write'] }, 'orders:write', ['orders:write'], 'allow carol [orders:write]'],
    ['restricted, token asked for none (the whole list)', { scopes: ['orders:read', 'orders:write'] }, 'orders:read orders:write', ['orders:write'], 'allow carol [orders:read orders:write]'],
    ['restricted, token lacks it', { scopes: ['orders:read', 'orders:write'] }, 'orders:read', ['orders:write'], 'insufficient_scope'],
    ['scope removed from the consumer after issue', { scopes: ['orders:read'] }, 'orders:read orders:write', ['orders:write'], 'insufficient_scope'],
    ['removed scope is not forwarded either', { scopes: ['orders:read'] }, 'orders:read orders:write', [], 'allow carol [orders:read]'],
    ['unrestricted: a self-requested scope never counts', { scopes: null }, 'orders:write admin', ['orders:write'], 'insufficient_scope'],
    ['unrestricted: and is never forwarded', { scopes: null }, 'orders:write admin', [], 'allow carol []'],
    ['a scope claim of the wrong type is refused by the verifier', { scopes: ['orders:write'] }, undefined, ['orders:write'], 'bad_claims'],
  ])('effective scopes: %s', (_n, c, claim, required, expected) => {
    const s = policySnap({ allow: ['carol'], scopes: required }, { carol: c });
    const extra = claim === undefined ? { scope: ['orders:write'] } : { scope: claim };
    expect(outcome(ask(s, carol(extra)))).toBe(expected);
  });

  it('insufficient_scope carries the RFC 6750 challenge naming the required scopes', () => {
    const d = ask(policySnap({ allow: ['carol'], scopes: ['orders:write', 'orders:read'] }, { carol: { scopes: ['orders:read'] } }), carol({ scope: 'orders:read' }));
    expect(d).toMatchObject({ kind: 'refuse', code: 'insufficient_scope', wwwAuthenticate: 'Bearer realm="oauth2-gateway", error="insufficient_scope", scope="orders:write orders:read"' });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['audience first: wrong aud, not allowed, no scope', { aud: 'other' }, 'audience_mismatch'],
    ['then who: right aud, not allowed, no scope', { aud: 'orders' }, 'not_allowed'],
  ])('refusal order: %s', (_n, extra, code) => {
    const s = policySnap({ allow: ['carol'], scopes: ['orders:write'] }, { dave: { scopes: [] } }, { global_credentials: false });
    expect(outcome(ask(s, dave(extra)))).toBe(code);
  });

  it('refusal order: then scopes (right aud, allowed, scope missing)', () => {
    const s = policySnap({ allow: ['carol'], scopes: ['orders:write'] }, { carol: { scopes: ['orders:read'] } }, { global_credentials: false });
    expect(outcome(ask(s, carol({ aud: 'orders', scope: 'orders:read' })))).toBe('insufficient_scope');
    expect(outcome(ask(s, carol({ aud: 'orders', scope: 'orders:write' })))).toBe('insufficient_scope');
    const granted = policySnap({ allow: ['carol'], scopes: ['orders:write'] }, { carol: { scopes: ['orders:write'] } }, { global_credentials: false });
    expect(outcome(ask(granted, carol({ aud: 'orders', scope: 'orders:write' })))).toBe('allow carol [orders:write]');
  });

  it('without a rule, an authenticated request still forwards its effective scopes', () => {
    const s = compileSnapshot({
      revision: 1,
      settings: { ...DEFAULT_SETTINGS, global_auth: true },
      consumers: [{ name: 'carol', client_id: 'id-c', client_secret: SC, scopes: ['a', 'b'] }],
      routes: [{ name: 'orders', hosts: [], path_prefix: '/orders', upstream: 'http://u:1', strip_prefix: false }],
      rules: [],
    });
    expect(outcome(ask(s, carol({ scope: 'b x a b' })))).toBe('allow carol [b a]');
  });
});

describe('RFC 8705 certificate binding (SPEC §13)', () => {
  const SC = 'authz-cert-client-secret-0123456789abcdef01';
  const X5T = 'L1lyWsP7Obu3qL8ZAycmFoTCN0khRLt1xSl6ywGLGks';
  const OTHER = 'hyQfmE031mY2DfMF5Fg4XyWXyYfosPPjPwOfjbAK7Ak';
  const s = compileSnapshot({
    revision: 1,
    settings: DEFAULT_SETTINGS,
    consumers: [
      { name: 'm2m', client_id: 'id-m', client_secret: SC, auth_method: 'self_signed_tls_client_auth', tls_thumbprint: X5T },
      { name: 'alice', client_id: 'id-a', client_secret: SA },
    ],
    routes: [{ name: 'open', hosts: [], path_prefix: '/', upstream: 'http://u:2', strip_prefix: false }],
    rules: [],
  });
  const m2m = (extra: Record<string, unknown> = {}) => craftHs256(AT_HEADER, { ...standardClaims({ name: 'm2m', clientId: 'id-m', now: NOW }), ...extra }, SC);
  const run = (token: string, clientCert: string | null) => {
    const seen: unknown[] = [];
    const d = authorizeRequest(s, { target: target('/x', 'h.test'), method: 'GET', authorization: `Bearer ${token}`, secure: true, clientCert }, NOW, verifier, 'proxy', {
      route: () => undefined,
      rule: () => undefined,
      token: () => undefined,
      revoked: () => undefined,
      audience: () => undefined,
      who: () => undefined,
      binding: (f) => seen.push(f),
    });
    return { code: d.kind === 'refuse' ? d.code : d.kind, seen };
  };

  it('a bound token passes with its certificate only; the trace sees the TLS facts', () => {
    const bound = m2m({ cnf: { 'x5t#S256': X5T } });
    expect(run(bound, X5T)).toEqual({ code: 'allow', seen: [{ secure: true, clientCert: X5T, cnf: { 'x5t#S256': X5T }, consumerMethod: 'self_signed_tls_client_auth', ok: true }] });
    expect(run(bound, OTHER).code).toBe('certificate_mismatch');
    expect(run(bound, null).code).toBe('certificate_mismatch');
  });

  it("a certificate consumer's token without cnf is refused; a client_secret consumer's passes with or without a certificate", () => {
    expect(run(m2m(), X5T)).toMatchObject({ code: 'certificate_mismatch', seen: [{ cnf: undefined, consumerMethod: 'self_signed_tls_client_auth', ok: false }] });
    expect(run(alice(), null)).toEqual({ code: 'allow', seen: [{ secure: true, clientCert: null, cnf: undefined, ok: true }] });
    expect(run(alice(), X5T).code).toBe('allow');
  });
});
