import type { RevocationRecords } from './model';

/** The revocation lookups of a Snapshot (docs/revocation.md). */
export interface RevocationTable {
  /** jti -> the unix time (seconds) the revocation lasts until, before clock skew: refused for every client. */
  readonly revokedJtis: ReadonlyMap<string, number>;
  /** client_id -> jti -> unix seconds: refused only for that client's tokens. */
  readonly revokedClientJtis: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /** client_id -> unix seconds: that client's tokens with an older (or no) `iat` are refused. */
  readonly revokedBefore: ReadonlyMap<string, number>;
}

const EMPTY: RevocationTable = Object.freeze({
  revokedJtis: new Map<string, number>(),
  revokedClientJtis: new Map<string, ReadonlyMap<string, number>>(),
  revokedBefore: new Map<string, number>(),
});

/** Builds the lookup maps; the later of two entries for one key wins (the store keeps keys unique). */
export function compileRevocations(src: RevocationRecords | undefined): RevocationTable {
  if (src === undefined || (src.jtis.length === 0 && src.clients.length === 0)) return EMPTY;
  const revokedJtis = new Map<string, number>();
  const revokedClientJtis = new Map<string, Map<string, number>>();
  for (const r of src.jtis) {
    let m = revokedJtis;
    if (typeof r.client_id === 'string') {
      let inner = revokedClientJtis.get(r.client_id);
      if (inner === undefined) revokedClientJtis.set(r.client_id, (inner = new Map<string, number>()));
      m = inner;
    }
    m.set(r.jti, Math.max(r.exp, m.get(r.jti) ?? r.exp));
  }
  const revokedBefore = new Map<string, number>();
  for (const r of src.clients) revokedBefore.set(r.client_id, Math.max(r.revoked_before, revokedBefore.get(r.client_id) ?? r.revoked_before));
  return { revokedJtis, revokedClientJtis, revokedBefore };
}

/** The claims revocation looks at; verified claims (already type-checked) fit. */
export interface RevocableClaims {
  jti?: unknown;
  client_id?: unknown;
  iat?: unknown;
}

/**
 * Is a verified token revoked? By `jti` while `now <= exp + clock_skew_seconds` (an expired
 * revocation is ignored: the token it named no longer verifies anyway) — a global jti revocation
 * for any client, a client's jti revocation only for a token of that `client_id` — or by its
 * client when its `iat` is older than the client's `revoked_before` or missing (an unknown issue
 * time cannot be shown to be after the cut-off). Pure and allocation-free (two Map lookups, no
 * key is built); O(1) with no revocations at all.
 */
export function checkRevoked(snapshot: RevocationTable & { readonly settings: { readonly clock_skew_seconds: number } }, claims: RevocableClaims, nowSeconds: number): boolean {
  const { revokedJtis, revokedClientJtis, revokedBefore } = snapshot;
  const jti = claims.jti;
  const clientId = claims.client_id;
  if (typeof jti === 'string') {
    if (revokedJtis.size !== 0) {
      const exp = revokedJtis.get(jti);
      if (exp !== undefined && nowSeconds <= exp + snapshot.settings.clock_skew_seconds) return true;
    }
    if (revokedClientJtis.size !== 0 && typeof clientId === 'string') {
      const exp = revokedClientJtis.get(clientId)?.get(jti);
      if (exp !== undefined && nowSeconds <= exp + snapshot.settings.clock_skew_seconds) return true;
    }
  }
  if (revokedBefore.size !== 0 && typeof clientId === 'string') {
    const before = revokedBefore.get(clientId);
    if (before !== undefined && !(typeof claims.iat === 'number' && claims.iat >= before)) return true;
  }
  return false;
}
