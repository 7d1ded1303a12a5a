import { compileSnapshot } from '@oauth2/core';
import { openStore, type ConfigStore } from '@oauth2/store';
import type { GatewayEnv } from '../config/gateway-env';
import type { Logger } from '../logger';
import type { GatewayMetrics } from '../status/metrics';
import type { SnapshotHolder } from './snapshot-holder';

/** Thrown when the store cannot be used at start: main prints its message as one line and exits 1. */
export class StoreStartError extends Error {}

/**
 * Polls the store's revision every GATEWAY_RELOAD_MS and swaps in a freshly compiled snapshot when
 * it changes. The loop never overlaps itself (the next tick is scheduled after the previous one
 * completes), and a failed load keeps the last good snapshot and is retried on the next tick.
 */
export class SnapshotPoller {
  private store: ConfigStore | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private failing = false;

  constructor(
    private readonly env: GatewayEnv,
    private readonly holder: SnapshotHolder,
    private readonly metrics: GatewayMetrics,
    private readonly log: Logger,
  ) {}

  /** Opens the store and loads the first snapshot; throws StoreStartError when either fails. */
  async start(): Promise<void> {
    try {
      this.store = await openStore({ dataDir: this.env.OAUTH2_DATA_DIR, database: this.env.OAUTH2_DATABASE, masterKey: this.env.OAUTH2_MASTER_KEY });
      await this.load();
    } catch (e) {
      throw new StoreStartError(`cannot load configuration from the store (${this.env.OAUTH2_DATABASE ?? this.env.OAUTH2_DATA_DIR}): ${oneLine(e)}`);
    }
    this.schedule();
  }

  private async load(): Promise<void> {
    const src = await this.store!.loadSnapshotSource();
    const snap = compileSnapshot(src);
    this.holder.swap(snap);
    this.metrics.snapshotRevision.set(snap.revision);
    this.log.info({ revision: snap.revision, consumers: src.consumers.length, routes: src.routes.length, rules: src.rules.length }, 'snapshot loaded');
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), this.env.GATEWAY_RELOAD_MS);
    // The proxy server keeps the process alive; the poller alone must not.
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    try {
      const rev = await this.store!.revision();
      if (rev !== this.holder.revision) await this.load();
      if (this.failing) this.log.info({ revision: this.holder.revision }, 'snapshot reload recovered');
      this.failing = false;
    } catch (e) {
      if (this.stopped) return;
      this.metrics.reloadFailures.inc();
      // Logged once per failure streak would hide recovery timing; a warning per tick is bounded by the poll rate.
      this.log.warn({ err_message: oneLine(e), revision_in_force: this.holder.revision }, 'snapshot reload failed; keeping the last good snapshot');
      this.failing = true;
    }
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const s = this.store;
    this.store = null;
    if (s) await s.close().catch(() => undefined);
  }
}

function oneLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0];
}
