import { FAILURES, type VerifyFailure } from './failures';
import type { Snapshot } from './snapshot';

/** One line of the explainer's verification trace. */
export interface ExplainStep {
  step: string;
  ok: boolean;
  detail: string;
}

/** What the injected verifier answers (libs/token's `verifyAccessToken` fits structurally). */
export type ExplainVerifyResult =
  | { ok: true; consumer: { name: string }; claims: Record<string, unknown> }
  | { ok: false; code: VerifyFailure };

/**
 * The gateway's own token checks, injected because core may not import libs/token: the admin API
 * passes `extractBearerToken` and `verifyAccessToken`, so the explainer runs the real verifier.
 */
export interface ExplainVerifier {
  extractBearer(header: string | undefined): { ok: true; token: string } | { ok: false; code: 'missing_token' | 'bad_scheme' };
  verify(token: string, snapshot: Snapshot, nowSeconds: number): ExplainVerifyResult;
}

/** SPEC §3.5 checks in the verifier's order, each with the failure code that stops there. */
const STEPS: ReadonlyArray<[step: string, code: VerifyFailure, passed: string]> = [
  ['auth header present', 'missing_token', 'header present'],
  ['scheme Bearer + one token', 'bad_scheme', 'Bearer <token>'],
  ['three base64url parts', 'malformed', 'well-formed compact JWS'],
  ['header typ', 'bad_typ', 'typ is at+jwt'],
  ['header alg', 'bad_alg', 'alg is HS256'],
  ['no crit/b64 header', 'bad_header', 'no unsupported header parameter'],
  ['client_id is a known consumer', 'unknown_client', 'known consumer'],
  ['signature', 'bad_signature', "HS256 signature valid with the consumer's secret"],
  ['claim types', 'bad_claims', 'exp/iat/nbf numbers, iss/sub/client_id strings'],
  ['issuer', 'bad_issuer', 'iss matches'],
  ['subject', 'bad_subject', 'sub is the consumer'],
  ['not expired', 'expired', 'exp not passed'],
  ['not before (iat, nbf)', 'not_yet_valid', 'iat/nbf not in the future'],
  ['lifetime within token_ttl', 'bad_lifetime', 'exp - iat within token_ttl (without iat: exp within now + leeway + token_ttl)'],
];

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

function passedDetail(i: number, snap: Snapshot, now: number, parts: ReturnType<typeof peek>, consumer: string): string {
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

export type TokenTrace = { steps: ExplainStep[] } & ({ ok: true; consumer: string; claims: Record<string, unknown> } | { ok: false; code: VerifyFailure });

/**
 * Runs the gateway's header parsing and verifier on `header` and lays the single verdict out as the
 * SPEC §3.5 steps: every step before the failing one passed, the failing one did not, later ones
 * were not reached (and are not listed).
 */
export function traceToken(header: string | undefined, snap: Snapshot, now: number, verifier: ExplainVerifier): TokenTrace {
  const bearer = verifier.extractBearer(header);
  const token = bearer.ok ? bearer.token : '';
  const parts = bearer.ok ? peek(token) : null;
  const r: ExplainVerifyResult = bearer.ok ? verifier.verify(token, snap, now) : { ok: false, code: bearer.code };
  const consumer = r.ok ? r.consumer.name : '';
  const stop = r.ok ? STEPS.length : failingIndex(r.code, parts);
  const steps: ExplainStep[] = [];
  for (let i = 0; i < stop; i++) steps.push({ step: STEPS[i][0], ok: true, detail: passedDetail(i, snap, now, parts, consumer) });
  if (!r.ok) {
    // A code this table does not place (a verifier newer than it): reported as such, not guessed.
    if (stop < 0) return { ok: false, code: r.code, steps: [{ step: 'verification', ok: false, detail: FAILURES[r.code]?.msg ?? r.code }] };
    steps.push({ step: STEPS[stop][0], ok: false, detail: failedDetail(r.code, snap, now, parts) });
    return { ok: false, code: r.code, steps };
  }
  return { ok: true, consumer, claims: r.claims, steps };
}
