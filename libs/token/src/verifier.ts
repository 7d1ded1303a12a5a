import type { Snapshot, TokenVerifier } from '@oauth2/core';
import { extractBearerToken } from './bearer';
import type { VerifiedTokenCache } from './cache';
import type { VerifyOptions } from './token-api';
import { verifyAccessToken } from './verify';

/** The one place a snapshot's settings become verify options. */
export function verifyOptionsOf(snap: Snapshot, nowSeconds: number): VerifyOptions {
  const s = snap.settings;
  return { issuer: s.issuer, clockSkewSeconds: s.clock_skew_seconds, nowSeconds, signingKeys: snap.signingKeys, maxLifetimeSeconds: s.token_ttl };
}

/**
 * The token checks of the request decision (core's `TokenVerifier`): strict Bearer parsing, then
 * `verifyAccessToken` with the snapshot's keyring and settings, behind `cache` when one is given
 * (the gateway's; cleared on every snapshot swap). Only successes are cached.
 */
export function createTokenVerifier(cache?: VerifiedTokenCache): TokenVerifier {
  return {
    bearer: extractBearerToken,
    verify(token: string, snap: Snapshot, nowSeconds: number) {
      if (cache !== undefined) {
        const hit = cache.get(token, nowSeconds);
        if (hit !== undefined) return hit;
      }
      const r = verifyAccessToken(token, snap.consumersByClientId, verifyOptionsOf(snap, nowSeconds));
      if (r.ok && cache !== undefined) cache.set(token, r, snap.settings.clock_skew_seconds);
      return r;
    },
  };
}
