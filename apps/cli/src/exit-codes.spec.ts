import { CommanderError, InvalidArgumentError } from 'commander';
import { ApiError, CliError, toFailure, UsageError } from './errors';
import { ExitCode, exitCodeForStatus } from './exit-codes';

describe('exitCodeForStatus', () => {
  it.each([
    [400, 2],
    [413, 2],
    [415, 2],
    [404, 3],
    [409, 3],
    [401, 4],
    [403, 4],
    [500, 1],
    [502, 1],
    [418, 1],
  ])('HTTP %i -> exit %i', (status, code) => {
    expect(exitCodeForStatus(status)).toBe(code);
  });
});

describe('toFailure (the one funnel)', () => {
  it('maps commander usage errors to exit 2 without the "error:" prefix', () => {
    const f = toFailure(new CommanderError(1, 'commander.unknownOption', "error: unknown option '--nope'"));
    expect(f).toEqual({ message: "unknown option '--nope'", exitCode: ExitCode.USAGE });
  });

  it('treats help and version as success with nothing more to print', () => {
    expect(toFailure(new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)'))).toEqual({ message: '', exitCode: 0 });
    expect(toFailure(new CommanderError(0, 'commander.version', '1.0.0'))).toEqual({ message: '', exitCode: 0 });
  });

  it('turns a missing subcommand (commander help with exit 1) into a usage error', () => {
    expect(toFailure(new CommanderError(1, 'commander.help', '(outputHelp)')).exitCode).toBe(ExitCode.USAGE);
  });

  it('treats the `help` verb (commander.help with exit 0) as success', () => {
    expect(toFailure(new CommanderError(0, 'commander.help', '(outputHelp)'))).toEqual({ message: '', exitCode: 0 });
  });

  it('keeps the exit code of typed CLI errors', () => {
    expect(toFailure(new UsageError('bad')).exitCode).toBe(2);
    expect(toFailure(new CliError('down', ExitCode.UNREACHABLE)).exitCode).toBe(5);
  });

  it('reduces unexpected errors to their message, exit 1, one line', () => {
    const f = toFailure(new TypeError('boom\n    at somewhere (file.js:1:1)'));
    expect(f.exitCode).toBe(1);
    expect(f.message).toBe('boom at somewhere (file.js:1:1)');
    expect(f.message).not.toMatch(/\n/);
    expect(toFailure('plain string').message).toBe('plain string');
  });

  it('InvalidArgumentError is a commander error too (exit 2)', () => {
    expect(toFailure(new InvalidArgumentError('must be an integer')).exitCode).toBe(2);
  });
});

describe('ApiError.fromResponse', () => {
  it('uses msg and appends errors[] the msg does not already hold', () => {
    const e = ApiError.fromResponse(400, { code: 400, msg: 'validation failed', errors: ['name must match', 'upstream must be a URL'] });
    expect(e.message).toBe('validation failed: name must match; upstream must be a URL');
    expect(e.exitCode).toBe(2);
  });

  it('does not repeat errors already joined into msg', () => {
    const e = ApiError.fromResponse(400, { code: 400, msg: 'a; b', errors: ['a', 'b'] });
    expect(e.message).toBe('a; b');
  });

  it('adds a token hint on 401 and maps it to exit 4', () => {
    const e = ApiError.fromResponse(401, { code: 401, msg: 'invalid admin token' });
    expect(e.exitCode).toBe(4);
    expect(e.message).toMatch(/^invalid admin token \(check --token/);
  });

  it('copes with non-JSON or empty bodies', () => {
    expect(ApiError.fromResponse(502, '<html>Bad Gateway</html>').message).toBe('<html>Bad Gateway</html>');
    expect(ApiError.fromResponse(404, '').message).toBe('admin API answered HTTP 404');
    expect(ApiError.fromResponse(404, '').exitCode).toBe(3);
  });
});
