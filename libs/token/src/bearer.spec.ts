import { extractBearerToken } from './index';

describe('extractBearerToken (docs/request-flow.md, bearer)', () => {
  it.each<[string, string]>([
    ['Bearer abc.def.ghi', 'abc.def.ghi'],
    ['bearer abc', 'abc'],
    ['BEARER abc', 'abc'],
    ['BeArEr abc', 'abc'],
    ['Bearer    abc', 'abc'],
    ['Bearer abc   ', 'abc'],
    ['  Bearer abc', 'abc'],
    ['Bearer a~b+c/d=', 'a~b+c/d='],
  ])('%j -> token %j', (header, token) => {
    expect(extractBearerToken(header)).toEqual({ ok: true, token });
  });

  describe('refusals', () => {
    it.each<[string, string | string[] | undefined]>([
      ['missing_token', undefined],
      ['missing_token', ''],
      ['missing_token', '   '],
      ['missing_token', []],
      ['bad_scheme', 'Basic dXNlcjpwYXNz'],
      ['bad_scheme', 'xBearer t'],
      ['bad_scheme', 'Bearert'],
      ['bad_scheme', 'Bearer'],
      ['bad_scheme', 'Bearer '],
      ['bad_scheme', 'Bearer    '],
      ['bad_scheme', 'Bearer a b'],
      ['bad_scheme', 'Bearer a  b  '],
      ['bad_scheme', 'Bearer\tabc'],
      ['bad_scheme', 'Bearer abc\t'],
      ['bad_scheme', 'Bearer abc\u00e9'],
      ['bad_scheme', 'Bearer abc\u0000'],
      ['bad_scheme', 'Token abc'],
      ['bad_scheme', 'Bear abc'],
      // Higress finds "Bearer " anywhere in the value; we refuse what precedes it.
      ['bad_scheme', 'Basic x, Bearer abc'],
      ['bad_scheme', 'alksdjf'],
      ['bad_scheme', ['Bearer a', 'Bearer b']],
      ['bad_scheme', ['Bearer a']],
    ])('%s: %j', (code, header) => {
      expect(extractBearerToken(header)).toEqual({ ok: false, code });
    });
  });
});
