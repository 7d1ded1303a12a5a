import { AT_HEADER, craftHs256, standardClaims } from '@oauth2/testing';
import { createTokenVerifier, verifyAccessToken, VerifiedTokenCache, type TokenConsumer, type VerifyOptions } from './index';

// Rotation with a grace period (SPEC §8.4): the previous secret verifies HS256 tokens it signed
// strictly before its expiry, and no older secret ever does. Tokens crafted with node:crypto.
const OLDEST = 'oldest-secret-oldest-secret-oldest-secret';
const OLD = 'old-secret-old-secret-old-secret-old-secret';
const NEW = 'new-secret-new-secret-new-secret-new-secret';
const NOW = 1_700_000_000;
const ROTATED = NOW - 100;
const UNTIL = NOW + 50;
const opts = (now = NOW): VerifyOptions => ({ issuer: 'Higress-Gateway', clockSkewSeconds: 60, nowSeconds: now });
const token = (secret: string, iat = ROTATED - 10): string => craftHs256(AT_HEADER, standardClaims({ name: 'alice', clientId: 'alice-id', now: iat, issuer: 'Higress-Gateway', ttl: 7200 }), secret);

/** alice after rotating `previous` -> `current` with the grace ending at `until` (none: no previous). */
function alice(current: string, previous?: string, until = UNTIL): TokenConsumer {
  const c: TokenConsumer = { name: 'alice', client_id: 'alice-id', key: Buffer.from(current) };
  if (previous !== undefined) c.previous = { key: Buffer.from(previous), rotated_at: ROTATED, expires_at: until };
  return c;
}
const ring = (c: TokenConsumer) => new Map([[c.client_id, c]]);

describe('verify with a rotation grace', () => {
  it.each([
    ['current key', NEW, NEW, OLD, NOW, true, undefined],
    ['previous key within the grace', OLD, NEW, OLD, NOW, true, UNTIL],
    ['previous key one second before the end', OLD, NEW, OLD, UNTIL - 1, true, UNTIL],
    ['previous key at the end of the grace', OLD, NEW, OLD, UNTIL, false, undefined],
    ['previous key after the grace', OLD, NEW, OLD, UNTIL + 3600, false, undefined],
    ['a key rotated out twice ago (rotate twice drops the older)', OLDEST, NEW, OLD, NOW, false, undefined],
    ['the old key with no grace at all', OLD, NEW, undefined, NOW, false, undefined],
  ])('%s', (_name, signer, current, previous, now, ok, until) => {
    const r = verifyAccessToken(token(signer), ring(alice(current, previous)), opts(now));
    expect(r.ok).toBe(ok);
    if (!r.ok) expect(r.code).toBe('bad_signature');
    else expect(r.previousSecretUntil).toBe(until);
  });

  it('a previous key not opened (expired at load: key null) verifies nothing', () => {
    const c = alice(NEW);
    c.previous = { key: null, rotated_at: ROTATED, expires_at: UNTIL };
    expect(verifyAccessToken(token(OLD), ring(c), opts())).toEqual({ ok: false, code: 'bad_signature' });
  });

  it('claims are still checked for a token of the previous key', () => {
    const expired = craftHs256(AT_HEADER, standardClaims({ name: 'alice', clientId: 'alice-id', now: NOW - 9000, issuer: 'Higress-Gateway', ttl: 7200 }), OLD);
    expect(verifyAccessToken(expired, ring(alice(NEW, OLD)), opts())).toEqual({ ok: false, code: 'expired' });
  });

  it('a cached token of the previous key is dropped when the grace ends, not at its exp', () => {
    const cache = new VerifiedTokenCache();
    const verifier = createTokenVerifier(cache);
    const c = alice(NEW, OLD);
    const snap = { consumersByClientId: ring(c), settings: { issuer: 'Higress-Gateway', clock_skew_seconds: 60, token_ttl: 7200 }, signingKeys: undefined } as never;
    const t = token(OLD);
    expect(verifier.verify(t, snap, NOW, undefined).ok).toBe(true);
    expect(cache.size).toBe(1);
    expect(cache.get(t, UNTIL - 1)?.previousSecretUntil).toBe(UNTIL);
    expect(cache.get(t, UNTIL)).toBeUndefined();
    expect(verifier.verify(t, snap, UNTIL, undefined)).toEqual({ ok: false, code: 'bad_signature' });
  });
});
