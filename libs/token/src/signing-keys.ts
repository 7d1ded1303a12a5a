import { constants, createPrivateKey, createPublicKey, generateKeyPair, sign, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { AsymmetricAlg } from '@oauth2/core';

/**
 * Gateway signing keys (docs/signing-keys.md): tokens a resource server can verify with the published JWKS,
 * without the client's secret. Signing and verifying stay on synchronous node:crypto (as the HS256
 * path); jose is used only for the RFC 7638 thumbprint that names a new key.
 */

/** Algorithms signed with a gateway key pair (core's ASYMMETRIC_ALGS); HS256 (client secret) is the default elsewhere. */
export type KeyAlg = AsymmetricAlg;

/** What signing and verifying need of a key; core's SigningKeyRecord fits it structurally. */
export interface SigningKey {
  readonly kid: string;
  readonly alg: KeyAlg;
  /** The public key as a JWK (kty and key members only). */
  readonly public_jwk: Readonly<Record<string, unknown>>;
  /** PKCS#8 PEM; only the active key carries it. */
  readonly private_pem?: string;
}

/** Lookup by kid; a `ReadonlyMap` fits. */
export interface SigningKeyring {
  get(kid: string): SigningKey | undefined;
}

/** A freshly generated key pair, ready to be stored (the private half encrypted by the store). */
export interface GeneratedKey {
  kid: string;
  alg: KeyAlg;
  public_jwk: Record<string, unknown>;
  private_pem: string;
}

const generate = promisify(generateKeyPair) as (type: string, options: object) => Promise<{ publicKey: KeyObject; privateKey: KeyObject }>;

/**
 * Generates a key pair for `alg` (RSA 2048 / P-256 / Ed25519) off the event loop. The kid is the
 * key's RFC 7638 JWK thumbprint: stable, and says nothing but which key it is.
 */
export async function generateSigningKey(alg: KeyAlg): Promise<GeneratedKey> {
  const pair =
    alg === 'RS256' ? await generate('rsa', { modulusLength: 2048, publicExponent: 0x10001 }) : alg === 'ES256' ? await generate('ec', { namedCurve: 'P-256' }) : await generate('ed25519', {});
  const public_jwk = pair.publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
  const kid = await calculateJwkThumbprint(public_jwk as unknown as JWK, 'sha256');
  return { kid, alg, public_jwk, private_pem: pair.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string };
}

/** The JWKS entry of a key (RFC 7517 §4): its public members plus kid, alg and use. */
export function publishedJwk(key: SigningKey): Record<string, unknown> {
  return { ...key.public_jwk, kid: key.kid, alg: key.alg, use: 'sig' };
}

// KeyObjects are built once per key record (snapshot records are frozen and live as long as the
// snapshot); a WeakMap lets a swapped-out snapshot's keys be collected with it.
const publicKeys = new WeakMap<SigningKey, KeyObject | null>();
const privateKeys = new WeakMap<SigningKey, KeyObject>();

function publicKeyOf(key: SigningKey): KeyObject | null {
  let k = publicKeys.get(key);
  if (k === undefined) {
    try {
      k = createPublicKey({ key: key.public_jwk as JsonWebKey, format: 'jwk' });
    } catch {
      k = null; // a damaged row verifies nothing rather than throwing on the hot path
    }
    publicKeys.set(key, k);
  }
  return k;
}

function privateKeyOf(key: SigningKey): KeyObject {
  let k = privateKeys.get(key);
  if (k === undefined) {
    if (key.private_pem === undefined) throw new Error(`signing key ${key.kid} has no private key (only the active key signs)`);
    k = createPrivateKey(key.private_pem);
    privateKeys.set(key, k);
  }
  return k;
}

/** The order n of P-256 and floor(n / 2), big-endian: an ECDSA `s` above the half is "high". */
const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const P256_HALF_N = Buffer.from((P256_N >> 1n).toString(16).padStart(64, '0'), 'hex');

/**
 * ECDSA signatures are malleable: if (r, s) verifies, so does (r, n - s). We accept only the low-s
 * one (s <= n/2, as Bitcoin's BIP 62 and libsecp256k1 do), so one signature has one spelling;
 * OpenSSL signs with either, so our signer turns a high s into n - s. `sig` is r||s (64 bytes).
 */
function isLowS(sig: Buffer): boolean {
  return sig.compare(P256_HALF_N, 0, 32, 32, 64) <= 0;
}

function toLowS(sig: Buffer): Buffer {
  if (isLowS(sig)) return sig;
  const s = P256_N - BigInt('0x' + sig.toString('hex', 32, 64));
  return Buffer.concat([sig.subarray(0, 32), Buffer.from(s.toString(16).padStart(64, '0'), 'hex')]);
}

/** Signs a JWS signing input with the key's algorithm; base64url signature (ES256: low-s). */
export function signWithKey(key: SigningKey, signingInput: string): string {
  const data = Buffer.from(signingInput, 'utf8');
  const pk = privateKeyOf(key);
  let sig: Buffer;
  if (key.alg === 'RS256') sig = sign('sha256', data, { key: pk, padding: constants.RSA_PKCS1_PADDING });
  else if (key.alg === 'ES256') sig = toLowS(sign('sha256', data, { key: pk, dsaEncoding: 'ieee-p1363' }));
  else sig = sign(null, data, pk);
  return sig.toString('base64url');
}

/**
 * Checks `sigText` (the token's third part, already strict base64url) over `signingInput` with the
 * key, its algorithm pinned by the caller. Only the canonical spelling of a signature is accepted —
 * canonical base64url, and for ES256 the low-s member of the (r, s) / (r, n - s) pair — so one
 * signature has one token string (and one cache key). RS256 and EdDSA have one valid encoding
 * already: OpenSSL refuses an RSA signature value >= n and an Ed25519 s >= L (RFC 8032 §5.1.7).
 * Never throws.
 */
export function verifyWithKey(key: SigningKey, signingInput: string, sigText: string): boolean {
  const pub = publicKeyOf(key);
  if (pub === null) return false;
  const sig = Buffer.from(sigText, 'base64url');
  if (sig.toString('base64url') !== sigText) return false;
  const data = Buffer.from(signingInput, 'utf8');
  try {
    if (key.alg === 'RS256') return verify('sha256', data, { key: pub, padding: constants.RSA_PKCS1_PADDING }, sig);
    // P-256 r||s and Ed25519 signatures are exactly 64 bytes; anything else is not one.
    if (sig.length !== 64) return false;
    if (key.alg === 'ES256') return isLowS(sig) && verify('sha256', data, { key: pub, dsaEncoding: 'ieee-p1363' }, sig);
    return verify(null, data, pub, sig);
  } catch {
    return false;
  }
}
