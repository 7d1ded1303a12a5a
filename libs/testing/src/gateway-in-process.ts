/**
 * Owner: test tiers. The gateway's data plane in the test process (the `inproc` jest tier): the real
 * DataPlane — createGatewayHandler with a real SnapshotHolder, Forwarder, GatewayMetrics and
 * FailedAuthLimiter on the real ProxyServer (node:http), on 127.0.0.1 port 0 — fed either by the
 * real SnapshotPoller on a temp SQLite store, or by one literal SnapshotSource compiled once. An echo
 * upstream is started beside it. No build, no child process: ts-jest compiles the sources.
 *
 * libs/testing imports apps/gateway here only because this is test support: no app or lib outside
 * test code may import this file. It is NOT re-exported from index.ts, so the e2e tier (which only
 * spawns dist/) never loads the gateway, Nest or typeorm into its test process; import it by path.
 */
import { compileSnapshot, type SnapshotSource } from '@oauth2/core';
import { openStore, type ConfigStore } from '@oauth2/store';
import type { AddressInfo } from 'node:net';
import { GatewayEnv } from '../../../apps/gateway/src/config/gateway-env';
import { DataPlane, type SnapshotFeed } from '../../../apps/gateway/src/data-plane';
import { createLogger, type Logger } from '../../../apps/gateway/src/logger';
import { SnapshotHolder } from '../../../apps/gateway/src/snapshot/snapshot-holder';
import { SnapshotPoller } from '../../../apps/gateway/src/snapshot/snapshot-poller';
import { GatewayMetrics } from '../../../apps/gateway/src/status/metrics';
import { startEchoUpstream, type EchoUpstream } from './echo-upstream';
import { rawRequest, type RawRequest, type RawResponse } from './gateway-process';
import { makeTempDir } from './temp-dir';

/** Gateway settings that are not where it listens or its store (those are the helper's). */
export type InProcessGatewayEnv = Partial<Omit<GatewayEnv, 'GATEWAY_HOST' | 'GATEWAY_PORT' | 'GATEWAY_STATUS_PORT' | 'GATEWAY_WORKERS' | 'OAUTH2_DATA_DIR' | 'OAUTH2_DATABASE'>>;

export interface GatewayInProcessOptions {
  /**
   * A literal configuration, compiled once (no store, no reload); a function gets the echo
   * upstream's URL for its routes. Without it the gateway runs on a fresh temp SQLite store.
   */
  source?: SnapshotSource | ((echoUrl: string) => SnapshotSource);
  /** Store mode: writes the configuration before the gateway loads its first snapshot. */
  seed?: (store: ConfigStore, echoUrl: string) => Promise<unknown>;
  env?: InProcessGatewayEnv;
  /** pino level of the gateway's logger; default 'silent' (jest output stays readable). */
  logLevel?: string;
}

export interface InProcessGateway {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  echo: EchoUpstream;
  holder: SnapshotHolder;
  metrics: GatewayMetrics;
  /** Store mode: a connection of the test's own to the gateway's store (write, then `sync()`). */
  store: ConfigStore | null;
  /** Literal mode: what the revocation endpoint asked to revoke (it has no store to write to). */
  revokedJtis: { jti: string; exp: number }[];
  /** A request to the gateway with node:http (Host and headers as given). */
  request(pathAndQuery: string, req?: RawRequest): Promise<RawResponse>;
  /** Store mode: waits (on snapshot swaps, no sleeps) until the gateway enforces the store's current revision. */
  sync(timeoutMs?: number): Promise<number>;
  close(): Promise<void>;
}

/** The literal-source feed: what SnapshotPoller does at start, from a fixed source; nothing afterwards. */
class FixedSnapshot implements SnapshotFeed {
  readonly revoked: { jti: string; exp: number }[] = [];
  constructor(
    private readonly holder: SnapshotHolder,
    private readonly metrics: GatewayMetrics,
    private readonly source: SnapshotSource,
  ) {}
  async start(): Promise<void> {
    const snap = compileSnapshot(this.source);
    this.holder.swap(snap);
    this.metrics.snapshotRevision.set(snap.revision);
  }
  async stop(): Promise<void> {}
  async revokeJti(jti: string, exp: number): Promise<unknown> {
    this.revoked.push({ jti, exp });
    return undefined;
  }
}

/** Starts the data plane in this process; `close()` it in afterAll. */
export async function startGatewayInProcess(opts: GatewayInProcessOptions = {}): Promise<InProcessGateway> {
  if (opts.source && opts.seed) throw new Error('startGatewayInProcess: give a literal source or a store seed, not both');
  const echo = await startEchoUpstream();
  const dir = makeTempDir('oauth2-inproc-gw-');
  const env = Object.assign(new GatewayEnv(), opts.env, { GATEWAY_HOST: '127.0.0.1', GATEWAY_PORT: 0, GATEWAY_WORKERS: 1, OAUTH2_DATA_DIR: dir.path });
  const log: Logger = createLogger({ in_process: true });
  log.level = opts.logLevel ?? 'silent';
  const holder = new SnapshotHolder();
  const metrics = new GatewayMetrics();
  let store: ConfigStore | null = null;
  let fixed: FixedSnapshot | null = null;
  let plane: DataPlane | null = null;
  const cleanup = async () => {
    await plane?.stop(1000);
    await store?.close();
    await echo.close();
    dir.cleanup();
  };
  try {
    let feed: SnapshotFeed;
    if (opts.source) {
      const src = typeof opts.source === 'function' ? opts.source(echo.url) : opts.source;
      feed = fixed = new FixedSnapshot(holder, metrics, src);
    } else {
      store = await openStore({ dataDir: dir.path });
      await opts.seed?.(store, echo.url);
      feed = new SnapshotPoller(env, holder, metrics, log);
    }
    plane = new DataPlane(env, log, holder, metrics, feed);
    const { port } = (await plane.start()) as AddressInfo;
    const url = `http://127.0.0.1:${port}`;
    const sync = async (timeoutMs = 5000): Promise<number> => {
      if (!store) throw new Error('sync(): a literal-source gateway never reloads');
      const want = await store.revision();
      if ((holder.revision ?? -1) >= want) return holder.revision!;
      return new Promise<number>((resolve, reject) => {
        let done = false;
        const timer = setTimeout(() => {
          done = true;
          reject(new Error(`in-process gateway still at revision ${holder.revision} after ${timeoutMs} ms (wanted ${want})`));
        }, timeoutMs);
        holder.onSwap((s) => {
          if (done || s.revision < want) return;
          done = true;
          clearTimeout(timer);
          resolve(s.revision);
        });
      });
    };
    return {
      url,
      port,
      echo,
      holder,
      metrics,
      store,
      revokedJtis: fixed?.revoked ?? [],
      request: (p, req) => rawRequest(url, p, req),
      sync,
      close: cleanup,
    };
  } catch (e) {
    await cleanup().catch(() => undefined);
    throw e;
  }
}
