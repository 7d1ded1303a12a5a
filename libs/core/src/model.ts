import type { Settings } from './settings';
import type { SigningKeyRecord } from './signing-keys';
import type { AuthMethod } from './tls-auth';

/** A consumer as the gateway needs it: plaintext secret (decrypted by the store). */
export interface ConsumerRecord {
  name: string;
  client_id: string;
  client_secret: string;
  /** SPEC §8.1 scopes this consumer may hold; null = unrestricted (Higress: a requested scope is copied unchecked). Absent = null. */
  scopes?: string[] | null;
  /** SPEC §8.1 group names, for rules' allow_groups. Absent = []. */
  groups?: string[];
  /** Rotation with a grace period (SPEC §8.4), absent or null when none; see RotationGrace. */
  previous_secret?: string | null;
  /** Unix seconds: the last rotate-secret with grace_seconds > 0 (null without one). */
  rotated_at?: number | null;
  /** Unix seconds: rotated_at + grace_seconds; the previous secret works strictly before it. */
  previous_expires_at?: number | null;
  /** SPEC §13 (RFC 8705 §2): how it authenticates at the token endpoint; absent = client_secret. */
  auth_method?: AuthMethod;
  /** tls_client_auth only: the subject DN or san:<kind>:<value> its certificate must carry. */
  tls_subject?: string | null;
  /** self_signed_tls_client_auth only: its certificate's x5t#S256. */
  tls_thumbprint?: string | null;
}

export interface RouteRecord {
  name: string;
  /** Exact hosts or `*.suffix` patterns, lower case; empty = any host. */
  hosts: string[];
  path_prefix: string;
  upstream: string;
  strip_prefix: boolean;
}

/**
 * A rule (a policy, SPEC §8.3): exactly one of `routes` / `domains` is non-null. Who passes: `allow`
 * (consumer names) and `allow_groups`; which scopes it requires: `scopes`. All three empty: nobody.
 */
export interface RuleRecord {
  id: number;
  position: number;
  routes: string[] | null;
  domains: string[] | null;
  allow: string[];
  /** Absent = []. */
  allow_groups?: string[];
  /** Required scopes; absent = []. */
  scopes?: string[];
}

/** Everything the data plane needs, as loaded from the store in one read transaction. */
export interface SnapshotSource {
  revision: number;
  settings: Settings;
  consumers: ConsumerRecord[];
  routes: RouteRecord[];
  /** In evaluation order (by position, then id). */
  rules: RuleRecord[];
  /** Non-retired signing keys (docs/signing-keys.md); absent = none. */
  keys?: SigningKeyRecord[];
  /** Token revocations (docs/revocation.md); absent = none. */
  revocations?: RevocationRecords;
}

/**
 * Revoked token ids (kept until their `exp`) and per-client cut-offs (unix seconds). A jti
 * revocation with a `client_id` refuses only that client's token with the jti; without one (an
 * operator's choice, never the RFC 7009 endpoint's) the jti is refused for every client.
 */
export interface RevocationRecords {
  jtis: { jti: string; exp: number; client_id?: string | null }[];
  clients: { client_id: string; revoked_before: number }[];
}
