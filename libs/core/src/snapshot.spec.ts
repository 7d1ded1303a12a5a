import { COMPILE_SLICE, compileSnapshot, compileSnapshotAsync, isTokenRequest } from './snapshot';
import { DEFAULT_SETTINGS } from './settings';
import { matchRoute } from './route-match';
import { matchRule } from './rule-match';
import type { SnapshotSource } from './model';

const source = (over: Partial<SnapshotSource> = {}): SnapshotSource => ({
  revision: 7,
  settings: { ...DEFAULT_SETTINGS, auth_header_name: 'X-Auth-Token' },
  consumers: [
    { name: 'alice', client_id: 'id-a', client_secret: 'secret-a-secret-a-secret-a-secret-a' },
    { name: 'bob', client_id: 'id-b', client_secret: 'sécret-b-secret-b-secret-b-secret-b' },
  ],
  routes: [{ name: 'ns/r', hosts: ['api.test'], path_prefix: '/v1/', upstream: 'http://127.0.0.1:1', strip_prefix: false }],
  rules: [{ id: 1, position: 1, routes: ['ns/r'], domains: null, allow: ['alice'] }],
  ...over,
});

describe('compileSnapshot', () => {
  it('indexes consumers by client_id and name, with the UTF-8 key bytes of the secret', () => {
    const s = compileSnapshot(source());
    expect(s.revision).toBe(7);
    expect(s.consumersByClientId.get('id-a')?.name).toBe('alice');
    expect(s.consumersByName.get('bob')?.client_id).toBe('id-b');
    expect(s.consumersByClientId.get('id-b')?.key.equals(Buffer.from('sécret-b-secret-b-secret-b-secret-b', 'utf8'))).toBe(true);
    expect(s.consumersByClientId.get('nobody')).toBeUndefined();
  });

  it('lower-cases the auth header name, as node:http presents header names', () => {
    expect(compileSnapshot(source()).authHeader).toBe('x-auth-token');
  });

  it('compiles routes and rules for the hot path', () => {
    const s = compileSnapshot(source());
    const route = matchRoute(s.routes, 'api.test', '/v1/x');
    expect(route?.name).toBe('ns/r');
    expect(matchRule(s.rules, route?.name, 'api.test')?.allowSet.has('alice')).toBe(true);
  });

  it('keeps the first of duplicate client ids', () => {
    const s = compileSnapshot(
      source({
        consumers: [
          { name: 'first', client_id: 'dup', client_secret: 'x'.repeat(32) },
          { name: 'second', client_id: 'dup', client_secret: 'y'.repeat(32) },
        ],
      }),
    );
    expect(s.consumersByClientId.get('dup')?.name).toBe('first');
  });

  it('is frozen and copies the settings', () => {
    const src = source();
    const s = compileSnapshot(src);
    expect(Object.isFrozen(s)).toBe(true);
    expect(Object.isFrozen(s.settings)).toBe(true);
    src.settings.issuer = 'changed';
    expect(s.settings.issuer).toBe('Higress-Gateway');
  });
});

describe('isTokenRequest (the path ends with auth_path)', () => {
  const s = compileSnapshot(source());
  it.each<[string, boolean]>([
    ['/oauth2/token', true],
    ['/foo/oauth2/token', true],
    ['/any/prefix/oauth2/token', true],
    ['/oauth2/token/', false],
    ['/oauth2/tokens', false],
    ['/oauth2', false],
    ['/', false],
  ])('%s -> %s', (path, expected) => {
    expect(isTokenRequest(s, path)).toBe(expected);
  });
});

describe('compileSnapshotAsync', () => {
  const many = (n: number) => source({ consumers: Array.from({ length: n }, (_, i) => ({ name: `c${i}`, client_id: `id-${i}`, client_secret: `secret-${i}-secret-secret-secret-secret` })) });

  it('pauses between slices of consumers and before the rules, and builds the same snapshot as compileSnapshot', async () => {
    const n = 2 * COMPILE_SLICE + 7;
    let pauses = 0;
    const s = await compileSnapshotAsync(many(n), async () => void pauses++);
    // One pause after each full slice, one between routes and rules.
    expect(pauses).toBe(Math.floor(n / COMPILE_SLICE) + 1);
    const sync = compileSnapshot(many(n));
    expect(s.consumersByClientId.size).toBe(n);
    expect([...s.consumersByClientId.keys()]).toEqual([...sync.consumersByClientId.keys()]);
    expect(s.consumersByClientId.get(`id-${n - 1}`)?.key.equals(sync.consumersByClientId.get(`id-${n - 1}`)!.key)).toBe(true);
    expect(s.consumersByName.get('c0')?.client_id).toBe('id-0');
    expect(matchRoute(s.routes, 'api.test', '/v1/x')?.name).toBe('ns/r');
    expect(Object.isFrozen(s)).toBe(true);
  });
});
