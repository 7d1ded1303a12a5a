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

describe('matchRoute (docs/request-flow.md, route)', () => {
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

describe('prefix index', () => {
  /** The pre-index semantics, spelled out: scan a group sorted longest prefix first, then by name. */
  function reference(routes: RouteRecord[], host: string, path: string): string | undefined {
    const norm = (p: string) => (p.length > 1 ? p.replace(/\/+$/, '') || '/' : p);
    const matches = (prefix: string) => prefix === '/' || (path.startsWith(prefix) && (path.length === prefix.length || path[prefix.length] === '/'));
    const best = (group: RouteRecord[]) =>
      group
        .map((r) => ({ r, p: norm(r.path_prefix) }))
        .filter((x) => matches(x.p))
        .sort((a, b) => b.p.length - a.p.length || (a.r.name < b.r.name ? -1 : 1))[0]?.r.name;
    const exact = best(routes.filter((r) => r.hosts.includes(host)));
    if (exact) return exact;
    for (let i = host.indexOf('.', 1); i > 0; i = host.indexOf('.', i + 1)) {
      const w = best(routes.filter((r) => r.hosts.includes('*' + host.slice(i))));
      if (w) return w;
    }
    return best(routes.filter((r) => r.hosts.length === 0));
  }

  it('finds the longest prefix among thousands of routes of one group', () => {
    const many = Array.from({ length: 5000 }, (_, i) => route(`r${i}`, [], `/svc${i}/v${i % 7}`));
    many.push(route('svc42', [], '/svc42'), route('root', [], '/'));
    const t = compileRoutes(many);
    expect(matchRoute(t, 'x.test', '/svc42/v0/items/1')?.name).toBe('r42');
    expect(matchRoute(t, 'x.test', '/svc42/v1')?.name).toBe('svc42');
    expect(matchRoute(t, 'x.test', '/svc42')?.name).toBe('svc42');
    expect(matchRoute(t, 'x.test', '/svc4200')?.name).toBe('root');
    expect(matchRoute(t, 'x.test', '/')?.name).toBe('root');
  });

  it('breaks ties on the same prefix (also spelled with a trailing slash) by the lowest name', () => {
    const t = compileRoutes([route('zeta', [], '/api/'), route('alpha', [], '/api'), route('mid', [], '/api//')]);
    expect(matchRoute(t, 'h', '/api/x')?.name).toBe('alpha');
    expect(matchRoute(t, 'h', '/api')?.name).toBe('alpha');
    expect(matchRoute(t, 'h', '/api/')?.name).toBe('alpha');
    expect(matchRoute(t, 'h', '/apix')).toBeUndefined();
  });

  it('lets a root route match every path, and only a root route match "/"', () => {
    const t = compileRoutes([route('a', ['h'], '/a'), route('r', ['h'], '/')]);
    expect(matchRoute(t, 'h', '/')?.name).toBe('r');
    expect(matchRoute(t, 'h', '/a/')?.name).toBe('a');
    expect(matchRoute(t, 'h', '//a')?.name).toBe('r');
    expect(matchRoute(t, 'h', '*')?.name).toBe('r');
  });

  it('agrees with a plain scan on 3,000 seeded random cases', () => {
    let seed = 12345;
    const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
    const seg = () => ['a', 'b', 'ab', 'c', ''][rnd(5)];
    const randPath = (max: number) => '/' + Array.from({ length: rnd(max) }, seg).join('/') + (rnd(4) === 0 ? '/' : '');
    const hostsPool = [[], ['h.test'], ['*.test'], ['*.h.test'], ['x.h.test'], ['h.test', '*.h.test']];
    const routes = Array.from({ length: 60 }, (_, i) => route(`n${rnd(40)}-${i}`, hostsPool[rnd(hostsPool.length)], randPath(4)));
    const t = compileRoutes(routes);
    const hosts = ['h.test', 'x.h.test', 'y.h.test', 'test', 'other', 'a.b.h.test'];
    for (let k = 0; k < 3000; k++) {
      const host = hosts[rnd(hosts.length)];
      const path = randPath(6);
      expect([host, path, matchRoute(t, host, path)?.name]).toEqual([host, path, reference(routes, host, path)]);
    }
  });
});
