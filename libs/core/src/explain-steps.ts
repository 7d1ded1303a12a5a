import type { BearerVerdict, TokenVerifier, VerifyVerdict } from './authorize';
import { FAILURES, type VerifyFailure } from './failures';
import type { Snapshot } from './snapshot';

/** One line of the explainer's verification trace. */
export interface ExplainStep {
  step: string;
  ok: boolean;
  detail: string;
}

type TokenCheck = Exclude<VerifyFailure, 'revoked'>;

/**
 * The verifier's checks in its order (the keys' order), each with the step name and what passing it
 * means. Typed by the failure codes: a new verify failure without a step here does not compile.
 */
const STEP_OF: Readonly<Record<TokenCheck, readonly [step: string, passed: string]>> = {
  missing_token: ['auth header present', 'header present'],
  bad_scheme: ['scheme Bearer + one token', 'Bearer <token>'],
  malformed: ['three base64url parts', 'well-formed compact JWS'],
  bad_typ: ['header typ', 'typ is at+jwt'],
  bad_alg: ['header alg', 'alg is HS256'],
  bad_header: ['no crit/b64 header', 'no unsupported header parameter'],
  unknown_client: ['client_id is a known consumer', 'known consumer'],
  bad_signature: ['signature', "HS256 signature valid with the consumer's secret"],
  bad_claims: ['claim types', 'exp/iat/nbf numbers, iss/sub/client_id strings'],
  bad_issuer: ['issuer', 'iss matches'],
  bad_subject: ['subject', 'sub is the consumer'],
  expired: ['not expired', 'exp not passed'],
  not_yet_valid: ['not before (iat, nbf)', 'iat/nbf not in the future'],
  bad_lifetime: ['lifetime within token_ttl', 'exp - iat within token_ttl (without iat: exp within now + leeway + token_ttl)'],
};
const STEPS: ReadonlyArray<[step: string, code: TokenCheck, passed: string]> = (Object.keys(STEP_OF) as TokenCheck[]).map((c) => [STEP_OF[c][0], c, STEP_OF[c][1]]);

/** Unverified decode, for the trace's wording only: decisions come from the injected verifier. */
function peek(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    if (typeof header !== 'object' || header === null || typeof payload !== 'object' || payload === null) return null;
    return { header, payload };
  } catch {
    return null;
  }
}

const q = (v: unknown): string => (v === undefined ? 'absent' : JSON.stringify(v));

/** Unix seconds as an ISO-8601 UTC time. */
export const isoTime = (seconds: number): string => new Date(seconds * 1000).toISOString();

function passedDetail(i: number, snap: Snapshot, now: number, parts: ReturnType<typeof peek>, consumer: string, previousUntil: number | undefined): string {
  const h = parts?.header ?? {};
  const p = parts?.payload ?? {};
  const skew = snap.settings.clock_skew_seconds;
  switch (STEPS[i][1]) {
    case 'missing_token':
      return `${snap.settings.auth_header_name} header present`;
    case 'bad_typ':
      return `typ ${q(h.typ)}`;
    case 'bad_alg':
      return `alg ${q(h.alg)}`;
    case 'unknown_client':
      return `client_id ${q(p.client_id)} is consumer ${q(consumer)}`;
    case 'bad_signature':
      return previousUntil === undefined ? STEPS[i][2] : `HS256 signature valid with the consumer's previous secret: signed with the previous secret, accepted until ${isoTime(previousUntil)}`;
    case 'bad_issuer':
      return `iss ${q(p.iss)}`;
    case 'bad_subject':
      return `sub ${q(p.sub)}`;
    case 'expired':
      return `exp ${q(p.exp)}, now ${now}, leeway ${skew}s`;
    case 'not_yet_valid':
      return `iat ${q(p.iat)}, nbf ${q(p.nbf)}, now ${now}, leeway ${skew}s`;
    default:
      return STEPS[i][2];
  }
}

function failedDetail(code: VerifyFailure, snap: Snapshot, now: number, parts: ReturnType<typeof peek>): string {
  const h = parts?.header ?? {};
  const p = parts?.payload ?? {};
  const skew = snap.settings.clock_skew_seconds;
  const msg = FAILURES[code].msg;
  switch (code) {
    case 'bad_typ':
      return `${msg} (typ ${q(h.typ)})`;
    case 'bad_alg':
      return `${msg} (alg ${q(h.alg)})`;
    case 'unknown_client':
      return `${msg} (client_id ${q(p.client_id)})`;
    case 'bad_signature': {
      // Not a claim that the previous secret signed it (core has no HMAC): only that it no longer could.
      const prev = typeof p.client_id === 'string' ? snap.consumersByClientId.get(p.client_id)?.previous : null;
      if (prev == null) return msg;
      return now < prev.expires_at
        ? `${msg} (neither the current secret nor the previous one, accepted until ${isoTime(prev.expires_at)}, signed it)`
        : `${msg} (not the current secret; the previous secret's grace ended at ${isoTime(prev.expires_at)})`;
    }
    case 'bad_issuer':
      return `${msg} (iss ${q(p.iss)}, expected ${q(snap.settings.issuer)})`;
    case 'bad_subject':
      return `${msg} (sub ${q(p.sub)})`;
    case 'expired':
      return `${msg} (exp ${q(p.exp)}, now ${now}, leeway ${skew}s)`;
    case 'not_yet_valid':
      return `${msg} (iat ${q(p.iat)}, nbf ${q(p.nbf)}, now ${now}, leeway ${skew}s)`;
    default:
      return msg;
  }
}

/** Index of the step a failure code stops at (a non-string client_id fails at the client_id step). */
function failingIndex(code: VerifyFailure, parts: ReturnType<typeof peek>): number {
  if (code === 'bad_claims' && parts && parts.payload.client_id !== undefined && typeof parts.payload.client_id !== 'string') {
    return STEPS.findIndex((s) => s[1] === 'unknown_client');
  }
  return STEPS.findIndex((s) => s[1] === code);
}

/**
 * Lays the decision's single token verdict out as the verifier's steps: every step before the
 * failing one passed, the failing one did not, later ones were not reached (and are not listed).
 * `token` is undefined when the auth header itself was refused. `assumed`: the explainer's
 * "assume consumer X" mode, where only the consumer's existence is checked.
 */
export function tokenSteps(snap: Snapshot, now: number, token: string | undefined, verdict: BearerVerdict | VerifyVerdict, assumed: boolean): ExplainStep[] {
  if (assumed) {
    return verdict.ok
      ? [{ step: 'consumer exists', ok: true, detail: `consumer ${JSON.stringify((verdict as { consumer: { name: string } }).consumer.name)} exists (token checks assumed to pass)` }]
      : [{ step: 'consumer exists', ok: false, detail: 'no consumer of that name' }];
  }
  const parts = token === undefined ? null : peek(token);
  const consumer = verdict.ok && 'consumer' in verdict ? verdict.consumer.name : '';
  const stop = verdict.ok ? STEPS.length : failingIndex(verdict.code, parts);
  const previousUntil = verdict.ok && 'previousSecretUntil' in verdict ? verdict.previousSecretUntil : undefined;
  const steps: ExplainStep[] = [];
  for (let i = 0; i < stop; i++) steps.push({ step: STEPS[i][0], ok: true, detail: passedDetail(i, snap, now, parts, consumer, previousUntil) });
  if (!verdict.ok) {
    // A code this table does not place (a verifier newer than it): reported as such, not guessed.
    if (stop < 0) return [{ step: 'verification', ok: false, detail: FAILURES[verdict.code]?.msg ?? verdict.code }];
    steps.push({ step: STEPS[stop][0], ok: false, detail: failedDetail(verdict.code, snap, now, parts) });
  }
  return steps;
}

/**
 * The explainer's "assume a valid token of consumer X" verifier: the header and signature checks
 * pass by assumption; the token is the one the token endpoint would issue on the request's route.
 */
export function assumedConsumerVerifier(name: string, clientCert: string | null = null): TokenVerifier {
  return {
    bearer: () => ({ ok: true, token: 'assumed' }),
    verify(_token, snap, now, route) {
      const c = snap.consumersByName.get(name);
      if (c === undefined) return { ok: false, code: 'unknown_client' };
      const aud = snap.settings.global_credentials ? 'default' : (route?.name ?? 'default');
      // As the token endpoint issues it when no scope is asked for: a restricted consumer's whole list.
      const scope = c.scopeSet === null || c.scopeSet.text === '' ? {} : { scope: c.scopeSet.text };
      // A consumer that authenticates with its certificate gets bound tokens (RFC 8705 §3): to its
      // registered thumbprint, or (tls_client_auth) to the certificate given, when one is.
      const x5t = c.tls === null ? undefined : (c.tls.thumbprint ?? clientCert ?? '(the certificate it authenticated with)');
      const cnf = x5t === undefined ? {} : { cnf: { 'x5t#S256': x5t } };
      return { ok: true, consumer: c, claims: { client_id: c.client_id, iat: now, exp: now + snap.settings.token_ttl, aud, ...scope, ...cnf } };
    },
  };
}
