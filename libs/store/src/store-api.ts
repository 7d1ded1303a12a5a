import type { ApplyChanges } from './apply-changes';
/**
 * The contract of the store lib, written first so the admin API, the gateway and the store could be
 * built in parallel. Implementations live beside this file; apps import only from '@oauth2/store'.
 */
import type { AsymmetricAlg, AuthMethod, RouteRecord, Settings, SnapshotDelta, SnapshotSource } from '@oauth2/core';

export interface StoreOptions {
  /** Data directory (created if missing): holds master.key, admin.token and, by default, oauth2.db. */
  dataDir: string;
  /** SQLite file path (default `<dataDir>/oauth2.db`), or a `postgres://` / `postgresql://` URL (docs/deploying.md). */
  database?: string;
  /** OAUTH2_MASTER_KEY, if set (base64 or hex of 32 bytes); else `<dataDir>/master.key` (created 0600). */
  masterKey?: string;
  /** Read-only users (the gateway) skip nothing: migrations are safe under concurrent start. */
}

/** Typed store failures; the admin API maps kind -> 400/404/409 in one place. */
export type StoreErrorKind = 'validation' | 'not_found' | 'conflict';

export interface ConsumerView {
  name: string;
  client_id: string;
  created_at: string;
  // SPEC §8.1
  /** null = unrestricted (a requested scope is copied unchecked and never counts, SPEC §8.3). */
  scopes: string[] | null;
  groups: string[];
  /** ISO time the previous secret of a rotation with grace stops working; null when none or passed. */
  previous_secret_expires_at: string | null;
  // SPEC §13 (RFC 8705 §2)
  auth_method: AuthMethod;
  /** tls_client_auth: the subject DN or san:<kind>:<value> the certificate must carry; else null. */
  tls_subject: string | null;
  /** self_signed_tls_client_auth: the certificate's x5t#S256; else null. */
  tls_thumbprint: string | null;
}

/** `createConsumer`'s input. */
export interface ConsumerInput {
  name: string;
  client_id?: string;
  client_secret?: string;
  scopes?: string[] | null;
  groups?: string[];
  /** Absent = client_secret. */
  auth_method?: AuthMethod;
  tls_subject?: string | null;
  tls_thumbprint?: string | null;
}

/**
 * PATCH /v1/consumers/{name}: each given field replaces the stored one (`scopes: null` = unrestricted again).
 * A changed `auth_method` drops the old method's field unless it is given again.
 */
export interface ConsumerPatch {
  scopes?: string[] | null;
  groups?: string[];
  auth_method?: AuthMethod;
  tls_subject?: string | null;
  tls_thumbprint?: string | null;
}
/** Only returned by create, rotate and export. */
export interface ConsumerWithSecret extends ConsumerView {
  client_secret: string;
}

export interface RouteView extends RouteRecord {
  created_at: string;
}

export interface RuleView {
  id: number;
  position: number;
  routes?: string[];
  domains?: string[];
  allow: string[];
  allow_groups: string[];
  /** Required scopes (SPEC §8.3). */
  scopes: string[];
}

/** At least one of allow, allow_groups, scopes non-empty (SPEC §8.3). */
export interface RuleInput {
  routes?: string[];
  domains?: string[];
  allow?: string[];
  allow_groups?: string[];
  scopes?: string[];
  position?: number;
}

export interface DeleteResult {
  deleted: string;
  rules_updated: number[];
  rules_deleted: number[];
  /** Rules whose allow-list the delete left empty: kept, they allow nobody (a delete never widens access). */
  rules_emptied: number[];
}

export interface Page<T> {
  items: T[];
  total: number;
}

export interface ApplyResult {
  revision: number;
  warnings: string[];
  applied: { consumers: number; rules: number };
  /** What the apply changes (or, dry run, would change): names and fields, never a secret value. */
  changes: ApplyChanges;
}

/** A token revocation (docs/revocation.md): by `jti` (with `exp`) or by `client_id` (with `revoked_before`). */
export interface RevocationView {
  id: number;
  jti?: string;
  /** Unix seconds: the revoked token's `exp`; the revocation is dropped once it (plus clock skew) has passed (253402300799: kept until deleted). */
  exp?: number;
  client_id?: string;
  /** Unix seconds: tokens of the client with an older (or no) `iat` are refused. */
  revoked_before?: number;
  created_at: string;
}

/** Exactly one of `jti` or `client_id`; `exp` only with `jti` (default: now + token_ttl). */
/** jti (every client's token with it), jti + client_id (that client's only), or client_id alone (a cut-off). */
export interface RevocationInput {
  jti?: string;
  exp?: number;
  client_id?: string;
}

/** A gateway signing key (docs/signing-keys.md); never its private half. */
export interface KeyView {
  kid: string;
  alg: AsymmetricAlg;
  /** active: signs new tokens; inactive: stopped signing, still published and verified; retired: gone. */
  status: 'active' | 'inactive' | 'retired';
  /** The public key as published in the JWKS (with kid, alg, use). */
  public_jwk: Record<string, unknown>;
  created_at: string;
  /** When it stopped being the active key. */
  rotated_at: string | null;
  retired_at: string | null;
  /** For an inactive key: from when it can be retired (rotated_at + token_ttl + clock_skew_seconds). */
  retirable_at: string | null;
}

/** Requests a node counted since it started, by route then outcome (what its /metrics counts). */
export type NodeCounters = Record<string, Record<string, number>>;

/** What a gateway process writes every GATEWAY_HEARTBEAT_S (SPEC §11; the store stamps last_seen). */
export interface NodeHeartbeat {
  /** GATEWAY_NODE_NAME, default `<hostname>:<port>`: one row per name. */
  name: string;
  version: string;
  /** The lowest revision any of its workers enforces; null before the first load. */
  revision: number | null;
  workers: number;
  /** Its heartbeat period: `stale` after 3 of them without a heartbeat. */
  heartbeat_ms: number;
  started_at: string;
  counters: NodeCounters;
}

/** GET /v1/nodes: a node's last heartbeat, judged now. */
export interface NodeView {
  name: string;
  version: string;
  revision: number | null;
  /** Store revision minus the node's (null before its first load). */
  lag: number | null;
  /** stale: no heartbeat for 3 of its periods. */
  status: 'live' | 'stale';
  workers: number;
  heartbeat_s: number;
  started_at: string;
  last_seen: string;
  counters: NodeCounters;
}

/** Admin roles (docs/admin-api.md, "Admin access"): each includes the one before. */
export const ADMIN_ROLES = ['viewer', 'operator', 'admin'] as const;
export type AdminRole = (typeof ADMIN_ROLES)[number];

/** Who makes a write through the admin API: recorded in its audit row. */
export interface AuditActor {
  /** The admin token's name (`root` for the bootstrap token). */
  name: string;
  role: AdminRole;
  source_ip?: string;
  request_id?: string;
}

/**
 * What a write made inside `withAudit(intent, ...)` records: `describe` runs inside the write's
 * transaction on the write's result and names the target and the changed fields / counts (never a
 * value of a secret, token or key).
 */
export interface AuditIntent {
  actor: AuditActor;
  action: string;
  describe(result: unknown): { target: string | null; summary: Record<string, unknown> };
}

export interface AuditView {
  id: number;
  at: string;
  actor: string;
  role: string;
  action: string;
  target: string | null;
  /** The revision the write produced (admin token writes do not bump it: the revision they ran at). */
  revision: number;
  source_ip: string | null;
  request_id: string | null;
  summary: Record<string, unknown>;
}

export interface AuditQuery {
  limit: number;
  offset: number;
  actor?: string;
  target?: string;
  /** Exact, or a prefix ending in `*` (`key.*`). */
  action?: string;
  /** Only rows whose revision is greater than this. */
  since_revision?: number;
}

export interface AdminTokenView {
  name: string;
  role: AdminRole;
  created_at: string | null;
  expires_at: string | null;
  last_used_at: string | null;
}
/** Only returned by create: the token itself, shown once. */
export interface AdminTokenWithSecret extends AdminTokenView {
  token: string;
}

/** What watchRevisions reports about its connection (for logs). */
export interface RevisionWatchStatus {
  /** true once subscribed (again); false when the connection was lost and a retry is scheduled. */
  listening: boolean;
  error?: string;
  /** When listening is false: the delay before the next attempt. */
  retry_ms?: number;
}

export interface ConfigStore {
  revision(): Promise<number>;
  /**
   * Present when the store can push change signals (PostgreSQL: LISTEN on the channel every write
   * NOTIFYs on commit). `onChange` is a hint to check `revision()` now: it may fire spuriously and
   * signals can be lost, so callers keep polling as the fallback. Returns the function that stops it.
   */
  watchRevisions?(onChange: () => void, onStatus?: (s: RevisionWatchStatus) => void): () => void;
  /**
   * One read transaction; rules in evaluation order. Secrets decrypted, a damaged one failing the
   * load; or, with `sealed` (the gateway), left sealed in SealedConsumer records that open on
   * first use (libs/core/src/sealed-consumer.ts: a damaged row fails closed for its consumer only).
   */
  loadSnapshotSource(opts?: { sealed?: boolean }): Promise<SnapshotSource>;
  /** The rows changed after revision `since`, in one read transaction; null when only a full load can tell (history gap, too many changes). Consumers as with `sealed`, and likewise with it: opened (failing on a damaged row) without. */
  loadSnapshotDelta(since: number, opts?: { sealed?: boolean }): Promise<SnapshotDelta | null>;

  getSettings(): Promise<Settings>;
  patchSettings(patch: Partial<Settings>): Promise<Settings>;

  createConsumer(input: ConsumerInput): Promise<ConsumerWithSecret>;
  /** `search`: only consumers whose name or client_id contains it, in any case; `group`: only its members (an unknown group: none). */
  listConsumers(limit: number, offset: number, search?: string, group?: string): Promise<Page<ConsumerView>>;
  getConsumer(name: string): Promise<ConsumerView>;
  /** Replaces the given fields (scopes, groups); never touches the secret. */
  updateConsumer(name: string, patch: ConsumerPatch): Promise<ConsumerView>;
  deleteConsumer(name: string, force: boolean): Promise<DeleteResult>;
  /** `grace_seconds` (0-2,592,000, default 0): how long the previous secret keeps working (SPEC §8.4). */
  rotateSecret(name: string, client_secret?: string, grace_seconds?: number): Promise<ConsumerWithSecret>;

  createRoute(input: Omit<RouteRecord, 'hosts' | 'path_prefix' | 'strip_prefix'> & Partial<RouteRecord>): Promise<RouteView>;
  listRoutes(limit: number, offset: number): Promise<Page<RouteView>>;
  getRoute(name: string): Promise<RouteView>;
  replaceRoute(name: string, input: Omit<RouteRecord, 'name' | 'hosts' | 'path_prefix' | 'strip_prefix'> & Partial<RouteRecord>): Promise<RouteView>;
  deleteRoute(name: string, force: boolean): Promise<DeleteResult>;

  createRule(input: RuleInput): Promise<RuleView>;
  listRules(limit: number, offset: number): Promise<Page<RuleView>>;
  getRule(id: number): Promise<RuleView>;
  replaceRule(id: number, input: RuleInput): Promise<RuleView>;
  deleteRule(id: number): Promise<DeleteResult>;

  /** `/v1/apply` (docs/admin-api.md): `text` is YAML or JSON in either Higress shape. */
  apply(text: string, opts: { dryRun: boolean }): Promise<ApplyResult>;
  /** `/v1/export` (docs/admin-api.md): a Higress WasmPlugin document (as an object; the API renders YAML or JSON). */
  exportConfig(opts: { redact: boolean }): Promise<Record<string, unknown>>;

  /** Revokes one token (by jti) or every token a client holds now (by client_id); purges expired jti revocations. */
  revoke(input: RevocationInput): Promise<RevocationView>;
  /** The gateway's RFC 7009 endpoint: revokes `clientId`'s token `jti` until `exp` (capped at now + token_ttl + 2 x skew). */
  revokeJti(jti: string, exp: number, clientId: string): Promise<RevocationView>;
  /** Active revocations (expired jti ones are left out), by id. */
  listRevocations(limit: number, offset: number): Promise<Page<RevocationView>>;
  deleteRevocation(id: number): Promise<DeleteResult>;

  /** Signing keys (docs/signing-keys.md), newest first, retired ones included. */
  listKeys(): Promise<KeyView[]>;
  /** A new active key of `alg` (default: signing_alg; another alg switches signing_alg to it); the previous one stays for verification. */
  rotateKey(alg?: string): Promise<KeyView>;
  /** 409 for the active key and until token_ttl + clock_skew_seconds after it stopped signing. */
  retireKey(kid: string): Promise<KeyView>;

  /** A gateway's heartbeat (SPEC §11): upserts its row; never bumps the revision. */
  heartbeat(node: NodeHeartbeat): Promise<void>;
  /** Nodes heard from within the 24 h expiry, by name, with status and lag. */
  listNodes(): Promise<Page<NodeView>>;

  /** Named admin tokens: neither bumps the revision (gateways do not reload on them); each is audited. */
  createAdminToken(input: { name: string; role: string; expires_in?: number }): Promise<AdminTokenWithSecret>;
  /** By name; never the token or its hash. */
  listAdminTokens(): Promise<AdminTokenView[]>;
  deleteAdminToken(name: string): Promise<{ deleted: string }>;
  /** The token whose SHA-256 (hex) is `tokenHash`, expired or not; null if none. One indexed read. */
  findAdminToken(tokenHash: string): Promise<(AdminTokenView & { token_hash: string }) | null>;
  /** Records a use (the caller writes it at most once a minute per token). */
  touchAdminToken(name: string, at: string): Promise<void>;

  /** The audit log, newest first. */
  listAudit(q: AuditQuery): Promise<Page<AuditView>>;
  /** Deletes audit rows older than `before` (ISO time); returns how many. */
  pruneAudit(before: string): Promise<number>;

  close(): Promise<void>;
}
