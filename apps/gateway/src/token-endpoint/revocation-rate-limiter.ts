import { createHash } from 'node:crypto';

/** Defaults: a client may revoke 5 tokens a second, 20 at once. */
export const DEFAULT_REVOCATIONS_PER_SECOND = 5;
export const DEFAULT_REVOCATION_BURST = 20;
/** Client ids tracked at once; the least recently refilled is evicted beyond this. */
const MAX_TRACKED = 10_000;
const MAX_KEY_CHARS = 128;

export interface RevocationRateLimiterOptions {
  perSecond?: number;
  burst?: number;
  maxTracked?: number;
  /** Milliseconds since an epoch (injected so tests are exact). */
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per authenticated client_id at the RFC 7009 endpoint (per process): every
 * revocation is a store write and a reload of every gateway, so a client minting and revoking
 * tokens in a loop must not set the pace. `take` answers 0 (go on) or the seconds to wait.
 * Memory is bounded: at most `maxTracked` buckets; a full bucket is forgotten (it is the default).
 */
export class RevocationRateLimiter {
  private readonly perMs: number;
  private readonly burst: number;
  private readonly maxTracked: number;
  private readonly now: () => number;
  private readonly buckets = new Map<string, Bucket>();

  constructor(opts: RevocationRateLimiterOptions = {}) {
    const perSecond = opts.perSecond ?? DEFAULT_REVOCATIONS_PER_SECOND;
    this.burst = opts.burst ?? DEFAULT_REVOCATION_BURST;
    this.maxTracked = opts.maxTracked ?? MAX_TRACKED;
    this.now = opts.now ?? Date.now;
    if (!(perSecond > 0)) throw new RangeError('perSecond must be > 0');
    if (!Number.isInteger(this.burst) || this.burst < 1) throw new RangeError('burst must be an integer >= 1');
    this.perMs = perSecond / 1000;
  }

  get size(): number {
    return this.buckets.size;
  }

  /** Takes one revocation from `clientId`'s bucket: 0 when allowed, else Retry-After seconds (>= 1). */
  take(clientId: string): number {
    const key = clientId.length <= MAX_KEY_CHARS ? 's:' + clientId : 'h:' + createHash('sha256').update(clientId, 'utf8').digest('hex');
    const t = this.now();
    let b = this.buckets.get(key);
    if (b !== undefined) {
      b.tokens = Math.min(this.burst, b.tokens + (t - b.at) * this.perMs);
      b.at = t;
      this.buckets.delete(key); // re-inserted below: the Map stays ordered by last use
    } else {
      if (this.buckets.size >= this.maxTracked) {
        const oldest = this.buckets.keys().next();
        if (!oldest.done) this.buckets.delete(oldest.value);
      }
      b = { tokens: this.burst, at: t };
    }
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / this.perMs / 1000));
  }
}
