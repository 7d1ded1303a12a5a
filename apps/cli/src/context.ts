import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { AdminClient } from './client';
import { CliError, UsageError } from './errors';
import { ExitCode } from './exit-codes';

export const DEFAULT_SERVER = 'http://127.0.0.1:8001';

/** Everything a run touches outside itself, so tests can drive `run()` in-process. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  readStdin(): Promise<string>;
  env: Record<string, string | undefined>;
  cwd: string;
}

export interface GlobalOptions {
  server?: string;
  token?: string;
  output: 'table' | 'json';
  ca?: string;
  timeout: number;
}

/** Whether `server` is plain http:// to a host other than loopback (`localhost`, 127.0.0.0/8, ::1). */
export function sendsTokenInClear(server: string): boolean {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    return false; // the client refuses it as a usage error before any request
  }
  if (url.protocol !== 'http:') return false;
  const h = url.hostname.toLowerCase();
  const loopback = h === 'localhost' || h.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(h) || h === '[::1]' || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(h);
  return !loopback;
}

const nonEmpty = (v: string | undefined): string | undefined => (v && v.trim() ? v.trim() : undefined);

/** Per-run state shared by the commands: global options, the lazily built client, and output. */
export class Context {
  private adminClient?: AdminClient;

  constructor(
    private readonly program: Command,
    readonly io: CliIO,
  ) {}

  get options(): GlobalOptions {
    return this.program.opts<GlobalOptions>();
  }

  get json(): boolean {
    return this.options.output === 'json';
  }

  /** --server, else OAUTH2_SERVER, else the admin API's default address. */
  get server(): string {
    return nonEmpty(this.options.server) ?? nonEmpty(this.io.env.OAUTH2_SERVER) ?? DEFAULT_SERVER;
  }

  /** --token, else OAUTH2_ADMIN_TOKEN, else `<OAUTH2_DATA_DIR or ./data>/admin.token`. */
  token(): string {
    const given = nonEmpty(this.options.token) ?? nonEmpty(this.io.env.OAUTH2_ADMIN_TOKEN);
    if (given) return given;
    const file = resolve(this.io.cwd, nonEmpty(this.io.env.OAUTH2_DATA_DIR) ?? 'data', 'admin.token');
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? `no admin token: pass --token, set OAUTH2_ADMIN_TOKEN, or run where ${file} exists` : `cannot read ${file} (${code})`;
      throw new CliError(why, ExitCode.AUTH);
    }
    const token = nonEmpty(text);
    if (!token) throw new CliError(`admin token file ${file} is empty`, ExitCode.AUTH);
    return token;
  }

  /** --ca, else OAUTH2_CA_FILE: the PEM bundle trusted for https (instead of the system CAs); unreadable = usage error. */
  caBundle(): { file: string; pem: Buffer } | undefined {
    const given = nonEmpty(this.options.ca) ?? nonEmpty(this.io.env.OAUTH2_CA_FILE);
    if (!given) return undefined;
    const file = resolve(this.io.cwd, given);
    try {
      return { file, pem: readFileSync(file) };
    } catch (err) {
      throw new UsageError(`cannot read the CA file ${file} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`);
    }
  }

  client(): AdminClient {
    this.adminClient ??= new AdminClient({ server: this.server, token: () => this.tokenFor(this.server), timeoutMs: this.options.timeout * 1000, ca: this.caBundle() });
    return this.adminClient;
  }

  private warnedPlainHttp = false;

  /** The admin token, once per run warning on stderr when it is about to cross a network in clear text. */
  private tokenFor(server: string): string {
    const token = this.token();
    if (!this.warnedPlainHttp && sendsTokenInClear(server)) {
      this.warnedPlainHttp = true;
      const host = new URL(server).host;
      this.warn(`sending the admin token over plain http:// to ${host}, a non-loopback address: anyone on the path can read it; use https:// or a loopback address`);
    }
    return token;
  }

  /** One warning line on stderr (JSON with -o json, like failures); stdout stays the command's output. */
  warn(message: string): void {
    this.io.stderr(this.json ? `${JSON.stringify({ warning: message })}\n` : `oauth2ctl: warning: ${message}\n`);
  }

  async close(): Promise<void> {
    await this.adminClient?.close();
  }

  /** Prints text with exactly one trailing newline. */
  print(text: string): void {
    this.io.stdout(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** `-o json`: the API's document, pretty, one per run, for `jq` and scripts. */
  printJson(value: unknown): void {
    this.print(JSON.stringify(value, null, 2));
  }

  /** Prints the API's JSON in json mode, else the table/text view of it. */
  render<T>(value: T, view: (v: T) => string): void {
    if (this.json) this.printJson(value);
    else this.print(view(value));
  }
}
