import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadTlsMaterial, watchTlsFiles, type TlsFiles, type TlsMaterial } from '@oauth2/config';
import type { Snapshot } from '@oauth2/core';
import type { GatewayEnv } from './config/gateway-env';
import type { Logger } from './logger';
import { createAuthzHandler } from './authz/authz-handler';
import { Forwarder } from './proxy/forwarder';
import { TrustedProxies } from './proxy/trusted-proxies';
import { createGatewayHandler } from './proxy/gateway-handler';
import { ClientCaBundle } from './proxy/client-cert';
import { ProxyServer, type EdgeRefuse } from './proxy/proxy-server';
import { refuse } from './proxy/responses';
import { FailedAuthLimiter } from './token-endpoint/failed-auth-limiter';
import { withRevocationEndpoint } from './token-endpoint/revocation-endpoint';
import type { SnapshotHolder } from './snapshot/snapshot-holder';
import type { SnapshotPoller } from './snapshot/snapshot-poller';
import type { GatewayMetrics } from './status/metrics';

/** In-flight requests get this long to finish after SIGTERM (then exit 0). */
export const SHUTDOWN_GRACE_MS = 10_000;

/** The TLS certificate or key cannot be used at start: one line, exit 1. */
export class TlsStartError extends Error {}

/** What the data plane needs of its snapshot source: the store's SnapshotPoller, or (in-process tests) a fixed snapshot. */
export type SnapshotFeed = Pick<SnapshotPoller, 'start' | 'stop' | 'revokeJti'>;

/** The serving side of one process: the first snapshot, then the proxy server; stopped in reverse. */
export class DataPlane {
  private readonly forwarder: Forwarder;
  private server: ProxyServer | null = null;
  private readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
  private readonly onBug: (err: unknown) => void;
  private readonly edgeRefuse: EdgeRefuse;
  private stopWatch: (() => void) | null = null;
  /** The external-authorization listener, when GATEWAY_AUTHZ_PORT is set. */
  private readonly authz: ProxyServer | null;
  /** GATEWAY_TLS_CLIENT_CA as certificates (certificate client authentication), refreshed with the TLS files; null when unset. */
  private readonly clientCa: ClientCaBundle | null;

  constructor(
    private readonly env: GatewayEnv,
    private readonly log: Logger,
    private readonly holder: SnapshotHolder,
    metrics: GatewayMetrics,
    private readonly poller: SnapshotFeed,
  ) {
    const trusted = new TrustedProxies(env.GATEWAY_TRUSTED_PROXIES);
    const clientCa = env.GATEWAY_TLS_CLIENT_CA === undefined ? null : new ClientCaBundle();
    this.clientCa = clientCa;
    this.forwarder = new Forwarder(env.GATEWAY_UPSTREAM_TIMEOUT_MS, metrics, () => (holder.current as Snapshot).authHeader, trusted);
    // Per process: with N workers a client_id gets up to N x the limit (connections are spread round-robin).
    const limiter = new FailedAuthLimiter({ maxFailures: env.GATEWAY_TOKEN_MAX_FAILURES, windowSeconds: env.GATEWAY_TOKEN_FAILURE_WINDOW_S });
    let handler = createGatewayHandler({ holder, forwarder: this.forwarder, metrics, log, accessLog: env.GATEWAY_ACCESS_LOG, limiter, trusted, clientCa });
    if (env.GATEWAY_REVOCATION_ENDPOINT)
      handler = withRevocationEndpoint(handler, { holder, metrics, limiter, log, trusted, clientCa, revokeJti: (jti, exp, clientId) => poller.revokeJti(jti, exp, clientId) });
    const onBug = (err: unknown) => log.error({ err_message: err instanceof Error ? err.message : String(err), stack: err instanceof Error ? err.stack : undefined }, 'request handler failed');
    const edgeRefuse: EdgeRefuse = (res, code, close) => refuse(res, metrics, '', code, close);
    this.handler = handler;
    this.onBug = onBug;
    this.edgeRefuse = edgeRefuse;
    this.authz = env.GATEWAY_AUTHZ_PORT === undefined ? null : new ProxyServer(createAuthzHandler({ holder, metrics, log, accessLog: env.GATEWAY_ACCESS_LOG, trusted }), onBug, edgeRefuse);
  }

  /** The authz listener's address once started; null when it is off. */
  authzAddress: AddressInfo | null = null;

  /** Loads the first snapshot (throws StoreStartError when the store is unusable), then listens. */
  async start(): Promise<AddressInfo> {
    const tls = this.tls();
    await this.poller.start();
    this.holder.onSwap((s) => this.forwarder.retain(s));
    if (this.authz !== null) this.authzAddress = await this.authz.listen(this.env.GATEWAY_AUTHZ_PORT!, this.env.GATEWAY_AUTHZ_HOST);
    this.server = new ProxyServer(this.handler, this.onBug, this.edgeRefuse, tls);
    const addr = await this.server.listen(this.env.GATEWAY_PORT, this.env.GATEWAY_HOST);
    this.watchTls();
    return addr;
  }

  /** True when the proxy listener serves TLS (GATEWAY_TLS_CERT / GATEWAY_TLS_KEY). */
  get tlsOn(): boolean {
    return this.env.GATEWAY_TLS_CERT !== undefined;
  }

  private tlsFiles(): TlsFiles | null {
    const e = this.env;
    return e.GATEWAY_TLS_CERT === undefined || e.GATEWAY_TLS_KEY === undefined
      ? null
      : { cert: e.GATEWAY_TLS_CERT, key: e.GATEWAY_TLS_KEY, ...(e.GATEWAY_TLS_CLIENT_CA ? { clientCa: e.GATEWAY_TLS_CLIENT_CA } : {}) };
  }

  /** The listener's first certificate: a pair that does not load stops the start (TlsStartError). */
  private tls(): TlsMaterial | undefined {
    const files = this.tlsFiles();
    if (files === null) return undefined;
    try {
      const m = loadTlsMaterial(files);
      if (m.ca !== undefined) this.clientCa?.set(m.ca);
      return m;
    } catch (e) {
      throw new TlsStartError((e as Error).message);
    }
  }

  /** Rotation: new files are served to new connections; a bad pair is logged and the old one stays. */
  private watchTls(): void {
    const files = this.tlsFiles();
    if (files === null || this.server === null) return;
    const server = this.server;
    this.stopWatch = watchTlsFiles(
      files,
      (m) => {
        server.setTls(m);
        if (m.ca !== undefined) this.clientCa?.set(m.ca);
        this.log.info({ cert: files.cert }, 'TLS certificate reloaded');
      },
      (message) => this.log.error({ cert: files.cert }, message),
    );
  }

  async stop(graceMs = SHUTDOWN_GRACE_MS): Promise<void> {
    this.stopWatch?.();
    await Promise.all([this.server?.close(graceMs), this.authz?.close(graceMs)]);
    await this.poller.stop();
    await this.forwarder.close();
  }
}
