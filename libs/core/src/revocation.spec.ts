import { DEFAULT_SETTINGS } from './settings';
import { compileSnapshot } from './snapshot';
import { checkRevoked, compileRevocations, type RevocableClaims } from './revocation';
import type { RevocationRecords } from './model';

const NOW = 1_800_000_000;
const SKEW = DEFAULT_SETTINGS.clock_skew_seconds;

function snap(rev?: RevocationRecords) {
  return compileSnapshot({ revision: 1, settings: { ...DEFAULT_SETTINGS }, consumers: [], routes: [], rules: [], revocations: rev });
}

const REV: RevocationRecords = {
  jtis: [
    { jti: 'j-live', exp: NOW + 100 },
    { jti: 'j-edge', exp: NOW - SKEW },
    { jti: 'j-gone', exp: NOW - SKEW - 1 },
    { jti: 'j-bob', exp: NOW + 100, client_id: 'bob' },
    { jti: 'j-bob-gone', exp: NOW - SKEW - 1, client_id: 'bob' },
  ],
  clients: [{ client_id: 'c-cut', revoked_before: NOW - 10 }],
};

describe('checkRevoked', () => {
  it.each<[string, RevocableClaims, boolean]>([
    ['a revoked jti', { jti: 'j-live', client_id: 'x', iat: NOW }, true],
    ['a revoked jti at exp + skew (still in force)', { jti: 'j-edge', client_id: 'x', iat: NOW }, true],
    ['a revoked jti past exp + skew (ignored)', { jti: 'j-gone', client_id: 'x', iat: NOW }, false],
    ['another jti', { jti: 'j-other', client_id: 'x', iat: NOW }, false],
    ['no jti, other client', { client_id: 'x', iat: NOW }, false],
    ['jti of the wrong type', { jti: 1, client_id: 'x', iat: NOW }, false],
    ['cut client, iat before the cut-off', { client_id: 'c-cut', iat: NOW - 11 }, true],
    ['cut client, iat at the cut-off (same second: kept)', { client_id: 'c-cut', iat: NOW - 10 }, false],
    ['cut client, iat after the cut-off', { client_id: 'c-cut', iat: NOW }, false],
    ['cut client, no iat', { client_id: 'c-cut' }, true],
    ['cut client, iat not a number', { client_id: 'c-cut', iat: '1900000000' }, true],
    ["a client's jti revocation, that client", { jti: 'j-bob', client_id: 'bob', iat: NOW }, true],
    ["a client's jti revocation, another client with the same jti", { jti: 'j-bob', client_id: 'alice', iat: NOW }, false],
    ["a client's jti revocation, no client_id claim", { jti: 'j-bob', iat: NOW }, false],
    ["a client's jti revocation past exp + skew", { jti: 'j-bob-gone', client_id: 'bob', iat: NOW }, false],
    ['a global jti revocation, any client', { jti: 'j-live', client_id: 'alice', iat: NOW }, true],
    ['a fresh token of a cut client whose jti is revoked', { jti: 'j-live', client_id: 'c-cut', iat: NOW }, true],
  ])('%s -> %s', (_n, claims, expected) => {
    expect(checkRevoked(snap(REV), claims, NOW)).toBe(expected);
  });

  it('nothing is revoked without revocations (absent or empty)', () => {
    expect(checkRevoked(snap(), { jti: 'j-live', client_id: 'c-cut' }, NOW)).toBe(false);
    expect(checkRevoked(snap({ jtis: [], clients: [] }), { jti: 'j-live', client_id: 'c-cut' }, NOW)).toBe(false);
  });

  it('uses the snapshot clock skew', () => {
    const s = compileSnapshot({ revision: 1, settings: { ...DEFAULT_SETTINGS, clock_skew_seconds: 0 }, consumers: [], routes: [], rules: [], revocations: REV });
    expect(checkRevoked(s, { jti: 'j-edge' }, NOW)).toBe(false);
    expect(checkRevoked(s, { jti: 'j-edge' }, NOW - SKEW)).toBe(true);
  });

  it('compiles duplicates to the latest entry', () => {
    const t = compileRevocations({
      jtis: [
        { jti: 'a', exp: 5 },
        { jti: 'a', exp: 3 },
      ],
      clients: [
        { client_id: 'c', revoked_before: 1 },
        { client_id: 'c', revoked_before: 9 },
      ],
    });
    expect(t.revokedJtis.get('a')).toBe(5);
    expect(t.revokedBefore.get('c')).toBe(9);
  });

  it('keeps global and per-client jti revocations apart', () => {
    const t = compileRevocations({
      jtis: [
        { jti: 'a', exp: 5, client_id: 'bob' },
        { jti: 'a', exp: 7, client_id: 'bob' },
        { jti: 'b', exp: 3 },
      ],
      clients: [],
    });
    expect(t.revokedJtis.has('a')).toBe(false);
    expect(t.revokedClientJtis.get('bob')?.get('a')).toBe(7);
    expect(t.revokedJtis.get('b')).toBe(3);
  });
});
