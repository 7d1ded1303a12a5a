import type { RevocationRecords } from './model';

/** The revocation lookups of a Snapshot (docs/revocation.md). */
export interface RevocationTable {
  /** jti -> the unix time (seconds) the revocation lasts until, before clock skew. */
  readonly revokedJtis: ReadonlyMap<string, number>;
  /** client_id -> unix seconds: that client's tokens with an older (or no) `iat` are refused. */
  readonly revokedBefore: ReadonlyMap<string, number>;
}

const EMPTY: RevocationTable = Object.freeze({ revokedJtis: new Map<string, number>(), revokedBefore: new Map<string, number>() });

/** Builds the lookup maps; the later of two entries for one key wins (the store keeps keys unique). */
export function compileRevocations(src: RevocationRecords | undefined): RevocationTable {
  if (src === undefined || (src.jtis.length === 0 && src.clients.length === 0)) return EMPTY;
  const revokedJtis = new Map<string, number>();
  for (const r of src.jtis) revokedJtis.set(r.jti, Math.max(r.exp, revokedJtis.get(r.jti) ?? r.exp));
  const revokedBefore = new Map<string, number>();
  for (const r of src.clients) revokedBefore.set(r.client_id, Math.max(r.revoked_before, revokedBefore.get(r.client_id) ?? r.revoked_before));
  return { revokedJtis, revokedBefore };
}

/** The claims revocation looks at; verified claims (already type-checked) fit. */
export interface RevocableClaims {
  jti?: unknown;
  client_id?: unknown;
  iat?: unknown;
}

/**
 * Is a verified token revoked? By `jti` while `now <= exp + clock_skew_seconds` (an expired
 * revocation is ignored: the token it named no longer verifies anyway), or by its client when its
 * `iat` is older than the client's `revoked_before` or missing (an unknown issue time cannot be
 * shown to be after the cut-off). Pure and allocation-free; O(1) with no revocations at all.
 */
export function checkRevoked(
  snapshot: RevocationTable & { readonly settings: { readonly clock_skew_seconds: number } },
  claims: RevocableClaims,
  nowSeconds: number,
): boolean {
  const { revokedJtis, revokedBefore } = snapshot;
  if (revokedJtis.size !== 0 && typeof claims.jti === 'string') {
    const exp = revokedJtis.get(claims.jti);
    if (exp !== undefined && nowSeconds <= exp + snapshot.settings.clock_skew_seconds) return true;
  }
  if (revokedBefore.size !== 0 && typeof claims.client_id === 'string') {
    const before = revokedBefore.get(claims.client_id);
    if (before !== undefined && !(typeof claims.iat === 'number' && claims.iat >= before)) return true;
  }
  return false;
}
