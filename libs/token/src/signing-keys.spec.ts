import { generateKeyPairSync } from 'node:crypto';
import { calculateJwkThumbprint, decodeProtectedHeader, importJWK, jwtVerify, type JWK } from 'jose';
import { ASYMMETRIC_ALGS } from '@oauth2/core';
import { AT_HEADER, b64url, craftHs256, craftWithKey, flipEcdsaS, isHighS, standardClaims } from '@oauth2/testing';
import {
  generateSigningKey,
  issueAccessToken,
  issueAccessTokenWithKey,
  publishedJwk,
  verifyAccessToken,
  verifyWithCache,
  VerifiedTokenCache,
  type GeneratedKey,
  type KeyAlg,
  type SigningKey,
  type TokenConsumer,
  type VerifyOptions,
} from './index';

const SECRET = 'alice-secret-alice-secret-alice-secret';
const alice: TokenConsumer = { name: 'alice', client_id: 'alice-id', key: Buffer.from(SECRET) };
const keyring = new Map([[alice.client_id, alice]]);
const NOW = 1_700_000_000;
const ISS = 'Higress-Gateway';
const issue = { issuer: ISS, audience: 'default', ttlSeconds: 7200, nowSeconds: NOW };
const claims = (over: Record<string, unknown> = {}) => ({ ...standardClaims({ name: 'alice', clientId: 'alice-id', now: NOW, issuer: ISS }), ...over });

/** Independent JWS crafting with node:crypto (libs/testing, not our signer); ES256 written low-s. */
const craft = (header: object, payload: object, privatePem: string, alg: KeyAlg): string => craftWithKey(header, payload, privatePem, alg);

const ALGS = ASYMMETRIC_ALGS;
const keys = new Map<KeyAlg, GeneratedKey>();
const second = new Map<KeyAlg, GeneratedKey>();

beforeAll(async () => {
  for (const alg of ALGS) {
    keys.set(alg, await generateSigningKey(alg));
    second.set(alg, await generateSigningKey(alg));
  }
});

/** The verifier's view: public halves only (as every non-active key in a snapshot). */
const publicOnly = (k: GeneratedKey): SigningKey => ({ kid: k.kid, alg: k.alg, public_jwk: k.public_jwk });

describe.each(ALGS)('%s', (alg) => {
  const key = () => keys.get(alg)!;
  const ring = () =>
    new Map<string, SigningKey>([
      [key().kid, publicOnly(key())],
      [second.get(alg)!.kid, publicOnly(second.get(alg)!)],
    ]);
  const opts = (): VerifyOptions => ({ issuer: ISS, clockSkewSeconds: 60, nowSeconds: NOW, signingKeys: ring() });
  const hdr = (over: Record<string, unknown> = {}) => ({ alg, typ: 'application/at+jwt', kid: key().kid, ...over });

  it('the kid is the RFC 7638 thumbprint; the public JWK has no private members', async () => {
    expect(key().kid).toBe(await calculateJwkThumbprint(key().public_jwk as unknown as JWK, 'sha256'));
    expect(key().public_jwk).not.toHaveProperty('d');
    expect(key().private_pem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(publishedJwk(key())).toEqual({ ...key().public_jwk, kid: key().kid, alg, use: 'sig' });
  });

  it('round trip: our signer, our verifier, and jose with only the public JWK', async () => {
    const t = issueAccessTokenWithKey(alice, key(), { ...issue, jti: 'J', scope: 'read' });
    expect(decodeProtectedHeader(t)).toEqual({ alg, typ: 'application/at+jwt', kid: key().kid });
    const r = verifyAccessToken(t, keyring, opts());
    expect(r).toMatchObject({ ok: true, consumer: alice, claims: { sub: 'alice', client_id: 'alice-id', aud: 'default', jti: 'J', scope: 'read', exp: NOW + 7200 } });
    const pub = await importJWK(publishedJwk(key()) as unknown as JWK, alg);
    const v = await jwtVerify(t, pub, { issuer: ISS, currentDate: new Date(NOW * 1000), typ: 'application/at+jwt' });
    expect(v.payload.sub).toBe('alice');
  });

  it('verifies a token crafted independently with node:crypto', () => {
    expect(verifyAccessToken(craft(hdr(), claims(), key().private_pem, alg), keyring, opts())).toMatchObject({ ok: true, consumer: alice });
  });

  it('a token signed by a kept (no longer active, public-only) key still verifies', () => {
    const old = second.get(alg)!;
    const t = craft(hdr({ kid: old.kid }), claims(), old.private_pem, alg);
    expect(verifyAccessToken(t, keyring, opts()).ok).toBe(true);
  });

  it('the same claims give the same claim bytes as the HS256 token', () => {
    const a = issueAccessTokenWithKey(alice, key(), { ...issue, jti: 'J' }).split('.')[1];
    const b = issueAccessToken(alice, { ...issue, jti: 'J' }).split('.')[1];
    expect(a).toBe(b);
  });

  describe('refusals', () => {
    const valid = () => craft(hdr(), claims(), key().private_pem, alg);
    it.each<[string, () => string, string, Partial<VerifyOptions>?]>([
      ['HS256 header naming this kid, HMAC with the client secret (alg pinned)', () => craftHs256(hdr({ alg: 'HS256' }), claims(), SECRET), 'bad_alg'],
      ['alg none naming this kid (with some signature bytes)', () => `${b64url(JSON.stringify(hdr({ alg: 'none' })))}.${b64url(JSON.stringify(claims()))}.c2lnbmF0dXJl`, 'bad_alg'],
      ['another asymmetric alg naming this kid', () => craft(hdr({ alg: alg === 'RS256' ? 'ES256' : 'RS256' }), claims(), key().private_pem, alg), 'bad_alg'],
      ['an HMAC keyed with the public JWK text (key confusion)', () => craftHs256(hdr({ alg: 'HS256' }), claims(), JSON.stringify(key().public_jwk)), 'bad_alg'],
      ['an unknown kid (falls to the HS256 path)', () => craft(hdr({ kid: 'not-one-of-ours' }), claims(), key().private_pem, alg), 'bad_alg'],
      ['our kid when no signing keys are configured', valid, 'bad_alg', { signingKeys: undefined }],
      ['signed by a key that is not in the ring under this kid', () => craft(hdr(), claims(), generated(alg), alg), 'bad_signature'],
      [
        'a tampered payload',
        () => {
          const [h, , s] = valid().split('.');
          return `${h}.${b64url(JSON.stringify(claims({ sub: 'alice', aud: 'admin' })))}.${s}`;
        },
        'bad_signature',
      ],
      [
        'a signature with one character changed',
        () => {
          const t = valid();
          const i = t.length - 10;
          return t.slice(0, i) + (t[i] === 'A' ? 'B' : 'A') + t.slice(i + 1);
        },
        'bad_signature',
      ],
      ['no signature', () => valid().replace(/\.[^.]*$/, '.'), 'malformed'],
      ['a crit header', () => craft(hdr({ crit: ['exp'] }), claims(), key().private_pem, alg), 'bad_header'],
      ['typ JWT', () => craft(hdr({ typ: 'JWT' }), claims(), key().private_pem, alg), 'bad_typ'],
      ['unknown client_id', () => craft(hdr(), claims({ client_id: 'nobody' }), key().private_pem, alg), 'unknown_client'],
      ['sub is not the client', () => craft(hdr(), claims({ sub: 'bob' }), key().private_pem, alg), 'bad_subject'],
      ['wrong issuer', () => craft(hdr(), claims({ iss: 'Evil' }), key().private_pem, alg), 'bad_issuer'],
      ['expired', () => craft(hdr(), claims({ exp: NOW - 61 }), key().private_pem, alg), 'expired'],
      ['not yet valid', () => craft(hdr(), claims({ nbf: NOW + 61 }), key().private_pem, alg), 'not_yet_valid'],
      ['exp as a string', () => craft(hdr(), claims({ exp: String(NOW + 60) }), key().private_pem, alg), 'bad_claims'],
    ])('%s -> %s', (...[, make, code, over]) => {
      expect(verifyAccessToken(make(), keyring, { ...opts(), ...over })).toEqual({ ok: false, code });
    });

    it('a non-canonical spelling of a valid signature is refused', () => {
      const t = valid();
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const last = alphabet.indexOf(t[t.length - 1]);
      const twisted = t.slice(0, -1) + alphabet[last ^ 1];
      const s1 = Buffer.from(t.split('.')[2], 'base64url');
      if (Buffer.from(twisted.split('.')[2], 'base64url').equals(s1)) expect(verifyAccessToken(twisted, keyring, opts())).toEqual({ ok: false, code: 'bad_signature' });
      expect(verifyAccessToken(t, keyring, opts()).ok).toBe(true);
    });
  });
});

/** A private key of `alg` that belongs to no ring. */
function generated(alg: KeyAlg): string {
  const opt = alg === 'RS256' ? { modulusLength: 2048 } : alg === 'ES256' ? { namedCurve: 'P-256' } : {};
  const type = alg === 'RS256' ? 'rsa' : alg === 'ES256' ? 'ec' : 'ed25519';
  const { privateKey } = generateKeyPairSync(type as 'rsa', opt as { modulusLength: number });
  return privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
}

describe('ES256 malleability: only the low-s signature of a pair verifies', () => {
  const es = () => keys.get('ES256')!;
  const ring = () => new Map<string, SigningKey>([[es().kid, publicOnly(es())]]);
  const o = (): VerifyOptions => ({ issuer: ISS, clockSkewSeconds: 60, nowSeconds: NOW, signingKeys: ring() });
  const hdr = () => ({ alg: 'ES256', typ: 'application/at+jwt', kid: es().kid });
  const withSig = (t: string, sig: string) => t.slice(0, t.lastIndexOf('.') + 1) + sig;

  it('a node:crypto token with s flipped to n - s (high s) is refused; its low-s twin verifies', () => {
    for (let i = 0; i < 8; i++) {
      const low = craftWithKey(hdr(), claims({ jti: `j${i}` }), es().private_pem, 'ES256', { ecdsaS: 'low' });
      const high = withSig(low, flipEcdsaS(low.split('.')[2]));
      expect(isHighS(high.split('.')[2])).toBe(true);
      expect(verifyAccessToken(low, keyring, o())).toMatchObject({ ok: true });
      expect(verifyAccessToken(high, keyring, o())).toEqual({ ok: false, code: 'bad_signature' });
    }
  });

  it('a high-s token exactly as node:crypto signed it is refused too', () => {
    const t = craftWithKey(hdr(), claims(), es().private_pem, 'ES256', { ecdsaS: 'high' });
    expect(verifyAccessToken(t, keyring, o())).toEqual({ ok: false, code: 'bad_signature' });
  });

  it('the cache cannot hold two spellings of one ES256 signature', () => {
    const cache = new VerifiedTokenCache(10);
    const low = craftWithKey(hdr(), claims(), es().private_pem, 'ES256');
    expect(verifyWithCache(low, keyring, o(), cache).ok).toBe(true);
    expect(verifyWithCache(withSig(low, flipEcdsaS(low.split('.')[2])), keyring, o(), cache)).toEqual({ ok: false, code: 'bad_signature' });
    expect(cache.size).toBe(1);
  });

  it('our signer writes low s: 64 tokens (node:crypto gives a high s about half the time), every one verifies', () => {
    for (let i = 0; i < 64; i++) {
      const t = issueAccessTokenWithKey(alice, es(), { ...issue, jti: `k${i}` });
      expect(isHighS(t.split('.')[2])).toBe(false);
      expect(verifyAccessToken(t, keyring, o()).ok).toBe(true);
    }
  });
});

describe('the HS256 path is unchanged by signing keys', () => {
  const ring = () => new Map<string, SigningKey>([[keys.get('RS256')!.kid, publicOnly(keys.get('RS256')!)]]);
  it('an HS256 token without kid verifies with the client secret, keys or not', () => {
    const t = craftHs256(AT_HEADER, claims(), SECRET);
    const base: VerifyOptions = { issuer: ISS, clockSkewSeconds: 60, nowSeconds: NOW };
    expect(verifyAccessToken(t, keyring, base)).toEqual(verifyAccessToken(t, keyring, { ...base, signingKeys: ring() }));
    expect(verifyAccessToken(t, keyring, { ...base, signingKeys: ring() }).ok).toBe(true);
  });
  it('an HS256 token with a kid that is not ours is still the client-secret path (Higress ignores kid)', () => {
    const t = craftHs256({ ...AT_HEADER, kid: 'k1' }, claims(), SECRET);
    expect(verifyAccessToken(t, keyring, { issuer: ISS, clockSkewSeconds: 60, nowSeconds: NOW, signingKeys: ring() }).ok).toBe(true);
  });
  it('the cache stores key-signed successes like HS256 ones', () => {
    const cache = new VerifiedTokenCache(10);
    const t = issueAccessTokenWithKey(alice, keys.get('ES256')!, issue);
    const o: VerifyOptions = { issuer: ISS, clockSkewSeconds: 60, nowSeconds: NOW, signingKeys: new Map([[keys.get('ES256')!.kid, publicOnly(keys.get('ES256')!)]]) };
    expect(verifyWithCache(t, keyring, o, cache).ok).toBe(true);
    expect(cache.size).toBe(1);
  });
});
