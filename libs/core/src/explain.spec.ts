import { createTokenVerifier } from '@oauth2/token';
import { AT_HEADER, craftHs256, standardClaims } from '@oauth2/testing';
import { explainRequest, consumerGrants, routeWho, type ExplainInput } from './explain';
import { compileSnapshot, type Snapshot } from './snapshot';
import { DEFAULT_SETTINGS, type Settings } from './settings';
import type { RevocationRecords, RuleRecord } from './model';

// The real verifier (libs/token), injected as the admin API does; tokens crafted with node:crypto.
const verifier = createTokenVerifier();
const NOW = 1_700_000_000;
const SA = 'alice-secret-0123456789abcdef0123456789';
const SB = 'bob-secret-0123456789abcdef0123456789abc';
const tok = (name: string, id: string, secret: string, extra: Record<string, unknown> = {}, header: object = AT_HEADER) =>
  craftHs256(header, { ...standardClaims({ name, clientId: id, now: NOW }), ...extra }, secret);
const alice = (extra: Record<string, unknown> = {}) => tok('alice', 'id-a', SA, extra);

function snap(settings: Partial<Settings> = {}, rules: RuleRecord[] = [], revocations?: RevocationRecords): Snapshot {
  return compileSnapshot({
    revocations,
    revision: 3,
    settings: { ...DEFAULT_SETTINGS, ...settings },
    consumers: [
      { name: 'alice', client_id: 'id-a', client_secret: SA },
      { name: 'bob', client_id: 'id-b', client_secret: SB },
    ],
    routes: [
      { name: 'api', hosts: ['api.test'], path_prefix: '/v1', upstream: 'http://up:1', strip_prefix: false },
      { name: 'api-admin', hosts: ['api.test'], path_prefix: '/v1/admin', upstream: 'http://up:2', strip_prefix: false },
      { name: 'wild', hosts: ['*.test'], path_prefix: '/', upstream: 'http://up:3', strip_prefix: false },
      { name: 'open', hosts: [], path_prefix: '/open', upstream: 'http://up:4', strip_prefix: false },
    ],
    rules,
  });
}
const ruleApiAlice: RuleRecord = { id: 1, position: 1, routes: ['api'], domains: null, allow: ['alice'] };
const ruleDomainBob: RuleRecord = { id: 2, position: 2, routes: null, domains: ['*.test'], allow: ['bob'] };
const run = (s: Snapshot, i: Partial<ExplainInput>) => explainRequest(s, { host: 'api.test', path: '/v1/x', nowSeconds: NOW, ...i }, verifier);

describe('explainRequest outcome (the gateway order of decisions)', () => {
  it.each<[string, Snapshot, Partial<ExplainInput>, number, string]>([
    ['no route', snap(), { host: 'other.org', path: '/x' }, 404, 'no_route'],
    ['dot segment', snap(), { path: '/v1/../admin' }, 400, 'bad_path'],
    ['encoded dot segment', snap(), { path: '/v1/%2e%2e/admin' }, 400, 'bad_path'],
    ['target neither path nor URL', snap(), { path: 'v1/x' }, 400, 'bad_path'],
    ['upper-case spelling of a ruled route', snap({}, [ruleApiAlice]), { path: '/V1/x', token: tok('bob', 'id-b', SB) }, 403, 'not_allowed'],
    ['merged slashes reach the ruled route', snap({}, [ruleApiAlice]), { path: '//v1//x', token: tok('bob', 'id-b', SB) }, 403, 'not_allowed'],
    ['encoded unreserved letters are decoded', snap({}, [ruleApiAlice]), { path: '/%76%31/x', token: tok('bob', 'id-b', SB) }, 403, 'not_allowed'],
    ['encoded slash refused', snap({}, [ruleApiAlice]), { path: '/v1%2fx' }, 400, 'bad_path'],
    ['path parameter refused', snap({}, [ruleApiAlice]), { path: '/v1;x=1/y' }, 400, 'bad_path'],
    ['fragment refused', snap({}, [ruleApiAlice]), { path: '/v1#x' }, 400, 'bad_path'],
    ['unset, no rules: token required', snap(), {}, 401, 'missing_token'],
    ['valid token, no rule', snap(), { token: alice() }, 200, 'forwarded'],
    ['expired', snap(), { token: alice({ iat: NOW - 9000, exp: NOW - 61 }) }, 401, 'expired'],
    ['inside the skew', snap(), { token: alice({ iat: NOW - 7259, exp: NOW - 59 }) }, 200, 'forwarded'],
    ['wrong alg', snap(), { token: tok('alice', 'id-a', SA, {}, { alg: 'HS512', typ: 'at+jwt' }) }, 401, 'bad_alg'],
    ['bad typ', snap(), { token: tok('alice', 'id-a', SA, {}, { alg: 'HS256', typ: 'JWT' }) }, 401, 'bad_typ'],
    ["another consumer's signature", snap(), { token: tok('alice', 'id-a', SB) }, 401, 'bad_signature'],
    // Answered as a bad signature (no client_id oracle); the cause stays visible to the operator.
    ['unknown client', snap(), { token: alice({ client_id: 'nobody' }) }, 401, 'bad_signature'],
    ['non-string client_id', snap(), { token: alice({ client_id: 7 }) }, 401, 'bad_claims'],
    ['wrong issuer', snap(), { token: alice({ iss: 'x' }) }, 401, 'bad_issuer'],
    ['not a JWT', snap(), { token: 'abc' }, 401, 'malformed'],
    ['two tokens', snap(), { token: `${alice()} ${alice()}` }, 401, 'bad_scheme'],
    ['allowed by route rule', snap({}, [ruleApiAlice]), { token: alice() }, 200, 'forwarded'],
    ['not allowed', snap({}, [ruleApiAlice]), { token: tok('bob', 'id-b', SB) }, 403, 'not_allowed'],
    ['unset + rules: no rule here passes', snap({}, [ruleApiAlice]), { path: '/open/x', host: 'x.org' }, 200, 'forwarded'],
    ['global_auth=false, no rule: pass', snap({ global_auth: false }), {}, 200, 'forwarded'],
    ['global_auth=true, no rule: authenticate', snap({ global_auth: true }, [ruleApiAlice]), { path: '/open/x', host: 'x.org' }, 401, 'missing_token'],
    ['domain rule on wildcard route', snap({}, [ruleDomainBob]), { host: 'a.test', path: '/z', token: alice() }, 403, 'not_allowed'],
    ['audience mismatch', snap({ global_credentials: false }), { token: alice({ aud: 'wild' }) }, 403, 'audience_mismatch'],
    ['audience array includes route', snap({ global_credentials: false }), { token: alice({ aud: ['x', 'api'] }) }, 200, 'forwarded'],
    ['consumer mode allowed', snap({}, [ruleApiAlice]), { consumer: 'alice' }, 200, 'forwarded'],
    ['consumer mode not allowed', snap({}, [ruleApiAlice]), { consumer: 'bob' }, 403, 'not_allowed'],
    ['consumer mode unknown', snap(), { consumer: 'carol' }, 401, 'bad_signature'],
    ['revoked by jti', snap({}, [], { jtis: [{ jti: 'j-1', exp: NOW + 100 }], clients: [] }), { token: alice({ jti: 'j-1' }) }, 401, 'revoked'],
    ['revoked by client cut-off', snap({}, [], { jtis: [], clients: [{ client_id: 'id-a', revoked_before: NOW + 1 }] }), { token: alice() }, 401, 'revoked'],
    ['issued after the cut-off', snap({}, [], { jtis: [], clients: [{ client_id: 'id-a', revoked_before: NOW }] }), { token: alice() }, 200, 'forwarded'],
    ['token request GET', snap(), { path: '/any/oauth2/token', host: 'nowhere.org' }, 400, 'params_missing'],
    ['token request POST', snap(), { path: '/oauth2/token', method: 'post' }, 400, 'bad_content_type'],
    ['token request PUT', snap(), { path: '/oauth2/token', method: 'PUT' }, 405, 'method_not_allowed'],
    ['token request without route, global_credentials=false', snap({ global_credentials: false }), { path: '/oauth2/token', host: 'x.org' }, 404, 'no_route'],
  ])('%s', (_n, s, input, status, reason) => {
    const r = run(s, input);
    expect(r.outcome).toMatchObject({ status, reason });
    if (status !== 200) expect(r.outcome.msg).toMatch(/\S/);
  });

  it('never carries a secret or the HMAC key', () => {
    const text = JSON.stringify([run(snap({}, [ruleApiAlice]), { token: alice() }), consumerGrants(snap(), 'alice'), routeWho(snap(), 'api')]);
    expect(text).not.toContain(SA);
    expect(text).not.toContain(SB);
  });
});

describe('explainRequest trace', () => {
  it('names the chosen route first and says why the others lost', () => {
    const r = run(snap(), { path: '/v1/admin/x', token: alice() });
    expect(r.route.matched).toBe('api-admin');
    expect(r.route.candidates[0]).toMatchObject({ name: 'api-admin', matched: true });
    const why = Object.fromEntries(r.route.candidates.map((c) => [c.name, c.reason]));
    expect(why.api).toMatch(/shorter/);
    expect(why.wild).toMatch(/less specific/);
    expect(why.open).toMatch(/not under \/open/);
  });

  it('lists every verification step up to the failing one, in the order of docs/request-flow.md', () => {
    const r = run(snap(), { token: alice({ iss: 'x' }) });
    expect(r.verification.map((s) => s.ok)).toEqual([...Array(9).fill(true), false]);
    expect(r.verification.at(-1)).toMatchObject({ step: 'issuer', detail: expect.stringContaining('"Higress-Gateway"') });
    expect(r.decision).toBe('authenticate');
    expect(r.global_auth_row).toBe('global_auth unset, no rules');
  });

  it('a passing token runs every step, then the allow-list', () => {
    const r = run(snap({}, [ruleApiAlice]), { token: alice() });
    expect(r.verification.every((s) => s.ok)).toBe(true);
    expect(r.verification.at(-1)?.step).toBe('allow-list');
    expect(r.rule).toMatchObject({ matched: 1, kind: 'routes', allow: ['alice'] });
  });

  it('a missing header stops at the first step', () => {
    expect(run(snap(), {}).verification).toEqual([{ step: 'auth header present', ok: false, detail: 'Invalid Jwt token: missing token' }]);
  });

  it('a token request is decided before the route check', () => {
    const r = run(snap(), { path: '/nowhere/oauth2/token', host: 'x.org' });
    expect(r.decision).toBe('token_request');
    expect(r.route.matched).toBeNull();
  });
});

describe('consumerGrants / routeWho', () => {
  const s = snap({}, [ruleApiAlice, ruleDomainBob]);
  it('reports each route and domain rule for a consumer', () => {
    const g = consumerGrants(s, 'bob')!;
    const by = Object.fromEntries(g.routes.map((r) => [r.route, r]));
    expect(by.api).toMatchObject({ reachable: false, access: 'denied_by_rule', rule: 1 });
    // api-admin has no rule of its own, but its host api.test is under the domain rule *.test: the
    // gateway applies rule #2 there (the old view said pass_through, which the gateway never did).
    expect(by['api-admin']).toMatchObject({ reachable: true, access: 'allowed_by_rule', rule: 2 });
    expect(consumerGrants(s, 'alice')!.routes.find((r) => r.route === 'api-admin')).toMatchObject({ reachable: false, access: 'denied_by_rule', rule: 2 });
    expect(g.domain_rules).toEqual([expect.objectContaining({ rule: 2, reachable: true })]);
    expect(consumerGrants(s, 'nobody')).toBeNull();
  });

  it('no rule with authentication required: any valid token', () => {
    expect(consumerGrants(snap(), 'bob')!.routes.every((r) => r.access === 'any_valid_token')).toBe(true);
  });

  it.each<[Snapshot, string, string, string[] | null]>([
    [s, 'api', 'allow_list', ['alice']],
    [snap(), 'api', 'any_consumer', ['alice', 'bob']],
    [snap({ global_auth: false }), 'open', 'anyone', null],
  ])('routeWho %#: %s -> %s', (sn, route, access, consumers) => {
    expect(routeWho(sn, route)).toMatchObject({ access, consumers });
  });

  it('a domain rule that covers a route with no rule of its own decides who passes there', () => {
    expect(routeWho(s, 'api-admin')).toMatchObject({ access: 'allow_list', rule: 2, consumers: ['bob'] });
    // open is any-host: hosts under *.test belong to the route wild, so rule #2 never decides open's
    // requests there; a domain rule on hosts no other route takes (*.org) does, and is a note.
    expect(routeWho(s, 'open')).toMatchObject({ access: 'anyone', consumers: null, notes: [] });
    const org = routeWho(snap({}, [ruleApiAlice, { id: 3, position: 3, routes: null, domains: ['*.org'], allow: ['bob'] }]), 'open')!;
    expect(org).toMatchObject({ access: 'anyone', consumers: null });
    expect(org.notes.join('\n')).toMatch(/hosts under \*\.org: rule #3.*: bob$/);
  });

  it('the unknown-client cause is kept for the operator', () => {
    expect(run(snap(), { token: alice({ client_id: 'nobody' }) }).outcome).toEqual({
      status: 401,
      reason: 'bad_signature',
      msg: 'Invalid Jwt token: signature verification failed',
      cause: 'unknown_client',
    });
  });

  it('unknown route is null', () => expect(routeWho(s, 'nope')).toBeNull());
});
