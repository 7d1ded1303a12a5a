import { AT_HEADER, craftHs256, mutate, standardClaims } from '@oauth2/testing';
import {
  verifyAccessToken,
  verifyWithCache,
  VerifiedTokenCache,
  CACHED_CLAIMS,
  DEFAULT_CACHE_MAX,
  DEFAULT_CACHE_MAX_BYTES,
  MAX_CACHED_TOKEN_LENGTH,
  type TokenConsumer,
  type VerifiedToken,
  type VerifyOptions,
} from './index';

const SECRET = 'alice-secret-alice-secret-alice-secret';
const alice: TokenConsumer = { name: 'alice', client_id: 'alice-id', key: Buffer.from(SECRET) };
const keyring = new Map([[alice.client_id, alice]]);
const NOW = 1_700_000_000;
const opts: VerifyOptions = { issuer: 'Higress-Gateway', clockSkewSeconds: 60, nowSeconds: NOW };
const tokenFor = (jti: string, exp = NOW + 100, extra: Record<string, unknown> = {}): string =>
  craftHs256(AT_HEADER, { ...standardClaims({ name: 'alice', clientId: 'alice-id', now: NOW }), jti, exp, ...extra }, SECRET);
/** `n` short extra claims (c0..c(n-1)), as a client stuffing its own tokens would write them. */
const manyClaims = (n: number): Record<string, string> => Object.fromEntries(Array.from({ length: n }, (_, i) => [`c${i}`, `v${i}`]));
/** A token of exactly `len` characters (a pad claim sized to fit). */
function tokenOfLength(jti: string, len: number): string {
  const base = tokenFor(jti, NOW + 100, { pad: '' }).length;
  // 4 base64 characters carry 3 bytes of padding text.
  for (let n = Math.max(0, Math.floor(((len - base) * 3) / 4) - 3); ; n++) {
    const t = tokenFor(jti, NOW + 100, { pad: 'p'.repeat(n) });
    if (t.length >= len) return t;
  }
}
const verified = (t: string): VerifiedToken => {
  const r = verifyAccessToken(t, keyring, opts);
  if (!r.ok) throw new Error(`fixture token refused: ${r.code}`);
  return r;
};

describe('VerifiedTokenCache', () => {
  it('defaults to 10,000 entries and 16 MiB', () => {
    expect(new VerifiedTokenCache().max).toBe(DEFAULT_CACHE_MAX);
    expect(new VerifiedTokenCache().maxBytes).toBe(DEFAULT_CACHE_MAX_BYTES);
    expect(DEFAULT_CACHE_MAX).toBe(10_000);
    expect(DEFAULT_CACHE_MAX_BYTES).toBe(16 * 1024 * 1024);
    expect(MAX_CACHED_TOKEN_LENGTH).toBe(4096);
  });

  it('serves an entry until exp + skew, excluded (the verifier boundary)', () => {
    const cache = new VerifiedTokenCache();
    const t = tokenFor('a');
    const r = verified(t);
    expect(cache.get(t, NOW)).toBeUndefined();
    const kept = cache.set(t, r, 60);
    expect(kept).toEqual({ ok: true, consumer: alice, claims: expect.objectContaining({ jti: 'a', exp: NOW + 100 }) });
    expect(cache.get(t, NOW)).toBe(kept);
    expect(cache.get(t, NOW + 100 + 59)).toBe(kept);
    expect(cache.get(t, NOW + 100 + 60)).toBeUndefined();
    expect(cache.size).toBe(0);
    expect(cache.bytes).toBe(0);
    // The verifier agrees at the same instant.
    expect(verifyAccessToken(t, keyring, { ...opts, nowSeconds: NOW + 160 })).toEqual({ ok: false, code: 'expired' });
  });

  it('evicts the least recently used entry', () => {
    const cache = new VerifiedTokenCache(2);
    const [a, b, c] = ['a', 'b', 'c'].map((j) => tokenFor(j));
    cache.set(a, verified(a), 60);
    cache.set(b, verified(b), 60);
    expect(cache.get(a, NOW)).toBeDefined(); // a is now the most recent
    cache.set(c, verified(c), 60);
    expect(cache.size).toBe(2);
    expect(cache.get(b, NOW)).toBeUndefined();
    expect(cache.get(a, NOW)).toBeDefined();
    expect(cache.get(c, NOW)).toBeDefined();
  });

  it('clear() empties it; max 0 stores nothing', () => {
    const cache = new VerifiedTokenCache();
    const t = tokenFor('a');
    cache.set(t, verified(t), 60);
    cache.clear();
    expect(cache.get(t, NOW)).toBeUndefined();
    const none = new VerifiedTokenCache(0);
    none.set(t, verified(t), 60);
    expect(none.size).toBe(0);
  });

  it.each([-1, 1.5, NaN])('refuses max %p', (max) => {
    expect(() => new VerifiedTokenCache(max)).toThrow(RangeError);
    expect(() => new VerifiedTokenCache(10, max)).toThrow(RangeError);
  });

  it('eviction is O(1): with every entry marked, one insert spares at most 8 and evicts the 9th oldest', () => {
    const cache = new VerifiedTokenCache(20);
    const toks = Array.from({ length: 20 }, (_, i) => tokenFor(`t${i}`));
    for (const t of toks) cache.set(t, verified(t), 60);
    for (const t of toks) expect(cache.get(t, NOW)).toBeDefined();
    const extra = tokenFor('extra');
    cache.set(extra, verified(extra), 60);
    expect(cache.size).toBe(20);
    expect(toks.filter((t) => cache.get(t, NOW) === undefined)).toEqual([toks[8]]);
    expect(cache.get(extra, NOW)).toBeDefined();
  });
});

describe('bounded by bytes (a client mints as many large tokens as it likes with its own secret)', () => {
  it('keeps only the claims the gateway reads: 150 extra claims are dropped, scope and cnf kept', () => {
    const cache = new VerifiedTokenCache();
    const t = tokenFor('big', NOW + 100, { ...manyClaims(150), scope: 'read write', cnf: { 'x5t#S256': 'thumb' }, nbf: NOW - 5 });
    expect(t.length).toBeLessThanOrEqual(MAX_CACHED_TOKEN_LENGTH);
    const full = verified(t);
    expect(Object.keys(full.claims).length).toBeGreaterThan(150);
    const kept = cache.set(t, full, 60)!;
    expect(Object.keys(kept.claims).sort()).toEqual([...CACHED_CLAIMS].sort());
    expect(kept.claims).toEqual({
      iss: 'Higress-Gateway',
      sub: 'alice',
      aud: 'default',
      client_id: 'alice-id',
      iat: NOW,
      exp: NOW + 100,
      nbf: NOW - 5,
      jti: 'big',
      scope: 'read write',
      cnf: { 'x5t#S256': 'thumb' },
    });
    expect(cache.get(t, NOW)).toBe(kept);
    expect(Object.isFrozen(kept.claims)).toBe(true);
  });

  it(`does not cache a token over ${MAX_CACHED_TOKEN_LENGTH} characters, but it still verifies`, () => {
    const cache = new VerifiedTokenCache();
    const at = tokenOfLength('at', MAX_CACHED_TOKEN_LENGTH);
    const over = tokenOfLength('over', MAX_CACHED_TOKEN_LENGTH + 1);
    expect([at.length, over.length]).toEqual([MAX_CACHED_TOKEN_LENGTH, MAX_CACHED_TOKEN_LENGTH + 1]);
    expect(verifyWithCache(at, keyring, opts, cache).ok).toBe(true);
    expect(cache.size).toBe(1);
    expect(verifyWithCache(over, keyring, opts, cache)).toMatchObject({ ok: true, consumer: alice });
    expect(cache.set(over, verified(over), 60)).toBeUndefined();
    expect(cache.size).toBe(1);
    expect(cache.get(over, NOW)).toBeUndefined();
  });

  it('charges the key and the kept claims; the total never exceeds maxBytes, oldest out first', () => {
    const cache = new VerifiedTokenCache(10_000, 64 * 1024);
    const toks = Array.from({ length: 200 }, (_, i) => tokenOfLength(`k${i}`, 4000));
    for (const t of toks) {
      cache.set(t, verified(t), 60);
      expect(cache.bytes).toBeLessThanOrEqual(64 * 1024);
      // Each entry is charged at least its key: a 4,000-character token costs >= 4 KB.
      expect(cache.bytes).toBeGreaterThanOrEqual(cache.size * 4000);
    }
    expect(cache.size).toBeLessThan(16);
    expect(cache.size).toBeGreaterThan(10);
    expect(cache.get(toks[199], NOW)).toBeDefined();
    expect(cache.get(toks[0], NOW)).toBeUndefined();
  });

  it('many small tokens of ours fill the entry bound before the byte bound', () => {
    const cache = new VerifiedTokenCache();
    for (let i = 0; i < DEFAULT_CACHE_MAX + 50; i++) {
      const t = tokenFor(`s${i}`);
      cache.set(t, verified(t), 60);
    }
    expect(cache.size).toBe(DEFAULT_CACHE_MAX);
    expect(cache.bytes).toBeLessThan(DEFAULT_CACHE_MAX_BYTES);
    // ~800 bytes charged per standard token (key ~300, claims ~250, overhead 256).
    expect(cache.bytes / cache.size).toBeGreaterThan(600);
    expect(cache.bytes / cache.size).toBeLessThan(1000);
  });

  it('a cnf of a thousand tiny nested arrays is charged what it costs: over the per-entry cap, not cached', () => {
    const cache = new VerifiedTokenCache();
    const t = tokenFor('nest', NOW + 100, { cnf: Array.from({ length: 900 }, () => []) });
    expect(t.length).toBeLessThanOrEqual(MAX_CACHED_TOKEN_LENGTH);
    expect(cache.set(t, verified(t), 60)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('a replaced entry, an expired one and clear() give their bytes back', () => {
    const cache = new VerifiedTokenCache();
    const t = tokenFor('r', NOW + 10);
    cache.set(t, verified(t), 0);
    const one = cache.bytes;
    cache.set(t, verified(t), 0);
    expect(cache.bytes).toBe(one);
    expect(cache.get(t, NOW + 10)).toBeUndefined();
    expect(cache.bytes).toBe(0);
    cache.set(t, verified(t), 0);
    cache.clear();
    expect([cache.size, cache.bytes]).toEqual([0, 0]);
  });
});

describe('verifyWithCache', () => {
  it('stores successes only', () => {
    const cache = new VerifiedTokenCache();
    const t = tokenFor('a');
    expect(verifyWithCache(mutate.flipSignatureChar(t), keyring, opts, cache)).toEqual({ ok: false, code: 'bad_signature' });
    expect(cache.size).toBe(0);
    const first = verifyWithCache(t, keyring, opts, cache);
    expect(first.ok).toBe(true);
    // The miss answers what a hit will: the kept claims.
    expect(verifyWithCache(t, keyring, opts, cache)).toBe(first);
    expect(cache.size).toBe(1);
  });

  it('keys by the whole token: a cached token does not vouch for a forged signature', () => {
    const cache = new VerifiedTokenCache();
    const t = tokenFor('a');
    verifyWithCache(t, keyring, opts, cache);
    expect(verifyWithCache(mutate.flipSignatureChar(t), keyring, opts, cache)).toEqual({ ok: false, code: 'bad_signature' });
  });

  describe('refusals', () => {
    it('after clear() (snapshot swap), a rotated secret refuses a cached token', () => {
      const cache = new VerifiedTokenCache();
      const t = tokenFor('a');
      expect(verifyWithCache(t, keyring, opts, cache).ok).toBe(true);
      const rotated = new Map([[alice.client_id, { ...alice, key: Buffer.from('new-secret-new-secret-new-secret-new') }]]);
      cache.clear();
      expect(verifyWithCache(t, rotated, opts, cache)).toEqual({ ok: false, code: 'bad_signature' });
    });

    it('a cached token expires by the injected clock', () => {
      const cache = new VerifiedTokenCache();
      const t = tokenFor('a', NOW + 10);
      expect(verifyWithCache(t, keyring, opts, cache).ok).toBe(true);
      expect(verifyWithCache(t, keyring, { ...opts, nowSeconds: NOW + 70 }, cache)).toEqual({ ok: false, code: 'expired' });
    });
  });
});
