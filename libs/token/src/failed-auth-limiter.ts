import { createHash } from 'node:crypto';

/** Defaults: GATEWAY_TOKEN_MAX_FAILURES and GATEWAY_TOKEN_FAILURE_WINDOW_S. */
export const DEFAULT_MAX_FAILURES = 10;
export const DEFAULT_FAILURE_WINDOW_S = 60;
/** Client ids tracked at once; the oldest window is evicted beyond this. */
export const DEFAULT_MAX_TRACKED = 10_000;
/** Longer client ids are tracked by their SHA-256, so memory is bounded by count, not by what a client sends. */
const MAX_KEY_CHARS = 128;

export interface FailedAuthLimiterOptions {
  /** Failures per window before a client_id is locked; 0 disables the limiter. */
  maxFailures?: number;
  windowSeconds?: number;
  maxTracked?: number;
  /** Milliseconds since an epoch (injected so tests are exact). */
  now?: () => number;
}

export type LimiterVerdict = { readonly locked: false } | { readonly locked: true; readonly retryAfterSeconds: number };

interface Entry {
  windowStart: number;
  failures: number;
}

const OPEN: LimiterVerdict = Object.freeze({ locked: false });

/**
 * Counts failed authentications per key (the token endpoint: a client_id; the admin API: the source
 * address), in fixed windows, and locks a key that reached `maxFailures` until its window ends:
 * brute-forcing a secret then costs `windowSeconds` per `maxFailures` guesses.
 *
 * - A correct secret while locked is still refused (call `check` BEFORE comparing the secret),
 *   else the lock would tell a guesser which guess was right.
 * - Unknown client_ids are counted like known ones, so 429 never reveals whether an id exists.
 * - A success does not clear the count: the window simply expires (one code path, no way for an
 *   interleaved valid request to refill a guesser's budget).
 * - Memory is bounded: at most `maxTracked` entries, insertion-ordered by window start, so the
 *   oldest is the first key of the Map and eviction is O(1). Flooding distinct ids to evict a
 *   victim costs `maxTracked` requests per extra `maxFailures` guesses.
 */
export class FailedAuthLimiter {
  readonly maxFailures: number;
  readonly windowMs: number;
  private readonly maxTracked: number;
  private readonly now: () => number;
  private readonly entries = new Map<string, Entry>();

  constructor(opts: FailedAuthLimiterOptions = {}) {
    this.maxFailures = opts.maxFailures ?? DEFAULT_MAX_FAILURES;
    this.windowMs = (opts.windowSeconds ?? DEFAULT_FAILURE_WINDOW_S) * 1000;
    this.maxTracked = opts.maxTracked ?? DEFAULT_MAX_TRACKED;
    this.now = opts.now ?? Date.now;
    if (!Number.isInteger(this.maxFailures) || this.maxFailures < 0) throw new RangeError('maxFailures must be an integer >= 0');
    if (!(this.windowMs >= 1000)) throw new RangeError('windowSeconds must be >= 1');
    if (!Number.isInteger(this.maxTracked) || this.maxTracked < 1) throw new RangeError('maxTracked must be an integer >= 1');
  }

  get enabled(): boolean {
    return this.maxFailures > 0;
  }

  /** Client ids currently tracked (for tests and metrics). */
  get size(): number {
    return this.entries.size;
  }

  /** Is `clientId` locked right now? Call before checking its secret. */
  check(clientId: string): LimiterVerdict {
    if (!this.enabled) return OPEN;
    const key = keyOf(clientId);
    const e = this.entries.get(key);
    if (e === undefined) return OPEN;
    const t = this.now();
    if (t >= e.windowStart + this.windowMs) {
      this.entries.delete(key); // expired: forget it now rather than at eviction time
      return OPEN;
    }
    return this.verdict(e, t);
  }

  /** Records one failed authentication of `clientId`; answers whether it is now locked. */
  recordFailure(clientId: string): LimiterVerdict {
    if (!this.enabled) return OPEN;
    const key = keyOf(clientId);
    const t = this.now();
    let e = this.entries.get(key);
    if (e === undefined || t >= e.windowStart + this.windowMs) {
      // A new window goes to the end of the Map, which keeps the Map ordered by window start.
      if (e !== undefined) this.entries.delete(key);
      else if (this.entries.size >= this.maxTracked) this.evictOldest();
      e = { windowStart: t, failures: 0 };
      this.entries.set(key, e);
    }
    e.failures++;
    return this.verdict(e, t);
  }

  private verdict(e: Entry, t: number): LimiterVerdict {
    if (e.failures < this.maxFailures) return OPEN;
    return { locked: true, retryAfterSeconds: Math.max(1, Math.ceil((e.windowStart + this.windowMs - t) / 1000)) };
  }

  private evictOldest(): void {
    const oldest = this.entries.keys().next();
    if (!oldest.done) this.entries.delete(oldest.value);
  }
}

function keyOf(clientId: string): string {
  // Distinct prefixes, so a short id can never collide with the digest of a long one.
  if (clientId.length <= MAX_KEY_CHARS) return 's:' + clientId;
  return 'h:' + createHash('sha256').update(clientId, 'utf8').digest('hex');
}
