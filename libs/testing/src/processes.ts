// Owner: admin-api engineer. Spawns the BUILT apps (node dist/...) as real child processes for e2e tests.
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeTempDir, TempDir } from './temp-dir';

/** Repository root (this file is libs/testing/src/processes.ts). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

export interface SpawnOptions {
  /** Entry relative to the repo root, e.g. `dist/apps/admin-api/src/main.js`. */
  entry: string;
  /** Extra environment (merged over process.env). OAUTH2_DATA_DIR defaults to a fresh temp dir. */
  env?: Record<string, string | undefined>;
  /** HTTP path polled (GET, expecting 2xx) after the `listening` line; default `/healthz`. */
  readyPath?: string;
  /** Which `listening` line carries the URL to poll, when an app logs several (default: the first). */
  urlField?: string;
  /** Give up waiting for readiness after this many ms (default 30000); the process is killed. */
  timeoutMs?: number;
}

export interface AppProcess {
  /** `http://host:port` from the app's `"msg":"listening"` log line. */
  url: string;
  dataDir: string;
  child: ChildProcess;
  /** Every stdout and stderr line so far (tests grep them for leaked secrets). */
  logs: string[];
  /** Parsed JSON log lines (non-JSON lines are skipped). */
  jsonLogs(): Record<string, unknown>[];
  /** Sends `signal` (default SIGTERM) and resolves with the exit code (null if killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Resolves when the process has exited, with its exit code. */
  exited: Promise<number | null>;
  /** Resolves with the first log line (past or future) matching `pattern`; rejects on exit or timeout. */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

/** Runs `node <entry>` until it fails to start; resolves with its exit code and output (for start-up refusals). */
export function runToExit(entry: string, env: Record<string, string | undefined>, timeoutMs = 30000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, entry)], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${entry} still running after ${timeoutMs} ms:\n${stdout}${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * Spawns `node <entry>` with a temp OAUTH2_DATA_DIR, waits for its `"msg":"listening"` JSON log line,
 * then polls `readyPath` until it answers 2xx (no fixed sleeps). Rejects with the captured output if
 * the process exits or times out first.
 */
export async function spawnApp(opts: SpawnOptions): Promise<AppProcess> {
  let temp: TempDir | undefined;
  const env = { ...process.env, ...opts.env };
  if (!opts.env?.OAUTH2_DATA_DIR) {
    temp = makeTempDir('oauth2-app-');
    env.OAUTH2_DATA_DIR = temp.path;
  }
  const dataDir = env.OAUTH2_DATA_DIR!;
  const child = spawn(process.execPath, [path.join(REPO_ROOT, opts.entry)], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let onLine: ((line: string) => void) | undefined;
  const waiters = new Set<(line: string) => void>();
  for (const stream of [child.stdout!, child.stderr!]) {
    let buf = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        logs.push(line);
        onLine?.(line);
        waiters.forEach((w) => w(line));
      }
    });
  }
  const parse = (line: string): Record<string, unknown> | null => {
    try {
      const v = JSON.parse(line);
      return v && typeof v === 'object' ? v : null;
    } catch {
      return null;
    }
  };
  const field = opts.urlField ?? 'url';
  const timeoutMs = opts.timeoutMs ?? 30000;
  const deadline = Date.now() + timeoutMs;
  const fail = (why: string) => {
    child.kill('SIGKILL');
    return new Error(`${opts.entry}: ${why}\n--- output ---\n${logs.join('\n')}`);
  };

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(fail(`no "listening" log line within ${timeoutMs} ms`)), timeoutMs);
    const check = (line: string) => {
      const j = parse(line);
      if (j && j.msg === 'listening' && typeof j[field] === 'string') {
        clearTimeout(timer);
        onLine = undefined;
        resolve(j[field] as string);
      }
    };
    onLine = check;
    logs.forEach(check);
    exited.then((code) => {
      clearTimeout(timer);
      reject(fail(`exited with code ${code} before listening`));
    });
  });

  const readyPath = opts.readyPath ?? '/healthz';
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await fetch(url + readyPath);
      await res.arrayBuffer();
      if (res.ok) break;
    } catch {
      /* not accepting yet */
    }
    if (child.exitCode !== null) throw fail(`exited with code ${child.exitCode} before ready`);
    if (Date.now() > deadline) throw fail(`${readyPath} not ready within ${timeoutMs} ms`);
    // Back off a little between polls; readiness is decided by the answer, not by this delay.
    await new Promise((r) => setTimeout(r, Math.min(10 * 2 ** attempt, 200)));
  }

  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    const code = await exited;
    temp?.cleanup();
    return code;
  };
  const waitForLog = (pattern: RegExp, ms = 10000) =>
    new Promise<string>((resolve, reject) => {
      const seen = logs.find((l) => pattern.test(l));
      if (seen !== undefined) return resolve(seen);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(w);
      };
      const w = (line: string) => {
        if (pattern.test(line)) {
          done();
          resolve(line);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no log line matching ${pattern} within ${ms} ms`));
      }, ms);
      waiters.add(w);
      exited.then(() => {
        done();
        reject(new Error(`process exited before logging ${pattern}`));
      });
    });
  return { url, dataDir, child, logs, exited, stop, waitForLog, jsonLogs: () => logs.map(parse).filter((x): x is Record<string, unknown> => x !== null) };
}

export const ADMIN_ENTRY = 'dist/apps/admin-api/src/main.js';

export interface AdminProcess extends AppProcess {
  /** The admin token in force (from OAUTH2_ADMIN_TOKEN, or read from `<dataDir>/admin.token`). */
  token: string;
  /** fetch() against the admin API with the admin token; `body` objects are sent as JSON. */
  api(method: string, pathAndQuery: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; headers: Headers; text: string; json: any }>;
}

export interface SpawnAdminOptions {
  env?: Record<string, string | undefined>;
  /** Default: a random token passed as OAUTH2_ADMIN_TOKEN. `false`: none, so the app writes `admin.token`. */
  token?: string | false;
}

/** Starts the built admin API on an ephemeral port with a temp data dir (unless `env.OAUTH2_DATA_DIR` is given). */
export async function spawnAdmin(opts: SpawnAdminOptions = {}): Promise<AdminProcess> {
  const token = opts.token === false ? undefined : (opts.token ?? randomBytes(24).toString('base64url'));
  const app = await spawnApp({ entry: ADMIN_ENTRY, env: { ADMIN_HOST: '127.0.0.1', ADMIN_PORT: '0', OAUTH2_ADMIN_TOKEN: token, ...opts.env } });
  const effective = token ?? readAdminToken(app.dataDir);
  return { ...app, token: effective, api: adminApi(app.url, effective) };
}

/** The `api` of an admin API at `url` (spawned or in-process): fetch() with the admin token; objects are sent as JSON, strings as is. */
export function adminApi(url: string, token: string): AdminProcess['api'] {
  return async (method, pathAndQuery, body, headers = {}) => {
    const h: Record<string, string> = { authorization: `Bearer ${token}`, ...headers };
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['content-type'] = 'application/json';
    }
    const res = await fetch(url + pathAndQuery, { method, headers: h, body: payload });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  };
}

/** Reads `<dataDir>/admin.token` (written 0600 by the first process that starts on that dir). */
export function readAdminToken(dataDir: string): string {
  return fs.readFileSync(path.join(dataDir, 'admin.token'), 'utf8').trim();
}
