/**
 * The contract of the token lib. Of other libs the token lib imports types only, all from core
 * (VerifyFailure here, so its failure codes are core's table less `revoked`, checked by the
 * compiler; AsymmetricAlg in signing-keys.ts; Snapshot and TokenVerifier in verifier.ts): no
 * runtime code of any other lib, and no framework. Of packages it uses node:crypto and jose (JWK
 * thumbprints only).
 */
import type { VerifyFailure } from '@oauth2/core';
import type { SigningKeyring } from './signing-keys';

/** What signing and verifying need of a consumer; core's CompiledConsumer fits it structurally. */
export interface TokenConsumer {
  name: string;
  client_id: string;
  /** HMAC-SHA256 key: the UTF-8 bytes of the client_secret. */
  key: Buffer;
  /**
   * After a rotate-secret with a grace period (SPEC §8.4): the previous secret's key (null once it
   * expired at load), accepted for HS256 tokens while `nowSeconds < expires_at`. Absent/null: none.
   */
  previous?: { readonly key: Buffer | null; readonly rotated_at: number; readonly expires_at: number } | null;
}

/** Lookup by client_id; a `ReadonlyMap` fits. */
export interface Keyring {
  get(clientId: string): TokenConsumer | undefined;
}

/** The verifier's refusals: core's table less `revoked`, which the caller checks against the snapshot. */
export type VerifyFailureCode = Exclude<VerifyFailure, 'revoked'>;

export interface AccessTokenClaims {
  iss: string;
  sub: string;
  aud?: string | string[];
  client_id: string;
  iat?: number;
  exp: number;
  nbf?: number;
  jti?: string;
  scope?: string;
  /** RFC 7800 confirmation (RFC 8705 `x5t#S256`); not checked by the verifier. */
  cnf?: unknown;
  /** Other claims: present on a fresh verification, dropped by the cache (CACHED_CLAIMS). */
  [extra: string]: unknown;
}

export interface VerifyOptions {
  issuer: string;
  clockSkewSeconds: number;
  /** Injected clock: seconds since the epoch. */
  nowSeconds: number;
  /**
   * The gateway's non-retired signing keys (docs/signing-keys.md). A token whose header `kid` names one is
   * verified with that key, its alg pinned to the key's; any other token takes the HS256 path.
   */
  signingKeys?: SigningKeyring;
  /**
   * The longest lifetime a token may claim (the gateway passes `token_ttl`): `exp - iat` above it,
   * or without `iat` an `exp` beyond `now + clockSkewSeconds + max`, is bad_lifetime. Unset: no bound.
   */
  maxLifetimeSeconds?: number;
}

/**
 * `previousSecretUntil`: set only when the signature matched the consumer's previous secret (a
 * rotation's grace period): the unix second from which that token is refused (a cache keeps it no longer).
 */
export type VerifyResult = { ok: true; consumer: TokenConsumer; claims: AccessTokenClaims; previousSecretUntil?: number } | { ok: false; code: VerifyFailureCode };

export interface IssueOptions {
  issuer: string;
  /** `default` with global_credentials, else the route name. */
  audience: string;
  ttlSeconds: number;
  nowSeconds: number;
  /** Copied as given when the token request carried one. */
  scope?: string;
  /** Injected for exact tests; default a random UUIDv4. */
  jti?: string;
  /** RFC 8705 §3: binds the token to the client certificate it was issued over (its x5t#S256). */
  cnf?: { 'x5t#S256': string };
}
