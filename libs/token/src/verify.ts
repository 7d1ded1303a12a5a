import { createHmac, timingSafeEqual } from 'node:crypto';
import { verifyWithKey, type SigningKey } from './signing-keys';
import type { AccessTokenClaims, Keyring, TokenConsumer, VerifyFailureCode, VerifyOptions, VerifyResult } from './token-api';

/**
 * The hot path: runs on every authenticated request, so it is synchronous node:crypto HMAC-SHA256.
 * Measured on the dev box (Node 20, 2 shared cores, noisy): this function ~7-8 us per token,
 * a cache hit ~0.1 us, jose 5 `jwtVerify` HS256 ~9-19 us (async, a promise per call) — and jose
 * would still need our own decode first, since the key is chosen by the `client_id` claim. jose
 * is therefore not used here: the algorithm is pinned and the key comes from our keyring only.
 *
 * Decisions beyond the check list of docs/request-flow.md:
 * - Header parameters `crit` and `b64` are refused (bad_header): we implement no extension, and
 *   `b64:false` changes what the signature covers. `jku`, `x5u`, `jwk`, `x5c` are ignored: the
 *   HMAC key is chosen by the `client_id` claim only, never by anything the token carries.
 * - `kid` (docs/signing-keys.md): when it names one of the gateway's own signing keys (opts.signingKeys, from the
 *   store only), that key verifies the token and the header `alg` must be the key's (so `none` or
 *   HS256 with such a kid is bad_alg). Any other kid is ignored, as before: an HS256 token takes the
 *   client-secret path unchanged (Higress interop), and an RS256 one with an unknown kid is bad_alg.
 *   The tokens we issue with the HS256 header carry no kid, so their fast path below is untouched.
 * - Time boundaries follow RFC 7519 §4.1.4/§4.1.5 and golang-jwt v5 (which Higress uses): expired
 *   when `now >= exp + skew` (the token is valid strictly before its expiry); not yet valid when
 *   `iat` or `nbf` `> now + skew` (valid from that instant on).
 * - A missing `exp` is `expired` (`exp` must be present and not passed).
 * - Lifetime (opts.maxLifetimeSeconds, the gateway passes `token_ttl`): `exp - iat` above it is
 *   bad_lifetime — a client holding its own secret could otherwise mint `exp: 1e308`. Both claims
 *   come from the issuer's one clock, so the skew is not added there: Higress' own tests run with a
 *   100-year skew, and `ttl + skew` would let such a config accept 100-year tokens. Without `iat`,
 *   `exp` may be at most `now + skew + max` (there the issuer's clock may be ahead by the skew).
 *   Our tokens and Higress' have `exp - iat` = token_ttl (Higress: ttl or ttl - 1, as it reads the
 *   clock twice), so they pass at the limit.
 */

/** Longer tokens are refused before any decoding: ours are ~350 bytes; headers are capped at 16 KiB. */
export const MAX_TOKEN_LENGTH = 8192;

const fail = (code: VerifyFailureCode): VerifyResult => Object.freeze({ ok: false, code }) as VerifyResult;
const F: Readonly<Record<VerifyFailureCode, VerifyResult>> = Object.freeze({
  missing_token: fail('missing_token'),
  bad_scheme: fail('bad_scheme'),
  malformed: fail('malformed'),
  bad_typ: fail('bad_typ'),
  bad_alg: fail('bad_alg'),
  bad_header: fail('bad_header'),
  unknown_client: fail('unknown_client'),
  bad_signature: fail('bad_signature'),
  bad_claims: fail('bad_claims'),
  bad_issuer: fail('bad_issuer'),
  bad_subject: fail('bad_subject'),
  expired: fail('expired'),
  not_yet_valid: fail('not_yet_valid'),
  bad_lifetime: fail('bad_lifetime'),
});

/** `{"alg":"HS256","typ":"application/at+jwt"}` as we and Higress write it, and as older Go wrote it (`\/`). */
const KNOWN_HEADER = Buffer.from('{"alg":"HS256","typ":"application/at+jwt"}').toString('base64url');
const KNOWN_HEADER_GO = Buffer.from('{"alg":"HS256","typ":"application\\/at+jwt"}').toString('base64url');

/** 1 for the base64url alphabet [A-Za-z0-9_-], 0 otherwise; indexed by char code < 128. */
const B64URL = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_') B64URL[c.charCodeAt(0)] = 1;
const DOT = 0x2e;
/** An HS256 signature is 32 bytes: 43 base64url characters without padding. */
const SIG_LENGTH = 43;

/**
 * Splits `token` into its three parts' boundaries if it is three non-empty strict base64url parts
 * (no padding, no `+` or `/`, no part of a length no encoder produces). Returns [dot1, dot2] or null.
 */
function splitStrict(token: string): [number, number] | null {
  const len = token.length;
  if (len === 0 || len > MAX_TOKEN_LENGTH) return null;
  let dot1 = -1;
  let dot2 = -1;
  for (let i = 0; i < len; i++) {
    const c = token.charCodeAt(i);
    if (c === DOT) {
      if (dot1 < 0) dot1 = i;
      else if (dot2 < 0) dot2 = i;
      else return null;
    } else if (c > 127 || B64URL[c] === 0) return null;
  }
  if (dot1 <= 0 || dot2 <= dot1 + 1 || dot2 === len - 1) return null;
  // A base64 text of length 4n+1 cannot be produced by an encoder; Buffer would silently drop it.
  if (dot1 % 4 === 1 || (dot2 - dot1 - 1) % 4 === 1 || (len - dot2 - 1) % 4 === 1) return null;
  return [dot1, dot2];
}

/**
 * Decodes a base64url part already checked by splitStrict and parses it as a JSON object. A member
 * name repeated in any one object (`{"sub":"root","sub":"alice"}`) makes it null: JSON.parse keeps
 * the last, a first-wins parser upstream would read the other (RFC 8725 §3.11: no such differential).
 */
function parseObject(part: string): Record<string, unknown> | null {
  const bytes = Buffer.from(part, 'base64url');
  let v: unknown;
  try {
    v = JSON.parse(bytes.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  return membersInText(bytes) === membersParsed(v as Record<string, unknown>) ? (v as Record<string, unknown>) : null;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;

/**
 * The object members written in a JSON text already known to parse: each member has exactly one
 * `:` outside strings. A byte scan (UTF-8 continuation bytes are >= 0x80, so never these marks).
 */
function membersInText(b: Uint8Array): number {
  let n = 0;
  let inString = false;
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === COLON) n++;
  }
  return n;
}

/** The members JSON.parse kept, in every object at any depth (fewer than written: a duplicate). */
function membersParsed(top: Record<string, unknown>): number {
  let n = 0;
  let nested: unknown[] | undefined;
  for (const k in top) {
    n++;
    const v = top[k];
    if (typeof v === 'object' && v !== null) (nested ??= []).push(v);
  }
  // Flat objects (nearly every token) stop here; deeper values are walked without recursion, so
  // an 8 KiB token of nested brackets cannot exhaust the stack.
  if (nested === undefined) return n;
  while (nested.length > 0) {
    const o = nested.pop() as Record<string, unknown> | unknown[];
    if (Array.isArray(o)) {
      for (const v of o) if (typeof v === 'object' && v !== null) nested.push(v);
    } else {
      for (const k in o) {
        n++;
        const v = o[k];
        if (typeof v === 'object' && v !== null) nested.push(v);
      }
    }
  }
  return n;
}

function isTyp(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  if (v === 'application/at+jwt' || v === 'at+jwt') return true;
  // RFC 7515 §4.1.9: media types compare case-insensitively.
  if (v.length !== 6 && v.length !== 18) return false;
  const l = v.toLowerCase();
  return l === 'application/at+jwt' || l === 'at+jwt';
}

const isNum = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);
const optNum = (v: unknown): boolean => v === undefined || isNum(v);
const optStr = (v: unknown): boolean => v === undefined || typeof v === 'string';

function optAud(v: unknown): boolean {
  if (v === undefined || typeof v === 'string') return true;
  if (!Array.isArray(v)) return false;
  for (const a of v) if (typeof a !== 'string') return false;
  return true;
}

function claimTypesOk(p: Record<string, unknown>): boolean {
  return optNum(p.exp) && optNum(p.iat) && optNum(p.nbf) && optStr(p.iss) && optStr(p.sub) && optStr(p.jti) && optStr(p.scope) && optAud(p.aud);
}

/**
 * Verifies an access token against the keyring, in the order of docs/request-flow.md, returning the first failure's
 * typed code. Synchronous; never throws. Verification always uses the raw base64url segments (Go's
 * encoder may write `\/` in the header), never a re-serialisation.
 */
export function verifyAccessToken(token: string, keyring: Keyring, opts: VerifyOptions): VerifyResult {
  if (typeof token !== 'string') return F.malformed;
  const dots = splitStrict(token);
  if (dots === null) return F.malformed;
  const [dot1, dot2] = dots;

  // Nearly every token carries one of two known header encodings: skip decoding those. Any other
  // header is decoded; a `kid` naming one of our signing keys pins alg to that key's, otherwise
  // alg must be HS256 and the key is the client's secret.
  let key: SigningKey | undefined;
  if (!(dot1 === KNOWN_HEADER.length && token.startsWith(KNOWN_HEADER)) && !(dot1 === KNOWN_HEADER_GO.length && token.startsWith(KNOWN_HEADER_GO))) {
    const header = parseObject(token.slice(0, dot1));
    if (header === null) return F.malformed;
    if (!isTyp(header.typ)) return F.bad_typ;
    const kid = header.kid;
    if (typeof kid === 'string' && opts.signingKeys !== undefined) key = opts.signingKeys.get(kid);
    if (header.alg !== (key === undefined ? 'HS256' : key.alg)) return F.bad_alg;
    if (header.crit !== undefined || header.b64 !== undefined) return F.bad_header;
  }

  const payload = parseObject(token.slice(dot1 + 1, dot2));
  if (payload === null) return F.malformed;
  const clientId = payload.client_id;
  if (clientId === undefined) return F.unknown_client;
  if (typeof clientId !== 'string') return F.bad_claims;
  const consumer = keyring.get(clientId);
  if (consumer === undefined) return F.unknown_client;

  if (key !== undefined) {
    if (!verifyWithKey(key, token.slice(0, dot2), token.slice(dot2 + 1))) return F.bad_signature;
    return checkClaims(payload, consumer, opts);
  }
  if (token.length - dot2 - 1 !== SIG_LENGTH) return F.bad_signature;
  // 43 chars carry 258 bits: the last char's low 2 bits must be zero, or one signature would have
  // four spellings (and four cache keys).
  if (!canonicalLastChar(token.charCodeAt(token.length - 1))) return F.bad_signature;
  const sig = Buffer.from(token.slice(dot2 + 1), 'base64url');
  const signed = token.slice(0, dot2);
  const expected = createHmac('sha256', consumer.key).update(signed).digest();
  if (sig.length === expected.length && timingSafeEqual(sig, expected)) return checkClaims(payload, consumer, opts);
  // Rotation grace (SPEC §8.4): the previous secret, strictly before its expiry, and no other.
  const prev = consumer.previous;
  // Expiry first: an ended grace never has its (sealed) secret opened.
  if (prev == null || opts.nowSeconds >= prev.expires_at || prev.key === null) return F.bad_signature;
  const before = createHmac('sha256', prev.key).update(signed).digest();
  if (sig.length !== before.length || !timingSafeEqual(sig, before)) return F.bad_signature;
  const r = checkClaims(payload, consumer, opts);
  return r.ok ? { ...r, previousSecretUntil: prev.expires_at } : r;
}

/** The claim checks after a valid signature, the same for every algorithm (the order of docs/request-flow.md). */
function checkClaims(payload: Record<string, unknown>, consumer: TokenConsumer, opts: VerifyOptions): VerifyResult {
  if (!claimTypesOk(payload)) return F.bad_claims;
  if (payload.iss !== opts.issuer) return F.bad_issuer;
  if (payload.sub !== consumer.name) return F.bad_subject;

  const now = opts.nowSeconds;
  const skew = opts.clockSkewSeconds;
  const exp = payload.exp as number | undefined;
  if (exp === undefined || now >= exp + skew) return F.expired;
  const iat = payload.iat as number | undefined;
  const nbf = payload.nbf as number | undefined;
  if ((iat !== undefined && iat > now + skew) || (nbf !== undefined && nbf > now + skew)) return F.not_yet_valid;
  const max = opts.maxLifetimeSeconds;
  if (max !== undefined && (iat !== undefined ? exp - iat > max : exp > now + skew + max)) return F.bad_lifetime;

  return { ok: true, consumer, claims: payload as AccessTokenClaims };
}

/** Base64url values whose low 2 bits are zero: A E I M Q U Y c g k o s w 0 4 8. */
function canonicalLastChar(c: number): boolean {
  const v = c >= 65 && c <= 90 ? c - 65 : c >= 97 && c <= 122 ? c - 71 : c >= 48 && c <= 57 ? c + 4 : c === 45 ? 62 : 63;
  return (v & 3) === 0;
}

/** Debugging and the decision explainer only: the parsed parts, no checks. Never use for auth. */
export function decodeUnverified(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } | null {
  if (typeof token !== 'string') return null;
  const dots = splitStrict(token);
  if (dots === null) return null;
  const header = parseObject(token.slice(0, dots[0]));
  const payload = parseObject(token.slice(dots[0] + 1, dots[1]));
  return header && payload ? { header, payload } : null;
}
