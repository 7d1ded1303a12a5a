import type { AsymmetricAlg } from './signing-alg';

/**
 * A gateway signing key as the data plane needs it (docs/signing-keys.md). Loaded by the store for every
 * non-retired key; `private_pem` (decrypted) only on the active one, the only key that signs.
 */
export interface SigningKeyRecord {
  kid: string;
  alg: AsymmetricAlg;
  /** The public key as a JWK (kty, n/e or crv/x/y; no kid/alg/use: those are added when published). */
  public_jwk: Record<string, unknown>;
  /** PKCS#8 PEM; present only on the active key. */
  private_pem?: string;
  active: boolean;
}

/** The signing-key lookups of a Snapshot. */
export interface SigningKeyTable {
  /** kid -> key, for every non-retired key: a token naming one of these kids is verified with it. */
  readonly signingKeys: ReadonlyMap<string, SigningKeyRecord>;
  /** The key that signs new tokens when `signing_alg` is not HS256. */
  readonly activeSigningKey: SigningKeyRecord | null;
}

const EMPTY: SigningKeyTable = Object.freeze({ signingKeys: new Map<string, SigningKeyRecord>(), activeSigningKey: null });

/** Builds the kid index; records are frozen so per-record caches (the token lib's KeyObjects) stay valid. */
export function compileSigningKeys(keys: readonly SigningKeyRecord[] | undefined): SigningKeyTable {
  if (keys === undefined || keys.length === 0) return EMPTY;
  const signingKeys = new Map<string, SigningKeyRecord>();
  let activeSigningKey: SigningKeyRecord | null = null;
  for (const k of keys) {
    const rec = Object.freeze({ ...k, public_jwk: Object.freeze({ ...k.public_jwk }) });
    signingKeys.set(k.kid, rec);
    if (k.active && k.private_pem !== undefined) activeSigningKey = rec;
  }
  return { signingKeys, activeSigningKey };
}
