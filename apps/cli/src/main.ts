import { ExitCode } from './exit-codes';
import { formatFailure, toFailure, wantsJson } from './errors';
import { buildProgram } from './program';
import type { CliIO } from './context';

/**
 * Runs oauth2ctl with `argv` (without node and script) and returns the exit code.
 * Every failure goes through the one funnel: one line on stderr, `oauth2ctl: <message>` (or JSON
 * with `-o json`).
 */
export async function run(argv: string[], io: CliIO): Promise<number> {
  let ctx: ReturnType<typeof buildProgram>['ctx'] | undefined;
  try {
    const built = buildProgram(io);
    ctx = built.ctx;
    await built.program.parseAsync(argv, { from: 'user' });
    return ExitCode.OK;
  } catch (err) {
    const failure = toFailure(err);
    if (failure.message) io.stderr(formatFailure(failure, wantsJson(argv)));
    return failure.exitCode;
  } finally {
    await ctx?.close().catch(() => undefined);
  }
}

function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (c: Buffer) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

export function processIO(): CliIO {
  return {
    stdout: (s) => void process.stdout.write(s),
    stderr: (s) => void process.stderr.write(s),
    readStdin,
    env: process.env,
    cwd: process.cwd(),
  };
}

/** Entry point used by bin/oauth2ctl. Sets the exit code and lets stdout drain instead of process.exit(). */
export function cli(): void {
  // `oauth2ctl export | head`: a closed pipe is not an error worth a trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
  run(process.argv.slice(2), processIO()).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(formatFailure(toFailure(err), wantsJson(process.argv.slice(2))));
      process.exitCode = ExitCode.FAILURE;
    },
  );
}

if (require.main === module) cli();
