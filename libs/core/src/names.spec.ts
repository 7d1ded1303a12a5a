import { hostMatches, isValidHostPattern, isValidName, isValidPathPrefix, isValidUpstream, normalizeHost, normalizeHostPattern, normalizePathPrefix, pathPrefixMatches } from './names';

describe('normalizeHost', () => {
  it.each<[string | undefined, string]>([
    [undefined, ''],
    ['', ''],
    ['example.com', 'example.com'],
    ['Example.COM', 'example.com'],
    ['example.com:8080', 'example.com'],
    ['EXAMPLE.com:443', 'example.com'],
    ['example.com.', 'example.com'],
    ['example.com.:80', 'example.com'],
    ['127.0.0.1:8000', '127.0.0.1'],
    ['[::1]', '[::1]'],
    ['[::1]:8080', '[::1]'],
    ['[2001:DB8::1]:443', '[2001:db8::1]'],
  ])('%j -> %j', (input, expected) => {
    expect(normalizeHost(input)).toBe(expected);
  });
});

describe('isValidName', () => {
  it.each(['a', 'consumer1', 'higress-conformance-infra/wasmplugin-oauth', 'a.b_c~d:e@f-g', 'x'.repeat(253)])('accepts %j', (n) => {
    expect(isValidName(n)).toBe(true);
  });
  it.each<unknown>(['', 'x'.repeat(254), 'a b', 'a?b', 'a#b', 'é', 'a%2Fb', 'a\nb', 1, null, undefined, ['a']])('refuses %j', (n) => {
    expect(isValidName(n)).toBe(false);
  });
});

describe('host patterns', () => {
  it.each(['example.com', 'API.Example.com', '*.example.com', '*.com', 'localhost', '10.0.0.1', '[::1]', '[2001:db8::1]', 'a-b.c0.example'])('accepts %j', (p) => {
    expect(isValidHostPattern(p)).toBe(true);
  });
  it.each<unknown>([
    '',
    '*',
    '*.',
    '*example.com',
    'a.*.example.com',
    '*.*.example.com',
    'example.com:80',
    'example.com.',
    '-a.example.com',
    'a_b.example.com',
    'exa mple.com',
    '*.[::1]',
    'http://example.com',
    'a'.repeat(64) + '.com',
    7,
    null,
  ])('refuses %j', (p) => {
    expect(isValidHostPattern(p)).toBe(false);
  });
  it('normalizes patterns to lower case', () => {
    expect(normalizeHostPattern('*.Example.COM')).toBe('*.example.com');
  });

  it.each<[string, string, boolean]>([
    ['example.com', 'example.com', true],
    ['example.com', 'a.example.com', false],
    ['*.example.com', 'a.example.com', true],
    ['*.example.com', 'a.b.example.com', true],
    ['*.example.com', 'example.com', false],
    ['*.example.com', '.example.com', false],
    ['*.example.com', 'aexample.com', false],
    ['*.example.com', 'example.com.evil.net', false],
    ['*.com', 'example.com', true],
  ])('hostMatches(%j, %j) = %s', (pattern, host, expected) => {
    expect(hostMatches(pattern, host)).toBe(expected);
  });
});

describe('path prefixes', () => {
  it.each(['/', '/foo', '/foo/', '/foo/bar', '/a-b_c.d~e', '/v1/%2F'])('accepts %j', (p) => {
    expect(isValidPathPrefix(p)).toBe(true);
  });
  it.each<unknown>(['', 'foo', '/foo?x=1', '/foo#x', '/fo o', '/foo/../bar', '/./foo', '/..', 1, null, '/' + 'x'.repeat(2048)])('refuses %j', (p) => {
    expect(isValidPathPrefix(p)).toBe(false);
  });
  it.each<[string, string]>([
    ['/', '/'],
    ['/foo', '/foo'],
    ['/foo/', '/foo'],
    ['/foo//', '/foo'],
    ['//', '/'],
  ])('normalizePathPrefix(%j) = %j', (p, n) => {
    expect(normalizePathPrefix(p)).toBe(n);
  });

  it.each<[string, string, boolean]>([
    ['/', '/', true],
    ['/', '/anything/at/all', true],
    ['/foo', '/foo', true],
    ['/foo', '/foo/', true],
    ['/foo', '/foo/bar', true],
    ['/foo', '/foobar', false],
    ['/foo', '/fo', false],
    ['/foo', '/', false],
    ['/foo', '/Foo', false],
    ['/foo/bar', '/foo/bar/baz', true],
    ['/foo/bar', '/foo/barbaz', false],
    ['/foo/bar', '/foo', false],
  ])('pathPrefixMatches(%j, %j) = %s', (prefix, path, expected) => {
    expect(pathPrefixMatches(prefix, path)).toBe(expected);
  });
});

describe('isValidUpstream', () => {
  it.each(['http://127.0.0.1:8080', 'https://api.example.com', 'http://backend/base/path', 'http://[::1]:9000'])('accepts %j', (u) => {
    expect(isValidUpstream(u)).toBe(true);
  });
  it.each<unknown>(['', 'ftp://example.com', 'example.com', 'http://', 'http://a/?q=1', 'http://a/#f', 'http://user:pw@a/', 'file:///etc/passwd', 1, null])('refuses %j', (u) => {
    expect(isValidUpstream(u)).toBe(false);
  });
});
