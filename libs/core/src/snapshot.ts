import type { ConsumerRecord, SnapshotSource } from './model';
import type { Settings } from './settings';
import { compileRoutes, type RouteTable } from './route-match';
import { compileRules, type RuleTable } from './rule-match';
import { compileSigningKeys, type SigningKeyTable } from './signing-keys';
import { compileRevocations, type RevocationTable } from './revocation';
import { SealedConsumer } from './sealed-consumer';
import { scopeSetOf } from './effective-scopes';
import { tlsAuthOf, type ConsumerTlsAuth } from './tls-auth';

/** A consumer with its HMAC key bytes precomputed (the key is the client_secret, as in Higress). */
export interface CompiledConsumer {
  name: string;
  client_id: string;
  client_secret: string;
  key: Buffer;
  // SPEC §8: scopes and groups, precompiled for the decision (no per-request splitting).
  /** The consumer's scopes (text: space-delimited, what a token asking for none gets); null = unrestricted: no effective scopes (SPEC §8.3). */
  scopeSet: ScopeSet | null;
  groups: readonly string[];
  /** The rotation with a grace period in force, or its lasting cut-off (null: none, the common case). */
  previous: PreviousSecret | null;
  /** SPEC §13: set when it authenticates with a TLS client certificate (RFC 8705 §2), null for client_secret. */
  tls: ConsumerTlsAuth | null;
}

/** A set of scopes with its space-delimited text (the header and claim spelling), built once. */
export interface ScopeSet {
  readonly text: string;
  readonly set: ReadonlySet<string>;
}

/**
 * The last rotate-secret with grace_seconds > 0 (SPEC §8.4). The previous secret authenticates the
 * client and verifies HS256 tokens it signed while `now < expires_at`; from then on, the client's
 * tokens with an `iat` before `rotated_at` (or none) are refused, whatever signed them: that is what
 * retires tokens a gateway key signed before the rotation (RS/ES/EdDSA). A rule on stored columns,
 * not a timer: it holds across restarts and needs no reload at the expiry (the check compares with now).
 */
export interface PreviousSecret {
  /**
   * Null when no previous secret is kept. A store-loaded consumer (sealed-consumer.ts) opens it on
   * first read, so read `secret`/`key` only while `now < expires_at`: an expired one is never opened.
   * A damaged one reads as an unknowable random value (fails closed for this consumer only).
   */
  readonly secret: string | null;
  readonly key: Buffer | null;
  /** Unix seconds. */
  readonly rotated_at: number;
  /** Unix seconds: rotated_at + grace_seconds. */
  readonly expires_at: number;
}

/** What the rotation rule and the explainer read of a PreviousSecret. */
export type RotationWindow = Pick<PreviousSecret, 'rotated_at' | 'expires_at'>;

/** The consumer's PreviousSecret, or null. */
function compilePrevious(c: ConsumerRecord): PreviousSecret | null {
  if (typeof c.rotated_at !== 'number' || typeof c.previous_expires_at !== 'number') return null;
  const secret = typeof c.previous_secret === 'string' ? c.previous_secret : null;
  return Object.freeze({ secret, key: secret === null ? null : Buffer.from(secret, 'utf8'), rotated_at: c.rotated_at, expires_at: c.previous_expires_at });
}

/**
 * The rotation rule for a verified token: refused once the grace has ended if it was issued before
 * the rotation (or carries no iat). Allocation-free; false for a consumer without a rotation.
 */
export function rotatedOut(consumer: { readonly previous?: RotationWindow | null }, iat: unknown, nowSeconds: number): boolean {
  const p = consumer.previous;
  return p != null && nowSeconds >= p.expires_at && !(typeof iat === 'number' && iat >= p.rotated_at);
}

/**
 * One immutable object holding everything the hot path needs for one store revision.
 * Built once per revision; swapped atomically; never mutated.
 */
export interface Snapshot extends RevocationTable, SigningKeyTable {
  readonly revision: number;
  readonly settings: Readonly<Settings>;
  readonly consumersByClientId: ReadonlyMap<string, CompiledConsumer>;
  /** Built on first use: only the explainer asks (the gateway never does, and 100k entries cost ~5 MB). */
  readonly consumersByName: ReadonlyMap<string, CompiledConsumer>;
  readonly routes: RouteTable;
  readonly rules: RuleTable;
  /** Lower-cased `auth_header_name`, as node:http presents header names. */
  readonly authHeader: string;
}

/** Consumers compiled between two pauses of compileSnapshotAsync (~5 ms of work). */
export const COMPILE_SLICE = 5_000;

/** Compiles a store read into the hot path's lookup structures. Pure; throws nothing for valid input. */
export function compileSnapshot(src: SnapshotSource): Snapshot {
  const steps = compileSteps(src);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * The same compile, awaiting `pause()` (the caller's way of yielding to its event loop, e.g.
 * setImmediate) after every COMPILE_SLICE consumers: a 100k-consumer reload then never holds the
 * gateway's event loop for more than a few milliseconds at a time.
 */
export async function compileSnapshotAsync(src: SnapshotSource, pause: () => Promise<void>): Promise<Snapshot> {
  const steps = compileSteps(src);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    await pause();
  }
}

/** The compile, as steps: it yields between slices of consumers, and returns the snapshot. */
function* compileSteps(src: SnapshotSource): Generator<void, Snapshot, void> {
  const byId = new Map<string, CompiledConsumer>();
  const compiled = new Array<CompiledConsumer>(src.consumers.length);
  let byName: Map<string, CompiledConsumer> | null = null;
  for (let i = 0; i < src.consumers.length; i++) {
    const cc = compileConsumer(src.consumers[i]);
    // First one wins, as Higress does for duplicate client ids (the store keeps them unique anyway).
    if (!byId.has(cc.client_id)) byId.set(cc.client_id, cc);
    compiled[i] = cc;
    if (i % COMPILE_SLICE === COMPILE_SLICE - 1) yield;
  }
  const routes = compileRoutes(src.routes);
  yield;
  const rules = compileRules(src.rules);
  return assembleSnapshot({
    revision: src.revision,
    settings: src.settings,
    consumersByClientId: byId,
    consumersByName: () => (byName ??= new Map(compiled.map((c) => [c.name, c]))),
    routes,
    rules,
    keys: compileSigningKeys(src.keys),
    revocations: compileRevocations(src.revocations),
  });
}

/** The compiled parts of a snapshot: a full compile makes them all, a delta (snapshot-delta.ts) reuses the unchanged ones. */
export interface SnapshotParts {
  revision: number;
  settings: Settings;
  consumersByClientId: ReadonlyMap<string, CompiledConsumer>;
  /** Called at most once per snapshot, on first use. */
  consumersByName: () => ReadonlyMap<string, CompiledConsumer>;
  routes: RouteTable;
  rules: RuleTable;
  keys: SigningKeyTable;
  revocations: RevocationTable;
}

/** The one place a Snapshot object is made. */
export function assembleSnapshot(p: SnapshotParts): Snapshot {
  let byName: ReadonlyMap<string, CompiledConsumer> | null = null;
  return Object.freeze({
    revision: p.revision,
    settings: Object.freeze({ ...p.settings }),
    consumersByClientId: p.consumersByClientId,
    get consumersByName(): ReadonlyMap<string, CompiledConsumer> {
      return (byName ??= p.consumersByName());
    },
    routes: p.routes,
    rules: p.rules,
    authHeader: p.settings.auth_header_name.toLowerCase(),
    ...p.keys,
    ...p.revocations,
  });
}

/**
 * A consumer compiled for the hot path. A store-loaded SealedConsumer (sealed-consumer.ts) is its
 * own compiled form: its secret and key are opened on first use, so nothing is read here.
 */
export function compileConsumer(c: ConsumerRecord): CompiledConsumer {
  if (c instanceof SealedConsumer) return c;
  // Spelled out rather than spread: with 100k consumers the spread was half of the compile time.
  return {
    name: c.name,
    client_id: c.client_id,
    client_secret: c.client_secret,
    key: Buffer.from(c.client_secret, 'utf8'),
    scopeSet: scopeSetOf(c.scopes),
    groups: c.groups ?? NO_GROUPS,
    previous: compilePrevious(c),
    tls: tlsAuthOf(c),
  };
}

const NO_GROUPS: readonly string[] = Object.freeze([]);

/** A token request is one whose path (query excluded) ends with `auth_path`. */
export function isTokenRequest(snapshot: Snapshot, path: string): boolean {
  return path.endsWith(snapshot.settings.auth_path);
}
