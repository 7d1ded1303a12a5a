/** Process exit codes of oauth2ctl (docs/cli.md). Scripts branch on these, so they never change meaning. */
export const ExitCode = {
  OK: 0,
  FAILURE: 1,
  USAGE: 2,
  NOT_FOUND: 3,
  AUTH: 4,
  UNREACHABLE: 5,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Maps an admin API error status to the exit code a script sees. */
export function exitCodeForStatus(status: number): ExitCode {
  switch (status) {
    case 400:
    case 413:
    case 415:
    case 422:
      return ExitCode.USAGE;
    case 404:
    case 409:
      return ExitCode.NOT_FOUND;
    case 401:
    case 403:
      return ExitCode.AUTH;
    default:
      return ExitCode.FAILURE;
  }
}
