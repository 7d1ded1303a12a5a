import { normalizePath, normalizeRoutePrefix, parseRequestTarget } from './request-target';

describe('normalizePath: one spelling, or refused', () => {
  it.each<[string, string]>([
    ['/admin/x', '/admin/x'],
    ['/ADMIN/x', '/ADMIN/x'], // case kept; matching lower-cases (parseRequestTarget.matchPath)
    ['//admin/x', '/admin/x'],
    ['/a///b//', '/a/b/'],
    ['/%61dmin/x', '/admin/x'],
    ['/%41DMIN', '/ADMIN'],
    ['/ap%69/x', '/api/x'],
    ['/%7euser/%2D', '/~user/-'],
    ['/caf%c3%a9', '/caf%C3%A9'], // not unreserved: kept encoded, hex upper-cased
    ['/a%20b', '/a%20b'],
    ['/a%3Bb', '/a%3Bb'], // an encoded ; is data, not a parameter
    ['/..b/c.d/.e', '/..b/c.d/.e'],
    ['/.well-known/jwks.json', '/.well-known/jwks.json'],
  ])('%s -> %s', (input, out) => {
    expect(normalizePath(input)).toEqual({ ok: true, path: out });
  });

  it.each<[string, RegExp]>([
    ['/admin%2fx', /encoded slash/],
    ['/admin%2Fx', /encoded slash/],
    ['/admin%5cx', /encoded slash/],
    ['/admin\\x', /backslash/],
    ['/admin;x=1', /parameter/],
    ['/pub/..;/admin/x', /parameter/],
    ['/admin#frag', /fragment/],
    ['/a/../b', /dot segment/],
    ['/a/./b', /dot segment/],
    ['/..', /dot segment/],
    ['/a/%2e%2E/b', /dot segment/],
    ['/a/.%2e', /dot segment/],
    ['/a//..//b', /dot segment/],
    ['/a%zz', /percent/],
    ['/a%4', /percent/],
    ['/a%00', /control/],
    ['/a b', /space/],
    ['/caf\u00e9', /non-ASCII/],
    ['admin', /start with/],
  ])('%s refused (%s)', (input, why) => {
    const r = normalizePath(input);
    expect(r.ok).toBe(false);
    expect(r.ok === false && r.reason).toMatch(why);
  });

  it('returns the very same string on the common path (no allocation)', () => {
    const p = '/api/v1/orders/42';
    const r = normalizePath(p);
    expect(r.ok && r.path).toBe(p);
  });
});

describe('parseRequestTarget', () => {
  it('origin-form: host from Host (lower case, no port), query kept as sent, matchPath lower-cased', () => {
    expect(parseRequestTarget('//API/x?a=%2F&b', 'Api.Test:8080')).toEqual({ ok: true, host: 'api.test', authority: undefined, path: '/API/x', matchPath: '/api/x', query: '?a=%2F&b' });
  });

  it('absolute-form: the authority replaces Host, and is kept for X-Forwarded-Host', () => {
    expect(parseRequestTarget('http://Other.test:81/a/b?q', 'secure.example.com')).toMatchObject({ ok: true, host: 'other.test', authority: 'Other.test:81', path: '/a/b', query: '?q' });
    expect(parseRequestTarget('HTTPS://h.test', 'x')).toMatchObject({ ok: true, host: 'h.test', path: '/', query: '' });
    expect(parseRequestTarget('http://h.test?x=1', 'x')).toMatchObject({ ok: true, path: '/', query: '?x=1' });
  });

  it.each(['http://h.test/a/../b', 'http://h.test/%2e%2e/admin', 'http://user@h.test/', 'http:///x', 'ftp://h/x', '*', 'x', '/a?b#c', 'http://h.test#f'])('%s refused', (t) => {
    expect(parseRequestTarget(t, 'h.test').ok).toBe(false);
  });
});

describe('normalizeRoutePrefix', () => {
  it.each<[string, string]>([
    ['/', '/'],
    ['/foo/', '/foo'],
    ['/foo//', '/foo'],
    ['//', '/'],
    ['/%61pi', '/api'],
    ['/Admin', '/Admin'],
  ])('%s -> %s', (p, out) => expect(normalizeRoutePrefix(p)).toBe(out));
});
