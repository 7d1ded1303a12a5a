/**
 * `npm start` (scripts/start.js) as a new user meets it: a summary with URLs a person can open (not
 * 0.0.0.0), what listens where, the /docs URL and the next command; one ISO time format in the logs
 * of both apps; and when one app of the pair exits, the log says why the other one stops.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { makeTempDir, REPO_ROOT, type TempDir } from '@oauth2/testing';

jest.setTimeout(60_000);

let temp: TempDir;
let child: ChildProcess;
let stderr = '';
let stdout = '';
let exited: Promise<number | null>;

function waitFor(pattern: RegExp, ms = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (pattern.test(stderr) || pattern.test(stdout)) {
        clearInterval(timer);
        clearTimeout(deadline);
        resolve();
      }
    };
    const timer = setInterval(check, 20);
    const deadline = setTimeout(() => {
      clearInterval(timer);
      reject(new Error(`npm start: no ${pattern} within ${ms} ms\n${stdout}\n${stderr}`));
    }, ms);
    check();
  });
}

const jsonLines = () =>
  (stdout + stderr)
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

beforeAll(async () => {
  temp = makeTempDir('oauth2-npm-start-');
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', OAUTH2_DATA_DIR: temp.path, ADMIN_PORT: '0', GATEWAY_PORT: '0', GATEWAY_STATUS_PORT: '0' };
  child = spawn(process.execPath, [path.join(REPO_ROOT, 'scripts', 'start.js')], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (c: Buffer) => (stdout += c));
  child.stderr!.on('data', (c: Buffer) => (stderr += c));
  exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  await waitFor(/next: bin\/oauth2ctl status/);
});

afterAll(async () => {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  await exited;
  temp.cleanup();
});

const row = (name: string): string[] => {
  const line = stderr.split('\n').find((l) => l.startsWith(`  ${name.padEnd(12)}`));
  if (!line) throw new Error(`no "${name}" row in the summary:\n${stderr}`);
  return line
    .slice(14)
    .trim()
    .split(/\s{2,}/);
};

describe('npm start', () => {
  it('prints URLs a person can open, what listens where, the docs URL and the next command', async () => {
    const [gw, gwWhat] = row('gateway');
    const [st, stWhat] = row('status');
    const [ad, adWhat] = row('admin API');
    const [docs, docsWhat] = row('API docs');
    const [consoleUrl, consoleWhat] = row('console');
    expect(gw).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(st).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(ad).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(docs).toBe(`${ad}/docs`);
    expect(consoleUrl).toBe(`${ad}/console/`);
    expect(consoleWhat).toBe('web console (sign in with the admin token)');
    expect(gwWhat).toMatch(/proxy and token endpoint; listens on all interfaces \(0\.0\.0\.0:\d+\): reachable from other machines/);
    expect(stWhat).toMatch(/\/healthz \/readyz \/revision \/metrics; listens on/);
    expect(adWhat).toMatch(/listens on 127\.0\.0\.1:\d+ only/);
    expect(docsWhat).toContain(`${ad}/docs/openapi.json`);
    expect(row('admin token')[0]).toBe(path.join(temp.path, 'admin.token'));
    expect(row('data dir')[0]).toBe(temp.path);
    // No 0.0.0.0 URL anywhere in the summary (it cannot be opened on every system).
    expect(stderr).not.toMatch(/http:\/\/0\.0\.0\.0/);
    const page = await fetch(consoleUrl);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await page.text()).toContain('<div id="root">');
    for (const url of [`${gw.replace(/\/$/, '')}/`, `${st}/healthz`, `${ad}/healthz`, docs, `${ad}/docs/openapi.json`]) {
      const res = await fetch(url);
      await res.arrayBuffer();
      expect({ url, reached: res.status > 0 && res.status < 500 }).toEqual({ url, reached: true });
    }
  });

  it('both apps log time in one format, ISO 8601', () => {
    const lines = jsonLines();
    const apps = new Set(lines.map((l) => l.app));
    expect(apps).toEqual(new Set(['admin-api', 'gateway']));
    for (const l of lines) expect({ app: l.app, msg: l.msg, time: l.time }).toEqual({ app: l.app, msg: l.msg, time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) });
  });

  it('when the admin API is stopped, the log says why the gateway stops too', async () => {
    const adminPid = jsonLines().find((l) => l.app === 'admin-api' && l.msg === 'listening')?.pid as number;
    expect(typeof adminPid).toBe('number');
    process.kill(adminPid, 'SIGTERM');
    expect(await exited).toBe(0);
    const lines = jsonLines();
    const reason = lines.findIndex((l) => l.app === 'npm-start' && /^admin API exited with code 0; stopping the gateway too \(npm start runs them as a pair\)$/.test(String(l.msg)));
    const shutdown = lines.findIndex((l) => l.app === 'gateway' && /^shutting down on SIGTERM/.test(String(l.msg)));
    expect(reason).toBeGreaterThanOrEqual(0);
    expect(shutdown).toBeGreaterThanOrEqual(0);
    // Two streams (the launcher's stderr, the gateway's stdout): order them by time, not by position.
    expect(String(lines[reason].time) <= String(lines[shutdown].time)).toBe(true);
  });
});

describe('npm test', () => {
  const note = (env: Record<string, string>) => execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'test-notes.js')], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });

  it('says once, before jest, that the PostgreSQL tests skip without OAUTH2_TEST_POSTGRES_URL', () => {
    expect(note({})).toMatch(/^note: the PostgreSQL tests are skipped: OAUTH2_TEST_POSTGRES_URL is not set .*\n$/);
    expect(note({ OAUTH2_TEST_POSTGRES_URL: 'postgres://u:p@127.0.0.1:5432/db' })).toBe('');
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.test).toMatch(/^node scripts\/test-notes\.js && jest\b/);
  });
});
