import type { ConsumerRecord, RevocationRecords, RouteRecord, RuleRecord, SnapshotSource } from './model';
import type { Settings } from './settings';
import { compileRoutes } from './route-match';
import { compileRules } from './rule-match';
import { compileSigningKeys, type SigningKeyRecord } from './signing-keys';
import { compileRevocations } from './revocation';
import { OverlayMap } from './overlay-map';
import { SortedIndex } from './sorted-index';
import { assembleSnapshot, compileConsumer, compileSnapshotAsync, type CompiledConsumer, type Snapshot, type SnapshotParts } from './snapshot';

/**
 * Incremental reload (SPEC §11). A delta names, per table, the rows a range of revisions changed:
 * each is replaced by its row at the new revision, or removed when it no longer exists. Small,
 * whole-table parts (settings, signing keys, revocations) come whole when anything in them changed.
 * Generic by design: a new column of a table rides along in its record; nothing here names fields.
 */
export interface TableDelta<K, R> {
  upserts: R[];
  removed: K[];
}

export interface SnapshotDelta {
  /** The revision the delta starts from (exclusive) and the one it brings (inclusive). */
  from: number;
  revision: number;
  consumers: TableDelta<string, ConsumerRecord>;
  routes: TableDelta<string, RouteRecord>;
  rules: TableDelta<number, RuleRecord>;
  settings?: Settings;
  keys?: SigningKeyRecord[];
  revocations?: RevocationRecords;
}

/**
 * A snapshot with the records it was compiled from, keyed for replacement. Immutable like the
 * snapshot: applying a delta makes a new state and shares every untouched part with the old one.
 */
export interface SnapshotState {
  readonly snapshot: Snapshot;
  readonly consumers: ReadonlyMap<string, ConsumerRecord>;
  readonly routes: ReadonlyMap<string, RouteRecord>;
  readonly rules: ReadonlyMap<number, RuleRecord>;
  readonly parts: Readonly<SnapshotParts>;
}

/** Routes in the store's order (name, as SQL's binary collation: code units of ASCII names). */
const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
/** Rules in evaluation order: position, then id. */
const byPosition = (a: RuleRecord, b: RuleRecord) => a.position - b.position || a.id - b.id;

/** The state of a full load: the snapshot compiled as always, plus the keyed records. */
export async function stateFromSource(src: SnapshotSource, pause: () => Promise<void>): Promise<SnapshotState> {
  const snapshot = await compileSnapshotAsync(src, pause);
  // The store reads consumers by name: the name index is the array itself (a Map only if not in order).
  const consumers: ReadonlyMap<string, ConsumerRecord> = SortedIndex.of(src.consumers, (c) => c.name) ?? new Map(src.consumers.map((c) => [c.name, c]));
  const parts: SnapshotParts = {
    revision: snapshot.revision,
    settings: src.settings,
    consumersByClientId: snapshot.consumersByClientId,
    consumersByName: () => snapshot.consumersByName,
    routes: snapshot.routes,
    rules: snapshot.rules,
    keys: { signingKeys: snapshot.signingKeys, activeSigningKey: snapshot.activeSigningKey },
    revocations: { revokedJtis: snapshot.revokedJtis, revokedClientJtis: snapshot.revokedClientJtis, revokedBefore: snapshot.revokedBefore },
  };
  return {
    snapshot,
    consumers,
    routes: new Map(src.routes.map((r) => [r.name, r])),
    rules: new Map(src.rules.map((r) => [r.id, r])),
    parts,
  };
}

/** Replaces and removes rows of one keyed table: a new map sharing the old one's entries (OverlayMap), the old one itself when nothing changed. */
function applyTable<K, R>(prev: ReadonlyMap<K, R>, d: TableDelta<K, R>, key: (r: R) => K): ReadonlyMap<K, R> {
  if (d.upserts.length === 0 && d.removed.length === 0) return prev;
  return OverlayMap.derive(
    prev,
    d.removed,
    d.upserts.map((r) => [key(r), r] as const),
  );
}

/**
 * The state at `d.revision` from the state at `d.from`: consumers re-keyed by client_id for the
 * changed names only; routes and rules recompiled only when one of theirs changed; settings, keys
 * and revocations compiled only when the delta carries them. Throws when the delta does not start
 * at the state's revision (the caller then loads in full).
 */
export function applySnapshotDelta(prev: SnapshotState, d: SnapshotDelta): SnapshotState {
  if (d.from !== prev.snapshot.revision) throw new Error(`delta from revision ${d.from} cannot apply to revision ${prev.snapshot.revision}`);
  const p = prev.parts;
  const consumers = applyTable(prev.consumers, d.consumers, (c) => c.name);
  let consumersByClientId = p.consumersByClientId;
  let consumersByName = p.consumersByName;
  if (consumers !== prev.consumers) {
    const byId = p.consumersByClientId;
    // Every changed name's old entry out (a client_id may move between consumers in one delta), then the new ones in.
    const out = new Set<string>();
    for (const name of [...d.consumers.removed, ...d.consumers.upserts.map((c) => c.name)]) {
      const old = prev.consumers.get(name);
      if (old !== undefined && byId.get(old.client_id)?.name === name) out.add(old.client_id);
    }
    const added = new Map<string, CompiledConsumer>();
    for (const c of d.consumers.upserts) {
      // First one wins, as in a full compile (the store keeps client ids unique anyway).
      if (added.has(c.client_id) || (byId.has(c.client_id) && !out.has(c.client_id))) continue;
      added.set(c.client_id, compileConsumer(c));
    }
    const next = OverlayMap.derive(byId, out, added);
    consumersByClientId = next;
    consumersByName = () => {
      const m = new Map<string, CompiledConsumer>();
      for (const c of next.values()) m.set(c.name, c);
      return m;
    };
  }
  const routes = applyTable(prev.routes, d.routes, (r) => r.name);
  const rules = applyTable(prev.rules, d.rules, (r) => r.id);
  const parts: SnapshotParts = {
    revision: d.revision,
    settings: d.settings ?? p.settings,
    consumersByClientId,
    consumersByName,
    routes: routes === prev.routes ? p.routes : compileRoutes([...routes.values()].sort(byName)),
    rules: rules === prev.rules ? p.rules : compileRules([...rules.values()].sort(byPosition)),
    keys: d.keys !== undefined ? compileSigningKeys(d.keys) : p.keys,
    revocations: d.revocations !== undefined ? compileRevocations(d.revocations) : p.revocations,
  };
  return { snapshot: assembleSnapshot(parts), consumers, routes, rules, parts };
}
