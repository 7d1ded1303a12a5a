import { compileRoutes, matchRoute, routeMismatchReason } from './route-match';
import type { RouteRecord } from './model';

const route = (name: string, hosts: string[], path_prefix = '/'): RouteRecord => ({ name, hosts, path_prefix, upstream: 'http://127.0.0.1:1', strip_prefix: false });

const table = compileRoutes([
  route('any-root', []),
  route('any-api', [], '/api'),
  route('exact-foo', ['foo.example.com'], '/foo'),
  route('exact-foo-bar', ['foo.example.com'], '/foo/bar/'),
  route('exact-root', ['Exact.Example.com']),
  route('wild', ['*.example.com'], '/'),
  route('wild-deep', ['*.b.example.com'], '/'),
  route('wild-deep-api', ['*.b.example.com'], '/api'),
  route('multi', ['one.test', 'two.test'], '/m'),
  route('ip', ['127.0.0.1'], '/'),
  route('v6', ['[::1]'], '/'),
]);

describe('matchRoute (SPEC §3.2)', () => {
  it.each<[string, string, string | undefined]>([
    // exact host beats wildcard and any-host; then longest prefix, per segment
    ['foo.example.com', '/foo', 'exact-foo'],
    ['foo.example.com', '/foo/', 'exact-foo'],
    ['foo.example.com', '/foo/x', 'exact-foo'],
    ['foo.example.com', '/foo/bar', 'exact-foo-bar'],
    ['foo.example.com', '/foo/bar/baz', 'exact-foo-bar'],
    ['foo.example.com', '/foo/barbaz', 'exact-foo'],
    // the exact group has no matching prefix: fall back to the wildcard group, then any-host
    ['foo.example.com', '/foobar', 'wild'],
    ['foo.example.com', '/', 'wild'],
    ['exact.example.com', '/anything', 'exact-root'],
    // the longest wildcard suffix wins
    ['a.example.com', '/x', 'wild'],
    ['a.b.example.com', '/x', 'wild-deep'],
    ['x.y.b.example.com', '/api/v1', 'wild-deep-api'],
    ['a.b.example.com', '/apix', 'wild-deep'],
    // a wildcard does not match its bare suffix
    ['example.com', '/', 'any-root'],
    ['b.example.com', '/', 'wild'],
    ['example.com', '/api/x', 'any-api'],
    ['example.com', '/apis', 'any-root'],
    ['one.test', '/m/1', 'multi'],
    ['two.test', '/m', 'multi'],
    ['two.test', '/n', 'any-root'],
    ['127.0.0.1', '/', 'ip'],
    ['[::1]', '/', 'v6'],
  ])('%s %s -> %s', (host, path, expected) => {
    expect(matchRoute(table, host, path)?.name).toBe(expected);
  });

  it('answers undefined when nothing matches', () => {
    const t = compileRoutes([route('only', ['a.test'], '/a')]);
    expect(matchRoute(t, 'a.test', '/b')).toBeUndefined();
    expect(matchRoute(t, 'b.test', '/a')).toBeUndefined();
    expect(matchRoute(compileRoutes([]), 'a.test', '/')).toBeUndefined();
  });

  it('breaks prefix-length ties by name, whatever the input order', () => {
    const a = compileRoutes([route('b', [], '/x'), route('a', [], '/y')]);
    const b = compileRoutes([route('a', [], '/y'), route('b', [], '/x')]);
    expect(a.anyHost.map((r) => r.name)).toEqual(['a', 'b']);
    expect(b.anyHost.map((r) => r.name)).toEqual(['a', 'b']);
  });

  it('indexes a route once per distinct host, whatever the case', () => {
    const t = compileRoutes([route('r', ['A.test', 'a.test'], '/')]);
    expect(t.exact.get('a.test')).toHaveLength(1);
    expect(t.byName.get('r')?.prefix).toBe('/');
  });
});

describe('routeMismatchReason', () => {
  const r = table.byName.get('exact-foo')!;
  const w = table.byName.get('wild')!;
  it.each<[typeof r, string, string, RegExp | null]>([
    [r, 'foo.example.com', '/foo/x', null],
    [r, 'bar.example.com', '/foo', /^host "bar.example.com" does not match foo.example.com$/],
    [r, 'foo.example.com', '/foobar', /^path "\/foobar" is not under \/foo$/],
    [w, 'a.b.example.com', '/', null],
    [w, 'example.com', '/', /does not match \*\.example\.com/],
    [table.byName.get('any-root')!, 'whatever', '/', null],
  ])('%#', (route, host, path, expected) => {
    const reason = routeMismatchReason(route, host, path);
    if (expected === null) expect(reason).toBeNull();
    else expect(reason).toMatch(expected);
  });
});
