/**
 * Owner: gateway. Spawns the built gateway (`node dist/apps/gateway/src/main.js`) on ephemeral
 * ports against a data dir, and waits on its status port (no fixed sleeps).
 */
import { spawnApp, type AppProcess } from './processes';

export const GATEWAY_ENTRY = 'dist/apps/gateway/src/main.js';

export interface GatewayProcess extends AppProcess {
  /** Traffic URL (`http://127.0.0.1:<port>`). */
  url: string;
  /** Status port URL: /healthz, /readyz, /revision, /metrics. */
  statusUrl: string;
  /** The revision the gateway enforces (the lowest of all workers). */
  revision(): Promise<number>;
  /** Polls /revision until it is >= n; rejects after `timeoutMs` (default 5000) naming the last value seen. */
  waitForRevision(n: number, timeoutMs?: number): Promise<number>;
}

export interface SpawnGatewayOptions {
  dataDir: string;
  env?: Record<string, string | undefined>;
}

export async function spawnGateway(opts: SpawnGatewayOptions): Promise<GatewayProcess> {
  const app = await spawnApp({
    entry: GATEWAY_ENTRY,
    env: { GATEWAY_HOST: '127.0.0.1', GATEWAY_PORT: '0', GATEWAY_STATUS_PORT: '0', OAUTH2_DATA_DIR: opts.dataDir, ...opts.env },
    urlField: 'status_url',
    readyPath: '/readyz',
  });
  const line = app.jsonLogs().find((j) => j.msg === 'listening' && typeof j.url === 'string');
  if (!line) throw new Error('gateway logged no "listening" line with a url');
  const statusUrl = app.url;
  const revision = async (): Promise<number> => {
    const res = await fetch(statusUrl + '/revision');
    const body = (await res.json()) as { revision: number | null };
    return body.revision ?? -1;
  };
  const waitForRevision = async (n: number, timeoutMs = 5000): Promise<number> => {
    const deadline = Date.now() + timeoutMs;
    let seen = -1;
    for (;;) {
      seen = await revision();
      if (seen >= n) return seen;
      if (Date.now() > deadline) throw new Error(`gateway revision still ${seen} after ${timeoutMs} ms (wanted ${n})`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { ...app, url: line.url as string, statusUrl, revision, waitForRevision };
}
