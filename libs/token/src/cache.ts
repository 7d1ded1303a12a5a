import type { AccessTokenClaims, Keyring, TokenConsumer, VerifyOptions, VerifyResult } from './token-api';
import { verifyAccessToken } from './verify';

export type VerifiedToken = { ok: true; consumer: TokenConsumer; claims: AccessTokenClaims };

interface Entry {
  result: VerifiedToken;
  /** Seconds since the epoch from which the entry is stale: the token's `exp + skew` (as verify). */
  until: number;
}

export const DEFAULT_CACHE_MAX = 10_000;

/**
 * Bounded LRU of successful verifications, keyed by the full token string (so a token with another
 * signature is another key). Failures are never cached: an attacker could otherwise fill it.
 * The gateway calls clear() on every snapshot swap, so rotation and revocation take effect at once.
 */
export class VerifiedTokenCache {
  private readonly map = new Map<string, Entry>();

  constructor(readonly max: number = DEFAULT_CACHE_MAX) {
    if (!Number.isInteger(max) || max < 0) throw new RangeError('cache max must be an integer >= 0');
  }

  get size(): number {
    return this.map.size;
  }

  /** The cached result, if present and still valid at `nowSeconds`. */
  get(token: string, nowSeconds: number): VerifiedToken | undefined {
    const e = this.map.get(token);
    if (e === undefined) return undefined;
    if (nowSeconds >= e.until) {
      this.map.delete(token);
      return undefined;
    }
    // Move to the most recently used end (Map keeps insertion order).
    this.map.delete(token);
    this.map.set(token, e);
    return e.result;
  }

  /** Remembers a successful verification until (excluded) `exp + clockSkewSeconds`. */
  set(token: string, result: VerifiedToken, clockSkewSeconds: number): void {
    if (this.max === 0) return;
    const until = result.claims.exp + clockSkewSeconds;
    if (this.map.has(token)) this.map.delete(token);
    else if (this.map.size >= this.max) {
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
    this.map.set(token, { result, until });
  }

  clear(): void {
    this.map.clear();
  }
}

/**
 * verifyAccessToken behind the cache: a hit skips the HMAC; only successes are stored. The cache
 * must be cleared whenever the keyring or the options other than the clock change (snapshot swap).
 */
export function verifyWithCache(token: string, keyring: Keyring, opts: VerifyOptions, cache: VerifiedTokenCache): VerifyResult {
  const hit = cache.get(token, opts.nowSeconds);
  if (hit !== undefined) return hit;
  const result = verifyAccessToken(token, keyring, opts);
  if (result.ok) cache.set(token, result, opts.clockSkewSeconds);
  return result;
}
