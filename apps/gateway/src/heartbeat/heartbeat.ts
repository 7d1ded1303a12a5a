import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { Counter, type Registry } from 'prom-client';
import { oneLine } from '@oauth2/core';
import { openStore, type ConfigStore, type NodeHeartbeat } from '@oauth2/store';
import type { GatewayEnv } from '../config/gateway-env';
import type { Logger } from '../logger';
import type { StatusSource } from '../status/status-source';
import { requestCounters } from './request-counters';

export interface HeartbeatOptions {
  env: GatewayEnv;
  log: Logger;
  /** What the status port reports: the revision in force (lowest of the workers) and /metrics. */
  status: StatusSource;
  /** Serving processes now (1, or the cluster's listening workers). */
  workers: () => number;
  /** The traffic port it listens on (the default name is `<hostname>:<port>`). */
  port: number;
  /** Where gateway_heartbeat_failures_total is registered (this process's /metrics). */
  registry: Registry;
}

/** The package version, from the source tree (apps/gateway/src/heartbeat) or the build (dist/...). */
function packageVersion(): string {
  for (const rel of ['../../../../package.json', '../../../../../package.json']) {
    try {
      const pkg = require(resolve(__dirname, rel)) as { name?: string; version?: string };
      if (pkg.name === 'oauth2-gateway' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not at this level
    }
  }
  return '0.0.0';
}

/**
 * Writes this node's row to the store every GATEWAY_HEARTBEAT_S (SPEC §11), on a store connection
 * of its own: a heartbeat waiting for the SQLite write lock or a dead PostgreSQL never holds up a
 * snapshot reload, and serving never waits on it. A failed heartbeat is logged and counted, and the
 * next one runs a period later; beats never overlap.
 */
export class Heartbeat {
  readonly name: string;
  private readonly version = packageVersion();
  private readonly startedAt = new Date().toISOString();
  private readonly periodMs: number;
  private readonly failures: Counter;
  private store: ConfigStore | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private failing = false;

  constructor(private readonly o: HeartbeatOptions) {
    this.name = o.env.GATEWAY_NODE_NAME ?? `${hostname()}:${o.port}`;
    this.periodMs = Math.max(1, Math.round(o.env.GATEWAY_HEARTBEAT_S * 1000));
    this.failures = new Counter({
      name: 'gateway_heartbeat_failures_total',
      help: 'Node heartbeats that could not be written to the store (serving is not affected; the next one runs a period later)',
      registers: [o.registry],
    });
  }

  /** The first heartbeat now, then one per period. */
  start(): void {
    this.beat();
  }

  private beat(): void {
    if (this.stopped) return;
    this.running = this.writeOnce().finally(() => {
      this.running = null;
      if (this.stopped) return;
      this.timer = setTimeout(() => this.beat(), this.periodMs);
      this.timer.unref();
    });
  }

  private async writeOnce(): Promise<void> {
    try {
      const e = this.o.env;
      this.store ??= await openStore({ dataDir: e.OAUTH2_DATA_DIR, database: e.OAUTH2_DATABASE, masterKey: e.OAUTH2_MASTER_KEY });
      const row: NodeHeartbeat = {
        name: this.name,
        version: this.version,
        revision: this.o.status.revision(),
        workers: this.o.workers(),
        heartbeat_ms: this.periodMs,
        started_at: this.startedAt,
        counters: requestCounters((await this.o.status.metrics()).text),
      };
      await this.store.heartbeat(row);
      if (this.failing) this.o.log.info({ node: this.name }, 'node heartbeat recovered');
      this.failing = false;
    } catch (err) {
      if (this.stopped) return;
      this.failures.inc();
      this.failing = true;
      // One line per failed beat: bounded by the period, and the recovery shows when it ends.
      this.o.log.warn({ node: this.name, err_message: oneLine(err) }, 'node heartbeat failed; serving is not affected');
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    const s = this.store;
    this.store = null;
    if (s) await s.close().catch(() => undefined);
  }
}
