/**
 * Parses the auth header (docs/request-flow.md, the bearer step). Stricter than Higress, which finds the word `Bearer` anywhere in
 * the value: here it must be the scheme, followed by exactly one token and nothing else but spaces.
 */
export type BearerResult = { ok: true; token: string } | { ok: false; code: 'missing_token' | 'bad_scheme' };

const MISSING: BearerResult = Object.freeze({ ok: false, code: 'missing_token' }) as BearerResult;
const BAD_SCHEME: BearerResult = Object.freeze({ ok: false, code: 'bad_scheme' }) as BearerResult;
const SPACE = 0x20;

/** Extracts the token of `Bearer <token>`; never throws. */
export function extractBearerToken(header: string | string[] | undefined): BearerResult {
  if (header === undefined) return MISSING;
  if (typeof header !== 'string') {
    // node:http gives an array only for a header sent more than once: ambiguous, so refused.
    if (Array.isArray(header) && header.length === 0) return MISSING;
    return BAD_SCHEME;
  }
  const len = header.length;
  let i = 0;
  while (i < len && header.charCodeAt(i) === SPACE) i++;
  if (i === len) return MISSING;
  // Scheme: the six letters of "bearer", any case (RFC 7235 §2.1: schemes are case-insensitive).
  if (len - i < 7 || (header.charCodeAt(i) | 0x20) !== 0x62 /* b */) return BAD_SCHEME;
  if (header.slice(i, i + 6).toLowerCase() !== 'bearer') return BAD_SCHEME;
  i += 6;
  if (header.charCodeAt(i) !== SPACE) return BAD_SCHEME;
  while (i < len && header.charCodeAt(i) === SPACE) i++;
  const start = i;
  // The token: visible ASCII without spaces (RFC 6750 b64token is narrower; the verifier checks that).
  while (i < len) {
    const c = header.charCodeAt(i);
    if (c === SPACE) break;
    if (c < 0x21 || c > 0x7e) return BAD_SCHEME;
    i++;
  }
  if (i === start) return BAD_SCHEME;
  const end = i;
  while (i < len && header.charCodeAt(i) === SPACE) i++;
  if (i !== len) return BAD_SCHEME;
  return { ok: true, token: header.slice(start, end) };
}
