import type { AccessTokenClaims, Keyring, TokenConsumer, VerifyOptions, VerifyResult } from './token-api';
import { verifyAccessToken } from './verify';

export type VerifiedToken = { ok: true; consumer: TokenConsumer; claims: AccessTokenClaims; previousSecretUntil?: number };

interface Entry {
  result: VerifiedToken;
  /** Seconds since the epoch from which the entry is stale: the token's `exp + skew` (as verify). */
  until: number;
  /** What the entry is charged against the byte budget. */
  bytes: number;
  /** Hit since it was last put at the young end (second-chance eviction). */
  used: boolean;
}

export const DEFAULT_CACHE_MAX = 10_000;
/** The default byte budget: 10,000 tokens of ours (~350 characters) are charged ~9 MB. */
export const DEFAULT_CACHE_MAX_BYTES = 16 * 1024 * 1024;
/** Longer tokens are verified every time, never cached (Envoy's `jwt_max_token_size` default). */
export const MAX_CACHED_TOKEN_LENGTH = 4096;

/**
 * The claims a cached entry keeps: what the gateway reads after verification (revocation: jti,
 * client_id, iat; audience: aud; the revocation endpoint: exp) and what is about to be read (scope,
 * cnf). Anything else a token carries is dropped: a client could put 500 claims in every token.
 */
export const CACHED_CLAIMS = ['iss', 'sub', 'aud', 'client_id', 'iat', 'exp', 'nbf', 'jti', 'scope', 'cnf'] as const;

// A V8 estimate (64-bit, no pointer compression), rounded up: headers and slots, not exact sizes.
const STRING_HEADER = 24;
const OBJECT_HEADER = 32;
const SLOT = 8;
const HEAP_NUMBER = 16;
/** The Map entry, the Entry, the result and the 10-slot claims object. */
const ENTRY_OVERHEAD = 256;
/** Bigger entries (a cnf of thousands of tiny nested arrays) are not cached at all. */
const MAX_ENTRY_BYTES = 4 * MAX_CACHED_TOKEN_LENGTH;

function stringBytes(s: string): number {
  let width = 1;
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0xff) {
      width = 2;
      break;
    }
  }
  return STRING_HEADER + width * s.length;
}

/** Estimated heap bytes of a parsed JSON value; stops counting (returns > limit) past `limit`. */
function jsonBytes(value: unknown, limit: number): number {
  let total = 0;
  const todo: unknown[] = [value];
  while (todo.length > 0 && total <= limit) {
    const v = todo.pop();
    if (typeof v === 'string') total += stringBytes(v);
    else if (typeof v === 'number') total += HEAP_NUMBER;
    else if (Array.isArray(v)) {
      total += OBJECT_HEADER + SLOT * v.length;
      for (const x of v) todo.push(x);
    } else if (typeof v === 'object' && v !== null) {
      total += OBJECT_HEADER;
      for (const k in v) {
        total += SLOT + stringBytes(k);
        todo.push((v as Record<string, unknown>)[k]);
      }
    }
  }
  return total;
}

/**
 * Bounded cache of successful verifications, keyed by the full token string (so a token with
 * another signature is another key). Failures are never cached: an attacker could otherwise fill it.
 * The gateway calls clear() on every snapshot swap, so rotation and revocation take effect at once.
 *
 * Bounds: `maxEntries`, and `maxBytes` charged per entry for its key, its kept claims
 * (CACHED_CLAIMS) and a fixed overhead; tokens over MAX_CACHED_TOKEN_LENGTH are not cached. The
 * key is copied on insert, so it never pins a larger string it was sliced from (the whole
 * Authorization header: `Bearer` + up to 16 KiB of spaces + the token).
 *
 * Eviction is second chance (CLOCK): a hit only marks its entry (no Map write, no allocation); the
 * oldest entry is evicted unless marked, in which case it is unmarked and moved to the young end —
 * at most SPARE_LIMIT of them per eviction, so an insert stays O(1).
 */
export class VerifiedTokenCache {
  private readonly map = new Map<string, Entry>();
  private charged = 0;

  constructor(
    readonly max: number = DEFAULT_CACHE_MAX,
    readonly maxBytes: number = DEFAULT_CACHE_MAX_BYTES,
  ) {
    if (!Number.isInteger(max) || max < 0) throw new RangeError('cache max must be an integer >= 0');
    if (!Number.isInteger(maxBytes) || maxBytes < 0) throw new RangeError('cache maxBytes must be an integer >= 0');
  }

  get size(): number {
    return this.map.size;
  }

  /** Bytes charged against maxBytes by the entries held now. */
  get bytes(): number {
    return this.charged;
  }

  /** The cached result, if present and still valid at `nowSeconds`. */
  get(token: string, nowSeconds: number): VerifiedToken | undefined {
    const e = this.map.get(token);
    if (e === undefined) return undefined;
    if (nowSeconds >= e.until) {
      this.map.delete(token);
      this.charged -= e.bytes;
      return undefined;
    }
    e.used = true;
    return e.result;
  }

  /**
   * Remembers a successful verification until (excluded) `exp + clockSkewSeconds` — or the end of
   * the rotation grace when the previous secret verified it, if sooner — keeping only CACHED_CLAIMS. Returns what a later hit will answer, or undefined when it is not cached.
   */
  set(token: string, result: VerifiedToken, clockSkewSeconds: number): VerifiedToken | undefined {
    if (this.max === 0 || token.length > MAX_CACHED_TOKEN_LENGTH) return undefined;
    const c = result.claims;
    const claims: AccessTokenClaims = {
      iss: c.iss,
      sub: c.sub,
      aud: c.aud,
      client_id: c.client_id,
      iat: c.iat,
      exp: c.exp,
      nbf: c.nbf,
      jti: c.jti,
      scope: c.scope,
      cnf: c.cnf,
    };
    let bytes = ENTRY_OVERHEAD + STRING_HEADER + token.length;
    for (const k of CACHED_CLAIMS) bytes += jsonBytes(claims[k], MAX_ENTRY_BYTES);
    if (bytes > MAX_ENTRY_BYTES || bytes > this.maxBytes) return undefined;
    const old = this.map.get(token);
    if (old !== undefined) {
      this.map.delete(token);
      this.charged -= old.bytes;
    }
    while (this.map.size > 0 && (this.map.size >= this.max || this.charged + bytes > this.maxBytes)) this.evictOne();
    if (Array.isArray(claims.aud)) Object.freeze(claims.aud);
    const prev = result.previousSecretUntil;
    const kept: VerifiedToken = Object.freeze(
      prev === undefined
        ? { ok: true as const, consumer: result.consumer, claims: Object.freeze(claims) }
        : { ok: true as const, consumer: result.consumer, claims: Object.freeze(claims), previousSecretUntil: prev },
    );
    // Signed with a rotated-out secret: stale when its grace ends, whatever the token's exp says.
    const until = prev === undefined ? c.exp + clockSkewSeconds : Math.min(c.exp + clockSkewSeconds, prev);
    // A fresh flat copy of the key (ASCII: the verifier accepted it), never a slice of the header.
    this.map.set(Buffer.from(token, 'latin1').toString('latin1'), { result: kept, until, bytes, used: false });
    this.charged += bytes;
    return kept;
  }

  clear(): void {
    this.map.clear();
    this.charged = 0;
  }

  private evictOne(): void {
    for (let spared = 0; ; spared++) {
      const next = this.map.entries().next();
      if (next.done) return;
      const [key, e] = next.value;
      this.map.delete(key);
      if (e.used && spared < SPARE_LIMIT) {
        e.used = false;
        this.map.set(key, e);
        continue;
      }
      this.charged -= e.bytes;
      return;
    }
  }
}

/** Marked entries moved to the young end per eviction, at most (then the oldest goes regardless). */
const SPARE_LIMIT = 8;

/**
 * verifyAccessToken behind the cache: a hit skips the HMAC; only successes are stored, and a
 * cached success answers what a hit would (CACHED_CLAIMS only). The cache must be cleared whenever
 * the keyring or the options other than the clock change (snapshot swap).
 */
export function verifyWithCache(token: string, keyring: Keyring, opts: VerifyOptions, cache: VerifiedTokenCache): VerifyResult {
  const hit = cache.get(token, opts.nowSeconds);
  if (hit !== undefined) return hit;
  const result = verifyAccessToken(token, keyring, opts);
  if (!result.ok) return result;
  return cache.set(token, result, opts.clockSkewSeconds) ?? result;
}
