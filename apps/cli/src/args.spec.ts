import { Command, InvalidArgumentError } from 'commander';
import { collect, contentTypeFor, kidArg, nonNegativeInt, parseSettingAssignments, positiveInt, revocationId, ruleId, withPageOptions } from './args';
import { UsageError } from './errors';

describe('collect (repeatable list flags)', () => {
  it('accumulates repeats and splits commas', () => {
    expect(collect('b', collect('a'))).toEqual(['a', 'b']);
    expect(collect('a.example.com, *.b.com')).toEqual(['a.example.com', '*.b.com']);
  });
  it('refuses an empty value', () => {
    expect(() => collect(' , ')).toThrow(InvalidArgumentError);
  });
});

describe('integer flags', () => {
  it.each(['0', '7', '10000'])('nonNegativeInt accepts %s', (v) => expect(nonNegativeInt(v)).toBe(Number(v)));
  it.each(['-1', '1.5', 'x', '', '1e3', '99999999999999999999'])('nonNegativeInt refuses %p', (v) => {
    expect(() => nonNegativeInt(v)).toThrow(InvalidArgumentError);
  });
  it('positiveInt refuses 0', () => expect(() => positiveInt('0')).toThrow(InvalidArgumentError));
  it.each(['0', 'abc', '-3', '2.0'])('ruleId refuses %p as a usage error', (v) => expect(() => ruleId(v)).toThrow(UsageError));
  it('ruleId accepts a positive integer', () => expect(ruleId('12')).toBe(12));
  it('each id parser names its own id', () => {
    expect(() => ruleId('0')).toThrow('rule id must be a positive integer, got "0"');
    expect(() => revocationId('x')).toThrow('revocation id must be a positive integer, got "x"');
    expect(revocationId('7')).toBe(7);
  });
});

describe('kidArg (a kid travels in the URL path)', () => {
  it.each(['-_8ScA1', 'abc'])('accepts base64url %p', (v) => expect(kidArg(v)).toBe(v));
  it.each(['a/b', '../x', 'a b', '', 'x'.repeat(129)])('refuses %p as a usage error', (v) => expect(() => kidArg(v)).toThrow(UsageError));
});

describe('withPageOptions (--limit / --offset of every list)', () => {
  it('parses both with the shared parsers', () => {
    const cmd = withPageOptions(new Command('list')).exitOverride();
    cmd.parse(['--limit', '5', '--offset', '10'], { from: 'user' });
    expect(cmd.opts()).toEqual({ limit: 5, offset: 10 });
  });
  it('refuses a zero page size', () => {
    const cmd = withPageOptions(new Command('list'))
      .exitOverride()
      .configureOutput({ writeErr: () => undefined });
    expect(() => cmd.parse(['--limit', '0'], { from: 'user' })).toThrow(/must be an integer >= 1/);
  });
});

describe('parseSettingAssignments (settings set)', () => {
  it('types every value by its key', () => {
    expect(parseSettingAssignments(['token_ttl=60', 'keep_token=false', 'global_credentials=true', 'issuer=My Issuer', 'auth_path=/t', 'clock_skew_seconds=0'])).toEqual({
      token_ttl: 60,
      keep_token: false,
      global_credentials: true,
      issuer: 'My Issuer',
      auth_path: '/t',
      clock_skew_seconds: 0,
    });
  });

  it.each([
    ['global_auth=unset', null],
    ['global_auth=true', true],
    ['global_auth=false', false],
  ])('%s', (arg, value) => {
    expect(parseSettingAssignments([arg])).toEqual({ global_auth: value });
  });

  it('keeps "=" inside a value', () => {
    expect(parseSettingAssignments(['issuer=a=b'])).toEqual({ issuer: 'a=b' });
  });

  describe('refusals (exit 2, before any request)', () => {
    it.each([
      [[], /at least one/],
      [['nokey'], /expected key=value/],
      [['=x'], /expected key=value/],
      [['colour=blue'], /unknown setting "colour"/],
      [['token_ttl=0'], /token_ttl/],
      [['token_ttl=ten'], /token_ttl/],
      [['clock_skew_seconds=-1'], /clock_skew_seconds/],
      [['keep_token=yes'], /keep_token/],
      [['global_auth=maybe'], /global_auth/],
      [['auth_path=no-slash'], /auth_path/],
      [['auth_header_name=bad header'], /auth_header_name/],
      [['token_ttl=5', 'token_ttl=6'], /given twice/],
    ])('%p', (args, message) => {
      expect(() => parseSettingAssignments(args as string[])).toThrow(UsageError);
      expect(() => parseSettingAssignments(args as string[])).toThrow(message);
    });
  });
});

describe('contentTypeFor (apply -f)', () => {
  it.each([
    ['cfg.json', 'a: 1', 'application/json'],
    ['cfg.YAML', '{}', 'application/yaml'],
    ['cfg.yml', '{}', 'application/yaml'],
    ['-', '  {"consumers": []}', 'application/json'],
    ['-', 'consumers: []', 'application/yaml'],
    ['config.txt', '[1]', 'application/json'],
  ])('%s %p -> %s', (file, text, type) => {
    expect(contentTypeFor(file, text)).toBe(type);
  });
});
