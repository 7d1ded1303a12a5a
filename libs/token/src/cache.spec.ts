import { AT_HEADER, craftHs256, mutate, standardClaims } from '@oauth2/testing';
import { verifyAccessToken, verifyWithCache, VerifiedTokenCache, DEFAULT_CACHE_MAX, type TokenConsumer, type VerifiedToken, type VerifyOptions } from './index';

const SECRET = 'alice-secret-alice-secret-alice-secret';
const alice: TokenConsumer = { name: 'alice', client_id: 'alice-id', key: Buffer.from(SECRET) };
const keyring = new Map([[alice.client_id, alice]]);
const NOW = 1_700_000_000;
const opts: VerifyOptions = { issuer: 'Higress-Gateway', clockSkewSeconds: 60, nowSeconds: NOW };
const tokenFor = (jti: string, exp = NOW + 100): string =>
  craftHs256(AT_HEADER, { ...standardClaims({ name: 'alice', clientId: 'alice-id', now: NOW }), jti, exp }, SECRET);
const verified = (t: string): VerifiedToken => {
  const r = verifyAccessToken(t, keyring, opts);
  if (!r.ok) throw new Error(`fixture token refused: ${r.code}`);
  return r;
};

describe('VerifiedTokenCache', () => {
  it('defaults to 10,000 entries', () => {
    expect(new VerifiedTokenCache().max).toBe(DEFAULT_CACHE_MAX);
    expect(DEFAULT_CACHE_MAX).toBe(10_000);
  });

  it('serves an entry until exp + skew, excluded (the verifier boundary)', () => {
    const cache = new VerifiedTokenCache();
    const t = tokenFor('a');
    const r = verified(t);
    expect(cache.get(t, NOW)).toBeUndefined();
    cache.set(t, r, 60);
    expect(cache.get(t, NOW)).toBe(r);
    expect(cache.get(t, NOW + 100 + 59)).toBe(r);
    expect(cache.get(t, NOW + 100 + 60)).toBeUndefined();
    expect(cache.size).toBe(0);
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
