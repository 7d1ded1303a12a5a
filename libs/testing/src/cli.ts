// Owner: cli engineer. Runs the real bin/oauth2ctl as a child process for e2e tests, alone or
// pointed at an admin API this file spawns, and the one-line-failure check every CLI test makes.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { REPO_ROOT, spawnAdmin, type AdminProcess, type SpawnAdminOptions } from './processes';

export const OAUTH2CTL_BIN = path.join(REPO_ROOT, 'bin', 'oauth2ctl');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  /** The whole environment besides PATH (nothing else of the test process is inherited). */
  env?: Record<string, string>;
  cwd?: string;
  /** Written to stdin, then closed; without it stdin is /dev/null. */
  stdin?: string;
}

/** Runs `node bin/oauth2ctl ...args` and resolves with its exit code and output once it has exited. */
export function runOauth2ctl(args: string[], opts: CliRunOptions = {}): Promise<CliResult> {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, [OAUTH2CTL_BIN, ...args], {
      cwd: opts.cwd,
      env: { PATH: process.env.PATH ?? '', ...opts.env },
      stdio: [opts.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c));
    child.stderr!.on('data', (c: Buffer) => (stderr += c));
    child.on('error', fail);
    child.on('close', (code) => ok({ code, stdout, stderr }));
    if (opts.stdin !== undefined) child.stdin!.end(opts.stdin);
  });
}

/** A refusal: exit `code`, nothing on stdout, exactly one line `oauth2ctl: ...` on stderr (matching `message` when given). */
export function expectCliFailure(r: CliResult, code: number, message?: RegExp): void {
  expect({ code: r.code, stdout: r.stdout }).toEqual({ code, stdout: '' });
  expect(r.stderr).toMatch(/^oauth2ctl: [^\n]+\n$/);
  if (message) expect(r.stderr).toMatch(message);
}

export interface AdminCli {
  /** The admin API, spawned in beforeAll. */
  readonly admin: AdminProcess;
  /** bin/oauth2ctl pointed at it (OAUTH2_SERVER, OAUTH2_ADMIN_TOKEN), run in its data dir. */
  oauth2ctl(args: string[], stdin?: string): Promise<CliResult>;
}

/** For one e2e file: spawns an admin API in beforeAll (stopped in afterAll) and runs oauth2ctl against it. */
export function adminWithCli(opts?: SpawnAdminOptions): AdminCli {
  let admin: AdminProcess | undefined;
  beforeAll(async () => {
    admin = await spawnAdmin(opts);
  }, 30_000);
  afterAll(async () => {
    await admin?.stop();
  });
  const started = (): AdminProcess => {
    if (!admin) throw new Error('adminWithCli: the admin API is not started (use it inside tests or later hooks)');
    return admin;
  };
  return {
    get admin() {
      return started();
    },
    oauth2ctl: (args, stdin) => runOauth2ctl(args, { cwd: started().dataDir, env: { OAUTH2_SERVER: started().url, OAUTH2_ADMIN_TOKEN: started().token }, stdin }),
  };
}
