import { compileConsumer } from '@oauth2/core';
import { grantScopes } from './token-endpoint';

// SPEC §8.2: what a token request's `scope` becomes, per consumer kind.
const SECRET = 'grant-scopes-secret-0123456789abcdef0123';
const restricted = compileConsumer({ name: 'r', client_id: 'r', client_secret: SECRET, scopes: ['orders:read', 'orders:write'] });
const empty = compileConsumer({ name: 'e', client_id: 'e', client_secret: SECRET, scopes: [] });
const unrestricted = compileConsumer({ name: 'u', client_id: 'u', client_secret: SECRET });

describe('grantScopes', () => {
  it.each<[string, ReturnType<typeof compileConsumer>, string | null, ReturnType<typeof grantScopes>]>([
    ['restricted, none asked: the whole list', restricted, null, { ok: true, claim: 'orders:read orders:write', response: 'orders:read orders:write' }],
    ['restricted, empty scope: the whole list', restricted, '', { ok: true, claim: 'orders:read orders:write', response: 'orders:read orders:write' }],
    ['restricted, a subset (repeats and extra spaces folded)', restricted, 'orders:write  orders:write', { ok: true, claim: 'orders:write', response: 'orders:write' }],
    ['restricted, one it lacks: named', restricted, 'orders:read admin', { ok: false, scope: 'admin' }],
    ['restricted, outside the charset', restricted, 'orders:read a"b', { ok: false }],
    ['empty list, none asked: no claim, "scope": "" in the answer', empty, null, { ok: true, response: '' }],
    ['empty list, any asked: refused', empty, 'x', { ok: false, scope: 'x' }],
    ['unrestricted, none asked: as today', unrestricted, null, { ok: true }],
    ['unrestricted: copied as given, no scope in the answer', unrestricted, 'admin  orders:write', { ok: true, claim: 'admin  orders:write' }],
    ['unrestricted, outside the charset', unrestricted, 'a\\b', { ok: false }],
  ])('%s', (_n, consumer, requested, expected) => {
    expect(grantScopes(consumer, requested)).toEqual(expected);
  });
});
