import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { Logger } from '../logger';
import type { StatusSource } from '../status/status-source';
import { isWorkerMessage, type PrimaryMessage } from './messages';

interface WorkerState {
  worker: Worker;
  revision: number | null;
  listening: boolean;
}

/**
 * Forks the workers, tracks what each enforces, restarts one that crashes, and answers the status
 * port for all of them: ready when every worker serves, revision = the lowest one in force.
 */
export class ClusterSupervisor implements StatusSource {
  private readonly states = new Map<number, WorkerState>();
  private readonly aggregator = new AggregatorRegistry();
  private stopping = false;
  private started = false;
  private restarts: number[] = [];
  port: number | null = null;
  /** The shared authz listener port, when GATEWAY_AUTHZ_PORT is set. */
  authzPort: number | null = null;

  constructor(
    private readonly desired: number,
    private readonly log: Logger,
    /** The primary's own metrics (its heartbeat's), served after the workers' aggregate. */
    private readonly own?: Registry,
  ) {}

  /** Resolves with the shared traffic port once every worker listens; rejects with a worker's fatal error. */
  start(): Promise<number> {
    return new Promise((resolve, reject) => {
      cluster.on('message', (worker, m: unknown) => {
        if (!isWorkerMessage(m)) return;
        const st = this.states.get(worker.id);
        if (st === undefined) return;
        if (m.t === 'gw:fatal' && !this.started) {
          this.stopping = true;
          reject(new Error(m.message));
        } else if (m.t === 'gw:revision') {
          st.revision = m.revision;
          this.relayRevision(worker.id, m.revision);
        } else if (m.t === 'gw:listening') {
          st.revision = m.revision;
          st.listening = true;
          this.port = m.port;
          if (m.authzPort !== undefined) this.authzPort = m.authzPort;
          if (!this.started && this.ready()) {
            this.started = true;
            resolve(m.port);
          }
        }
      });
      cluster.on('exit', (worker, code, signal) => {
        this.states.delete(worker.id);
        if (this.stopping) return;
        if (!this.started) {
          this.stopping = true;
          reject(new Error(`worker ${worker.id} exited during start-up (code ${code ?? signal})`));
          return;
        }
        this.log.warn({ worker: worker.id, code, signal }, 'worker died; starting a replacement');
        this.respawn();
      });
      for (let i = 0; i < this.desired; i++) this.fork();
    });
  }

  /** Workers poll on their own phases; the first to see a new revision gets the others to look now. */
  private relayRevision(from: number, revision: number): void {
    const m: PrimaryMessage = { t: 'gw:reload', revision };
    for (const [id, s] of this.states) {
      if (id === from || !s.listening || (s.revision !== null && s.revision >= revision)) continue;
      try {
        s.worker.send(m);
      } catch {
        // A worker that is going away: its own poll (or its replacement's start) covers it.
      }
    }
  }

  private fork(): void {
    const worker = cluster.fork();
    this.states.set(worker.id, { worker, revision: null, listening: false });
  }

  /** Crash loops back off instead of spinning: at most 5 restarts in 10 s, then one per 5 s. */
  private respawn(): void {
    const now = Date.now();
    this.restarts = this.restarts.filter((t) => now - t < 10_000);
    this.restarts.push(now);
    const delay = this.restarts.length > 5 ? 5_000 : 0;
    setTimeout(() => {
      if (!this.stopping) this.fork();
    }, delay).unref();
  }

  ready(): boolean {
    let n = 0;
    for (const s of this.states.values()) if (s.listening) n++;
    return n >= this.desired;
  }

  /** Workers serving now. */
  workers(): number {
    let n = 0;
    for (const s of this.states.values()) if (s.listening) n++;
    return n;
  }

  revision(): number | null {
    let min: number | null = null;
    for (const s of this.states.values()) {
      if (s.listening && s.revision !== null && (min === null || s.revision < min)) min = s.revision;
    }
    return min;
  }

  async metrics(): Promise<{ contentType: string; text: string }> {
    const text = await this.aggregator.clusterMetrics();
    return { contentType: this.aggregator.contentType, text: this.own ? text + (await this.own.metrics()) : text };
  }

  /** Asks every worker to drain and waits for all to exit; kills stragglers after `graceMs`. */
  stop(graceMs: number): Promise<void> {
    this.stopping = true;
    const alive = [...this.states.values()].map((s) => s.worker).filter((w) => !w.isDead());
    if (alive.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      let left = alive.length;
      const force = setTimeout(() => alive.forEach((w) => w.isDead() || w.process.kill('SIGKILL')), graceMs);
      for (const w of alive) {
        w.once('exit', () => {
          if (--left === 0) {
            clearTimeout(force);
            resolve();
          }
        });
        const m: PrimaryMessage = { t: 'gw:shutdown' };
        try {
          w.send(m);
        } catch {
          w.process.kill('SIGTERM');
        }
      }
    });
  }
}
