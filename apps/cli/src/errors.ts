import { CommanderError } from 'commander';
import { ExitCode, exitCodeForStatus } from './exit-codes';

/** A failure with a message meant for humans and the exit code meant for scripts. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Bad flags or values caught before any request is sent. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, ExitCode.USAGE);
  }
}

/** The admin API answered with an error status; `msg` and `errors[]` come from its body. */
export class ApiError extends CliError {
  constructor(
    readonly status: number,
    message: string,
    /** The field the admin API blamed, if any. */
    readonly field?: string,
  ) {
    super(message, exitCodeForStatus(status));
  }

  /** Builds the one-line message from an error body `{"code":..,"msg":"..","errors":[..]}` (or whatever came back). */
  static fromResponse(status: number, body: unknown): ApiError {
    let msg = '';
    let details: string[] = [];
    let field: string | undefined;
    if (body && typeof body === 'object') {
      const b = body as { msg?: unknown; message?: unknown; errors?: unknown; field?: unknown };
      if (typeof b.field === 'string') field = b.field;
      const m = b.msg ?? b.message;
      msg = Array.isArray(m) ? m.map(String).join('; ') : typeof m === 'string' ? m : '';
      if (Array.isArray(b.errors)) details = b.errors.map((e) => (typeof e === 'string' ? e : JSON.stringify(e)));
    } else if (typeof body === 'string') {
      msg = body.trim().slice(0, 200);
    }
    if (!msg) msg = `admin API answered HTTP ${status}`;
    // Only append details the msg does not already say, so nothing is printed twice.
    const extra = details.filter((d) => !msg.includes(d));
    let text = extra.length ? `${msg}: ${extra.join('; ')}` : msg;
    if (status === 401) text += ' (check --token, OAUTH2_ADMIN_TOKEN or the data dir admin.token)';
    return new ApiError(status, text, field);
  }
}

/**
 * The store names the API's query parameter (`delete with force=true`); on the command line the
 * same thing is the `--force` flag of the remove command.
 */
export function withForceFlag(err: unknown): unknown {
  if (err instanceof ApiError && /\bforce=true\b/.test(err.message))
    return new ApiError(err.status, err.message.replace(/\bdelete with force=true\b/g, 'remove with --force').replace(/\bforce=true\b/g, '--force'), err.field);
  return err;
}

/** Collapses any text to one line so stderr stays one line per failure. */
export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

export interface Failure {
  /** Empty when nothing should be printed (help or version output already went out). */
  message: string;
  exitCode: ExitCode;
  /** The admin API's HTTP status and blamed field, when the failure is its answer. */
  status?: number;
  field?: string;
}

/**
 * The failure as one line on stderr: `oauth2ctl: <message>` for people, or with `-o json`
 * `{"error":{"message","exit_code","status"?,"field"?}}` for scripts.
 */
export function formatFailure(f: Failure, json: boolean): string {
  if (!json) return `oauth2ctl: ${f.message}\n`;
  const error: Record<string, unknown> = { message: f.message, exit_code: f.exitCode };
  if (f.status !== undefined) error.status = f.status;
  if (f.field !== undefined) error.field = f.field;
  return `${JSON.stringify({ error })}\n`;
}

/** Whether argv asks for `-o json` (read from argv so a failure while parsing it still honours it). */
export function wantsJson(argv: readonly string[]): boolean {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') return false;
    if ((a === '-o' || a === '--output') && argv[i + 1] === 'json') return true;
    if (a === '-ojson' || a === '--output=json') return true;
  }
  return false;
}

/**
 * The ONE funnel: any thrown value becomes a one-line message and an exit code.
 * Stack traces are never shown; unexpected errors keep only their message.
 */
export function toFailure(err: unknown): Failure {
  if (err instanceof ApiError) return { message: oneLine(err.message), exitCode: err.exitCode, status: err.status, ...(err.field ? { field: err.field } : {}) };
  if (err instanceof CliError) return { message: oneLine(err.message), exitCode: err.exitCode };
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return { message: '', exitCode: ExitCode.OK };
    // `help` output: fine with exit 0 (`oauth2ctl help consumer`); commander's exit 1 means help shown instead of a command.
    if (err.code === 'commander.help') return err.exitCode === 0 ? { message: '', exitCode: ExitCode.OK } : { message: 'missing command (see --help)', exitCode: ExitCode.USAGE };
    return { message: oneLine(err.message.replace(/^error:\s*/i, '')), exitCode: ExitCode.USAGE };
  }
  if (err instanceof Error) return { message: oneLine(err.message) || err.name, exitCode: ExitCode.FAILURE };
  return { message: oneLine(String(err)), exitCode: ExitCode.FAILURE };
}
