import * as fs from 'node:fs';
import * as path from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { Counter } from 'prom-client';
import { applySnapshotDelta, onDamagedSecret, oneLine, stateFromSource, unsealAll, type ConsumerRecord, type SnapshotState } from '@oauth2/core';
import { describeDatabase, openStore, type ConfigStore } from '@oauth2/store';
import type { GatewayEnv } from '../config/gateway-env';
import type { Logger } from '../logger';
import type { GatewayMetrics } from '../status/metrics';
import type { SnapshotHolder } from './snapshot-holder';

/** What made the gateway load a snapshot (label of gateway_reloads_total and of the 'snapshot loaded' log line). */
export type ReloadTrigger = 'start' | 'poll' | 'watch' | 'notify' | 'relay';

/** Thrown when the store cannot be used at start: main prints its message as one line and exits 1. */
export class StoreStartError extends Error {}

/**
 * The WAL is written before the WAL index (shared memory, which no watch sees) is updated, so a
 * check right after the file event can still read the old revision: one follow-up check this soon.
 */
const RECHECK_MS = 10;

/** After a load that took L ms, change-driven checks wait until 2L has passed: reloads use at most ~1/3 of a core. */
const RELOAD_BACKOFF_FACTOR = 2;

/**
 * Polls the store's revision every GATEWAY_RELOAD_MS and swaps in a freshly compiled snapshot when
 * it changes. The loop never overlaps itself (the next tick is scheduled after the previous one
 * completes), and a failed load keeps the last good snapshot and is retried on the next tick.
 *
 * A commit to the SQLite file touches its WAL; a watch on the data directory (inotify) checks the
 * revision at once instead of at the next tick, so propagation does not wait up to a poll period.
 * On PostgreSQL the store pushes the same signal instead (LISTEN/NOTIFY: store.watchRevisions).
 * The timer stays the source of truth: where the watch is unavailable or silent, polling alone works.
 */
export class SnapshotPoller {
  private store: ConfigStore | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** When `timer` fires (ms since epoch). */
  private dueAt = 0;
  private stopped = false;
  private failing = false;
  private ticking = false;
  private pokedWhileTicking = false;
  /** The pending timer came from a poke (not the period): a tick finding no change rechecks once. */
  private fromPoke = false;
  /** Change-driven checks wait until then after a load (see RELOAD_BACKOFF_FACTOR). */
  private quietUntil = 0;
  private watcher: fs.FSWatcher | null = null;
  private unwatchStore: (() => void) | null = null;
  /** What asked for the pending (or running) change-driven check. */
  private pokeTrigger: ReloadTrigger = 'watch';
  /** The snapshot in force with the records it was built from: the base of the next delta. */
  private state: SnapshotState | null = null;
  private readonly fullFallbacks: Counter<'reason'>;
  private readonly deltas: Counter;
  private readonly damagedSecrets: Counter;
  /** Bumped by each full load: the background pass of an older one stops (the new one covers every consumer). */
  private fullPass = 0;
  private readonly unlisten: () => void;

  constructor(
    private readonly env: GatewayEnv,
    private readonly holder: SnapshotHolder,
    private readonly metrics: GatewayMetrics,
    private readonly log: Logger,
  ) {
    this.deltas = new Counter({ name: 'gateway_reload_deltas_total', help: 'Snapshots built from the previous one and the rows changed since (incremental reload)', registers: [metrics.registry] });
    this.fullFallbacks = new Counter({
      name: 'gateway_reload_full_fallbacks_total',
      help: 'Reloads that fell back to a full load: history (the change log does not reach back, or too many rows changed) or error (the delta failed)',
      labelNames: ['reason'] as const,
      registers: [metrics.registry],
    });
    this.damagedSecrets = new Counter({
      name: 'gateway_damaged_secrets_total',
      help: 'Consumer secrets that could not be decrypted (damaged row or wrong master key): that consumer is refused, the others are unaffected',
      registers: [metrics.registry],
    });
    // Secrets open on first use or in the background pass (libs/core/src/sealed-consumer.ts): a
    // damaged one fails closed for its consumer and is reported here, one line each.
    this.unlisten = onDamagedSecret((name, reason) => {
      this.damagedSecrets.inc();
      this.log.error(
        { consumer: name, err_message: reason },
        `consumer "${name}": its secret cannot be decrypted (damaged row or wrong master key); its token requests and tokens are refused until the row is fixed`,
      );
    });
  }

  /** Opens the store and loads the first snapshot; throws StoreStartError when either fails. */
  async start(): Promise<void> {
    try {
      this.store = await openStore({ dataDir: this.env.OAUTH2_DATA_DIR, database: this.env.OAUTH2_DATABASE, masterKey: this.env.OAUTH2_MASTER_KEY });
      await this.load('start');
    } catch (e) {
      throw new StoreStartError(`cannot load configuration from the store (${describeDatabase(this.env.OAUTH2_DATABASE ?? this.env.OAUTH2_DATA_DIR)}): ${oneLine(e)}`);
    }
    this.watchStore();
    this.schedule(this.env.GATEWAY_RELOAD_MS);
  }

  /** The RFC 7009 endpoint's one write (docs/revocation.md), on this process's store connection. */
  revokeJti(jti: string, exp: number, clientId: string): Promise<unknown> {
    if (this.store === null) return Promise.reject(new Error('store is closed'));
    return this.store.revokeJti(jti, exp, clientId);
  }

  /**
   * The next snapshot: from the one in force and the rows changed since its revision when the
   * store can say (incremental reload), else a full load (the first load, a gap in the change
   * history, too many changed rows, GATEWAY_INCREMENTAL_RELOAD=false, or a delta that failed:
   * logged and counted). Either way one snapshot per revision, swapped in whole.
   */
  private async load(trigger: ReloadTrigger): Promise<void> {
    const started = Date.now();
    let next: SnapshotState | null = null;
    const prev = this.state;
    let delta: Awaited<ReturnType<ConfigStore['loadSnapshotDelta']>> = null;
    if (prev !== null && this.env.GATEWAY_INCREMENTAL_RELOAD) {
      try {
        delta = await this.store!.loadSnapshotDelta(prev.snapshot.revision, { sealed: true });
        if (delta !== null) next = applySnapshotDelta(prev, delta);
        else {
          this.fullFallbacks.inc({ reason: 'history' });
          this.log.info({ revision_in_force: prev.snapshot.revision }, 'change history does not cover this reload; loading in full');
        }
      } catch (e) {
        this.fullFallbacks.inc({ reason: 'error' });
        this.log.warn({ err_message: oneLine(e), revision_in_force: prev.snapshot.revision }, 'incremental reload failed; loading in full');
      }
    }
    const mode = next !== null ? 'delta' : 'full';
    // In slices, as the store read was: requests keep being served while a big config compiles.
    next ??= await stateFromSource(await this.store!.loadSnapshotSource({ sealed: true }), () => yieldToLoop());
    const snap = next.snapshot;
    this.state = next;
    this.holder.swap(snap);
    this.verifySecrets(mode === 'delta' ? (delta?.consumers.upserts ?? []) : next.consumers.values(), mode, snap.revision);
    this.metrics.snapshotRevision.set(snap.revision);
    this.metrics.reloads.inc({ trigger });
    if (mode === 'delta') this.deltas.inc();
    const now = Date.now();
    this.quietUntil = now + (now - started) * RELOAD_BACKOFF_FACTOR;
    this.log.info({ revision: snap.revision, trigger, mode, consumers: next.consumers.size, routes: next.routes.size, rules: next.rules.size, ms: now - started }, 'snapshot loaded');
  }

  /**
   * The background pass after a swap: opens every secret the snapshot has not opened yet, in
   * slices (unsealAll), so a damaged row is found and reported within seconds even if no request
   * uses that consumer. A full load's pass covers every consumer and stops only when the next full
   * load starts (its pass covers them again; opened secrets carry over); a delta's covers its rows.
   */
  private verifySecrets(consumers: Iterable<ConsumerRecord>, mode: 'delta' | 'full', revision: number): void {
    const pass = mode === 'full' ? ++this.fullPass : this.fullPass;
    const started = Date.now();
    const stop = () => this.stopped || (mode === 'full' && pass !== this.fullPass);
    void unsealAll(consumers, () => yieldToLoop(), stop).then(
      (r) => {
        if (!r.stopped && mode === 'full') this.log.info({ revision, opened: r.opened, damaged: r.damaged, ms: Date.now() - started }, 'consumer secrets verified');
      },
      (e) => this.log.warn({ err_message: oneLine(e) }, 'consumer secret verification failed'),
    );
  }

  /** Same path rule as openStore: OAUTH2_DATABASE, else <data dir>/oauth2.db. */
  private watchStore(): void {
    if (this.store?.watchRevisions) {
      this.unwatchStore = this.store.watchRevisions(
        () => this.poke('notify'),
        (s) => {
          if (s.listening) this.log.info({}, 'store change notifications: listening');
          else this.log.warn({ err_message: s.error, retry_ms: s.retry_ms }, 'store change notifications lost; reconnecting (polling meanwhile)');
        },
      );
      return;
    }
    const file = path.resolve(this.env.OAUTH2_DATABASE ?? path.join(this.env.OAUTH2_DATA_DIR, 'oauth2.db'));
    const base = path.basename(file);
    const wal = `${base}-wal`;
    try {
      // The directory, not the file: a checkpoint may recreate the WAL, which would orphan a file watch.
      this.watcher = fs.watch(path.dirname(file), { persistent: false }, (_event, name) => {
        if (name === null || name === wal || name === base) this.poke();
      });
      this.watcher.on('error', (e) => {
        this.log.warn({ err_message: oneLine(e) }, 'store file watch failed; polling only');
        this.watcher?.close();
        this.watcher = null;
      });
    } catch (e) {
      this.log.warn({ err_message: oneLine(e) }, 'cannot watch the store file; polling only');
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.fromPoke = false;
    if (this.timer) clearTimeout(this.timer);
    this.dueAt = Date.now() + delayMs;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.tick();
    }, delayMs);
    // The proxy server keeps the process alive; the poller alone must not.
    this.timer.unref();
  }

  /**
   * Checks the revision soon rather than at the next tick: the store file changed, or (cluster) the
   * primary relays that another worker already enforces a newer revision. A poke during a tick runs
   * one more tick after it; right after a load it waits out the back-off.
   */
  poke(trigger: ReloadTrigger = 'watch'): void {
    // While loads fail, retries stay at the poll period whatever the file does.
    if (this.stopped || this.store === null || this.failing) return;
    if (this.ticking) {
      this.pokedWhileTicking = true;
      this.pokeTrigger = trigger;
      return;
    }
    const at = Math.max(Date.now(), this.quietUntil);
    if (this.timer !== null && this.dueAt <= at) {
      // The check already due at least as soon serves this change: it runs as this trigger's.
      this.fromPoke = true;
      this.pokeTrigger = trigger;
      return;
    }
    this.schedule(at - Date.now());
    this.fromPoke = true;
    this.pokeTrigger = trigger;
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    this.ticking = true;
    this.pokedWhileTicking = false;
    const poked = this.fromPoke;
    let recheck = false;
    try {
      const rev = await this.store!.revision();
      if (rev !== this.holder.revision) await this.load(poked ? this.pokeTrigger : 'poll');
      else recheck = poked;
      if (this.failing) this.log.info({ revision: this.holder.revision }, 'snapshot reload recovered');
      this.failing = false;
    } catch (e) {
      if (this.stopped) return;
      this.metrics.reloadFailures.inc();
      // Logged once per failure streak would hide recovery timing; a warning per tick is bounded by the poll rate.
      this.log.warn({ err_message: oneLine(e), revision_in_force: this.holder.revision }, 'snapshot reload failed; keeping the last good snapshot');
      this.failing = true;
    }
    this.ticking = false;
    const again = this.pokedWhileTicking && !this.failing;
    this.pokedWhileTicking = false;
    if (again) {
      this.schedule(Math.max(0, this.quietUntil - Date.now()));
      this.fromPoke = true;
    } else if (recheck) this.schedule(RECHECK_MS);
    else this.schedule(this.env.GATEWAY_RELOAD_MS);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unlisten();
    if (this.timer) clearTimeout(this.timer);
    this.watcher?.close();
    this.watcher = null;
    this.unwatchStore?.();
    this.unwatchStore = null;
    const s = this.store;
    this.store = null;
    if (s) await s.close().catch(() => undefined);
  }
}
