import type { Snapshot } from '@oauth2/core';
import { issueAccessToken, issueAccessTokenWithKey, type IssueOptions, type TokenConsumer } from '@oauth2/token';

/**
 * Signs a token the way the snapshot's settings ask (docs/signing-keys.md): HS256 with the client secret (the
 * default, Higress-compatible), or with the active gateway key when `signing_alg` is RS256, ES256
 * or EdDSA. The store creates that key in the same write that sets signing_alg; should a snapshot
 * lack it anyway, the token falls back to HS256, which this gateway still verifies.
 */
export function issueToken(consumer: TokenConsumer, snap: Snapshot, opts: IssueOptions): string {
  const key = snap.settings.signing_alg === 'HS256' ? null : snap.activeSigningKey;
  return key === null ? issueAccessToken(consumer, opts) : issueAccessTokenWithKey(consumer, key, opts);
}
