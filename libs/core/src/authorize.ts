import { decideAuth, type AuthDecision } from './decide';
import type { AccessFailure, BindingFailure, FailureCode, GatewayFailure, VerifyFailure } from './failures';
import { checkRevoked } from './revocation';
import type { ParsedTarget } from './request-target';
import { matchRoute, type CompiledRoute } from './route-match';
import { matchRule, type CompiledRule } from './rule-match';
import { rotatedOut, type CompiledConsumer, type RotationWindow, type ScopeSet, type Snapshot } from './snapshot';
import { effectiveScopes, hasScopes } from './effective-scopes';

/**
 * THE request decision (docs/request-flow.md): route -> token request? -> rule -> global_auth row
 * -> bearer -> verify -> revoked (with the rotation rule) -> audience -> who (consumers, groups) -> scopes. The proxy listener, the explainer (with
 * a trace) and the grants/who views call this one function; the revocation endpoint calls its
 * token part, `authenticateToken`. Pure: no I/O, no clock (the caller passes `now`), no throw.
 */

/** The claims a decision reads from a verified token (libs/token's verified claims fit). */
export interface DecisionClaims {
  readonly client_id: string;
  readonly exp: number;
  readonly aud?: string | readonly string[];
  readonly jti?: string;
  readonly iat?: number;
  readonly scope?: string;
  /** RFC 7800 / RFC 8705 confirmation: `{"x5t#S256": ...}` binds the token to a client certificate. */
  readonly cnf?: unknown;
}

/** `previousSecretUntil`: the signature matched the previous secret of a rotation, accepted until then (SPEC §8.4). */
export type VerifyVerdict =
  | {
      readonly ok: true;
      readonly consumer: { readonly name: string; readonly client_id: string; readonly previous?: RotationWindow | null };
      readonly claims: DecisionClaims;
      readonly previousSecretUntil?: number;
    }
  | { readonly ok: false; readonly code: VerifyFailure };

export type BearerVerdict = { readonly ok: true; readonly token: string } | { readonly ok: false; readonly code: 'missing_token' | 'bad_scheme' };

/**
 * Token checks, injected because core imports no other lib: libs/token's `createTokenVerifier`
 * (optionally behind the gateway's cache) is the one implementation; the explainer's "assume
 * consumer X" mode is another, which skips only the signature checks.
 */
export interface TokenVerifier {
  /** Parses the auth header: absent, one value, or a header sent more than once (an array). */
  bearer(header: string | string[] | undefined): BearerVerdict;
  /** `route` is the request's (a hypothetical token is issued on it); real verifiers ignore it. */
  verify(token: string, snap: Snapshot, nowSeconds: number, route: CompiledRoute | undefined): VerifyVerdict;
}

/** Hooks the explainer uses to lay out the decision's steps; absent on the hot path. */
export interface DecisionTrace {
  route(route: CompiledRoute | undefined): void;
  rule(rule: CompiledRule | undefined, need: AuthDecision): void;
  token(token: string | undefined, verdict: BearerVerdict | VerifyVerdict): void;
  /** `rotation`: set when the refusal is the rotation rule (a token from before a rotation whose grace ended). */
  revoked(claims: DecisionClaims, revoked: boolean, rotation?: RotationWindow): void;
  audience(aud: DecisionClaims['aud'], route: string | undefined, ok: boolean): void;
  /** `group`: the consumer's group that matched the rule's allow_groups, when that admitted it. */
  who(rule: CompiledRule, consumer: string, ok: boolean, group?: string): void;
  /** The rule requires scopes: the token's effective ones, and whether they hold every required one. */
  scopes?(rule: CompiledRule, effective: ScopeSet, ok: boolean): void;
  /** RFC 8705 §3, after a verified token: the TLS facts and whether the token's certificate binding holds. */
  binding?(facts: BindingFacts): void;
}

/** What the certificate-binding check saw (the explainer's "certificate binding" step). */
export interface BindingFacts {
  /** The request arrived over TLS (directly or from a trusted proxy saying https). */
  readonly secure: boolean;
  /** The request's client certificate thumbprint (x5t#S256), null when none. */
  readonly clientCert: string | null;
  /** The token's `cnf` claim, as it is (undefined when it has none). */
  readonly cnf: unknown;
  /** The consumer authenticates with a certificate (its tokens must be bound), when it does. */
  readonly consumerMethod?: 'tls_client_auth' | 'self_signed_tls_client_auth';
  readonly ok: boolean;
}

/**
 * `proxy`: the gateway's main listener. `authz`: the external-authorization listener, which differs
 * in two points only: no route is no 404 (domain rules and global_auth decide), and a token request
 * is allowed through without a token (the proxy forwards it to the gateway).
 */
export type DecisionMode = 'proxy' | 'authz';

export interface AccessRequest {
  readonly target: ParsedTarget;
  readonly method: string;
  /** The `auth_header_name` header as received (an array when it was sent more than once). */
  readonly authorization: string | string[] | undefined;
  /** A CORS preflight: OPTIONS with both Origin and Access-Control-Request-Method (see isCorsPreflight). */
  readonly corsPreflight?: boolean;
  /**
   * The request arrived over TLS: directly, or from a GATEWAY_TRUSTED_PROXIES peer saying
   * `X-Forwarded-Proto: https`. Read only with require_https on; absent counts as not (fail closed).
   */
  readonly secure?: boolean;
  /** RFC 8705: the request's client certificate thumbprint (x5t#S256), null or absent when none. */
  readonly clientCert?: string | null;
}

/** Fetch's CORS preflight (never carries credentials): OPTIONS with Origin and Access-Control-Request-Method. */
export function isCorsPreflight(method: string, origin: unknown, requestMethod: unknown): boolean {
  return method === 'OPTIONS' && typeof origin === 'string' && typeof requestMethod === 'string';
}

export type AccessDecision =
  | { readonly kind: 'token_request'; readonly route: CompiledRoute | undefined }
  | { readonly kind: 'pass'; readonly route: CompiledRoute | undefined; readonly rule: undefined }
  | {
      readonly kind: 'allow';
      readonly route: CompiledRoute | undefined;
      readonly rule: CompiledRule | undefined;
      readonly consumer: string;
      readonly claims: DecisionClaims;
      /** Effective scopes, space-delimited ('' = none): the X-Authenticated-Scope value. */
      readonly scopes: string;
    }
  | {
      readonly kind: 'refuse';
      readonly route: CompiledRoute | undefined;
      readonly code: VerifyFailure | BindingFailure | AccessFailure | GatewayFailure | 'token_https_required';
      /** insufficient_scope only: the RFC 6750 challenge naming the required scopes (it replaces the table's WWW-Authenticate). */
      readonly wwwAuthenticate?: string;
    };

export type Authenticated = { readonly ok: true; readonly consumer: string; readonly claims: DecisionClaims } | { readonly ok: false; readonly code: VerifyFailure };

/**
 * The token part of the decision: verify (in the verifier's order of checks), then revocation
 * (also for cache hits: a cached token may have been revoked since).
 */
export function authenticateToken(snap: Snapshot, token: string, nowSeconds: number, verifier: TokenVerifier, route?: CompiledRoute, trace?: DecisionTrace): Authenticated {
  const v = verifier.verify(token, snap, nowSeconds, route);
  trace?.token(token, v);
  if (!v.ok) return v;
  const revoked = checkRevoked(snap, v.claims, nowSeconds);
  // Rotation with grace (snapshot.ts PreviousSecret): older tokens go when the grace ends, as a cut-off would.
  const rotated = !revoked && rotatedOut(v.consumer, v.claims.iat, nowSeconds);
  trace?.revoked(v.claims, revoked || rotated, rotated ? (v.consumer.previous ?? undefined) : undefined);
  if (revoked || rotated) return REVOKED;
  return { ok: true, consumer: v.consumer.name, claims: v.claims };
}

const REVOKED: Authenticated = Object.freeze({ ok: false, code: 'revoked' });

function audienceIncludes(aud: DecisionClaims['aud'], route: string): boolean {
  if (typeof aud === 'string') return aud === route;
  return Array.isArray(aud) && aud.includes(route);
}

function certificateBound(cnf: unknown, thumbprint: string | null | undefined): boolean {
  if (typeof thumbprint !== 'string' || typeof cnf !== 'object' || cnf === null) return false;
  return (cnf as Record<string, unknown>)['x5t#S256'] === thumbprint;
}

/** Decides one request on one snapshot. See the module comment for the order of checks. */
export function authorizeRequest(snap: Snapshot, req: AccessRequest, nowSeconds: number, verifier: TokenVerifier, mode: DecisionMode = 'proxy', trace?: DecisionTrace): AccessDecision {
  const { host, path, matchPath } = req.target;
  const route = matchRoute(snap.routes, host, matchPath);
  trace?.route(route);
  if (path.endsWith(snap.settings.auth_path)) {
    if (snap.settings.require_https && req.secure !== true) return { kind: 'refuse', route, code: 'token_https_required' };
    return { kind: 'token_request', route };
  }
  if (route === undefined && mode === 'proxy') return { kind: 'refuse', route, code: 'no_route' };

  const rule = matchRule(snap.rules, route?.name, host);
  const need = decideAuth(snap.settings.global_auth, snap.rules.rules.length > 0, rule !== undefined);
  trace?.rule(rule, need);
  if (need === 'pass') return { kind: 'pass', route, rule: undefined };
  // A browser sends a preflight without credentials: with cors_preflight=pass the upstream answers it.
  if (req.corsPreflight === true && snap.settings.cors_preflight === 'pass') return { kind: 'pass', route, rule: undefined };

  // require_https: a request that needs a token must not carry one in clear (RFC 6750 §5.3).
  if (snap.settings.require_https && req.secure !== true) return { kind: 'refuse', route, code: 'https_required' };

  const bearer = verifier.bearer(req.authorization);
  if (!bearer.ok) {
    trace?.token(undefined, bearer);
    return { kind: 'refuse', route, code: bearer.code };
  }
  const who = authenticateToken(snap, bearer.token, nowSeconds, verifier, route, trace);
  if (!who.ok) return { kind: 'refuse', route, code: who.code };
  // The consumer as the snapshot has it NOW (scopes, groups and auth method are current, also for an older token).
  const found = snap.consumersByClientId.get(who.claims.client_id);
  const consumer = found !== undefined && found.name === who.consumer ? found : undefined;
  // RFC 8705 §3: a certificate-bound token only with its certificate. A cnf we cannot check fails
  // closed, and so does a token without cnf for a consumer that authenticates with a certificate
  // (its tokens are always bound; one without cnf was not issued to it by certificate).
  const tlsMethod = consumer?.tls?.method;
  if (who.claims.cnf !== undefined || tlsMethod !== undefined || trace?.binding !== undefined) {
    const ok = who.claims.cnf === undefined ? tlsMethod === undefined : certificateBound(who.claims.cnf, req.clientCert);
    trace?.binding?.({ secure: req.secure === true, clientCert: req.clientCert ?? null, cnf: who.claims.cnf, ...(tlsMethod !== undefined ? { consumerMethod: tlsMethod } : {}), ok });
    if (!ok) return { kind: 'refuse', route, code: 'certificate_mismatch' };
  }

  if (!snap.settings.global_credentials) {
    const ok = route !== undefined && audienceIncludes(who.claims.aud, route.name);
    trace?.audience(who.claims.aud, route?.name, ok);
    if (!ok) return { kind: 'refuse', route, code: 'audience_mismatch' };
  }
  const effective = effectiveScopes(who.claims, consumer);
  if (rule !== undefined) {
    const group = rule.nobody || rule.anyone || rule.allowSet.has(who.consumer) ? undefined : groupIn(rule, consumer);
    const ok = !rule.nobody && (rule.anyone || group !== undefined || rule.allowSet.has(who.consumer));
    trace?.who(rule, who.consumer, ok, group);
    if (!ok) return { kind: 'refuse', route, code: 'not_allowed' };
    if (rule.scopes.length > 0) {
      const enough = hasScopes(effective, rule.scopes);
      trace?.scopes?.(rule, effective, enough);
      if (!enough) return { kind: 'refuse', route, code: 'insufficient_scope', wwwAuthenticate: rule.scopeChallenge };
    }
  }
  return { kind: 'allow', route, rule, consumer: who.consumer, claims: who.claims, scopes: effective.text };
}

/** The first of the consumer's groups the rule's allow_groups names. */
function groupIn(rule: CompiledRule, consumer: CompiledConsumer | undefined): string | undefined {
  if (consumer === undefined || rule.allowGroupSet.size === 0) return undefined;
  for (const g of consumer.groups) if (rule.allowGroupSet.has(g)) return g;
  return undefined;
}

/** The codes a decision can refuse with: every one has a row in FAILURES. */
export type DecisionFailure = Extract<AccessDecision, { kind: 'refuse' }>['code'] & FailureCode;
