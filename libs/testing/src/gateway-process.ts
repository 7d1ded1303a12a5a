/**
 * Owner: gateway. Spawns the built gateway (`node dist/apps/gateway/src/main.js`) on ephemeral
 * ports against a data dir, and waits on its status port (no fixed sleeps).
 */
import * as http from 'node:http';
import { startEchoUpstream, type EchoUpstream } from './echo-upstream';
import { spawnAdmin, spawnApp, type AdminProcess, type AppProcess } from './processes';

export const GATEWAY_ENTRY = 'dist/apps/gateway/src/main.js';

export interface GatewayProcess extends AppProcess {
  /** Traffic URL (`http://127.0.0.1:<port>`). */
  url: string;
  /** Status port URL: /healthz, /readyz, /revision, /metrics. */
  statusUrl: string;
  /** The external-authorization listener's URL, when GATEWAY_AUTHZ_PORT was set; else null. */
  authzUrl: string | null;
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
  return { ...app, url: line.url as string, statusUrl, authzUrl: typeof line.authz_url === 'string' ? line.authz_url : null, revision, waitForRevision };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
}

export interface RawRequest {
  method?: string;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
}

/**
 * One HTTP request with node:http (fetch cannot set Host, and normalizes some headers), against
 * `base` (`http://host:port`) and `pathAndQuery` sent exactly as given.
 */
export function rawRequest(base: string, pathAndQuery: string, req: RawRequest = {}): Promise<RawResponse> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const r = http.request({ host: u.hostname, port: u.port, method: req.method ?? 'GET', path: pathAndQuery, headers: req.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    r.on('error', reject);
    r.end(req.body);
  });
}

/** Admin API + gateway + echo upstream on one temp data dir, for end-to-end tests. */
export interface GatewayStack {
  admin: AdminProcess;
  gateway: GatewayProcess;
  echo: EchoUpstream;
  /** Admin API call that must succeed (2xx); returns the JSON body. */
  call(method: string, pathAndQuery: string, body?: unknown): Promise<any>;
  /** Waits until the gateway enforces the admin API's current revision. */
  sync(): Promise<number>;
  /** A request to the gateway. */
  request(pathAndQuery: string, req?: RawRequest): Promise<RawResponse>;
  /** Issues a token through the gateway's token endpoint (GET), failing loudly on refusal. */
  token(clientId: string, clientSecret: string, path?: string, host?: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startGatewayStack(opts: { gatewayEnv?: Record<string, string> } = {}): Promise<GatewayStack> {
  const echo = await startEchoUpstream();
  let admin: Awaited<ReturnType<typeof spawnAdmin>>;
  try {
    admin = await spawnAdmin();
  } catch (e) {
    await echo.close(); // else jest never exits: the echo server keeps the loop alive
    throw e;
  }
  let gateway: GatewayProcess;
  try {
    gateway = await spawnGateway({ dataDir: admin.dataDir, env: opts.gatewayEnv });
  } catch (e) {
    await admin.stop();
    await echo.close();
    throw e;
  }
  const call: GatewayStack['call'] = async (method, pathAndQuery, body) => {
    const r = await admin.api(method, pathAndQuery, body);
    if (r.status < 200 || r.status > 299) throw new Error(`${method} ${pathAndQuery} -> ${r.status} ${r.text}`);
    return r.json;
  };
  const sync = async () => gateway.waitForRevision((await call('GET', '/v1/revision')).revision);
  const request: GatewayStack['request'] = (p, req) => rawRequest(gateway.url, p, req);
  const token: GatewayStack['token'] = async (id, secret, path = '/oauth2/token', host) => {
    const q = new URLSearchParams({ grant_type: 'client_credentials', client_id: id, client_secret: secret });
    const r = await request(`${path}?${q}`, host ? { headers: { host } } : {});
    if (r.status !== 200) throw new Error(`token request -> ${r.status} ${r.text}`);
    return r.json.access_token;
  };
  const stop = async () => {
    await gateway.stop();
    await admin.stop();
    await echo.close();
  };
  return { admin, gateway, echo, call, sync, request, token, stop };
}
