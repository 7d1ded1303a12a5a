import { AT_HEADER, craftHs256, seededRandom as prng, standardClaims } from '@oauth2/testing';
import { verifyAccessToken, type TokenConsumer, type VerifyOptions } from './index';

const SECRET = 'alice-secret-alice-secret-alice-secret';
const alice: TokenConsumer = { name: 'alice', client_id: 'alice-id', key: Buffer.from(SECRET) };
const keyring = new Map([[alice.client_id, alice]]);
const NOW = 1_700_000_000;
const opts: VerifyOptions = { issuer: 'Higress-Gateway', clockSkewSeconds: 60, nowSeconds: NOW };
const VALID = craftHs256(AT_HEADER, standardClaims({ name: 'alice', clientId: 'alice-id', now: NOW }), SECRET);
const CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ \t\u00e9\u0000';

function mutateOnce(t: string, rnd: () => number): string {
  const i = Math.floor(rnd() * (t.length + 1));
  const ch = CHARS[Math.floor(rnd() * CHARS.length)];
  switch (Math.floor(rnd() * 6)) {
    case 0:
      return t.slice(0, i) + ch + t.slice(i + 1); // replace
    case 1:
      return t.slice(0, i) + ch + t.slice(i); // insert
    case 2:
      return t.slice(0, i) + t.slice(i + 1); // delete
    case 3:
      return t.slice(0, i); // truncate
    case 4: {
      // swap two parts
      const p = t.split('.');
      const a = Math.floor(rnd() * p.length);
      const b = Math.floor(rnd() * p.length);
      [p[a], p[b]] = [p[b], p[a]];
      return p.join('.');
    }
    default: {
      // flip one bit of one decoded byte of a part, re-encoded
      const p = t.split('.');
      const k = Math.floor(rnd() * p.length);
      const bytes = Buffer.from(p[k], 'base64url');
      if (bytes.length > 0) bytes[Math.floor(rnd() * bytes.length)] ^= 1 << Math.floor(rnd() * 8);
      p[k] = bytes.toString('base64url');
      return p.join('.');
    }
  }
}

describe('verify fuzz (seeded)', () => {
  it.each([1, 2, 3])('seed %i: 1,500 mutations of a valid token never throw and never pass unless unchanged', (seed) => {
    const rnd = prng(seed);
    let passed = 0;
    for (let n = 0; n < 1500; n++) {
      let t = VALID;
      const rounds = 1 + Math.floor(rnd() * 3);
      for (let r = 0; r < rounds; r++) t = mutateOnce(t, rnd);
      const result = verifyAccessToken(t, keyring, opts);
      if (result.ok) {
        passed++;
        expect(t).toBe(VALID);
      }
    }
    expect(passed).toBeLessThan(1500); // the mutations did mutate
  });

  it('random claim values, correctly signed: never throws; a pass always meets every rule', () => {
    const rnd = prng(42);
    const values: unknown[] = ['', 'alice', 'bob', 'Higress-Gateway', 'alice-id', 0, -1, NOW, NOW + 30, NOW - 30, NOW + 3600, NOW - 3600, 1e308, null, true, [], ['default'], [1], {}, '1700000000'];
    const pick = (): unknown => values[Math.floor(rnd() * values.length)];
    let passed = 0;
    let refused = 0;
    for (let n = 0; n < 2000; n++) {
      // Start valid; each claim has a 1 in 4 chance of being replaced by a random value or removed.
      const claims: Record<string, unknown> = { ...standardClaims({ name: 'alice', clientId: 'alice-id', now: NOW }), nbf: NOW };
      for (const k of ['iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'client_id']) {
        if (rnd() < 0.25) {
          if (rnd() < 0.15) delete claims[k];
          else claims[k] = pick();
        }
      }
      const r = verifyAccessToken(craftHs256(AT_HEADER, claims, SECRET), keyring, opts);
      if (!r.ok) refused++;
      else {
        passed++;
        expect(claims.client_id).toBe('alice-id');
        expect(claims.iss).toBe('Higress-Gateway');
        expect(claims.sub).toBe('alice');
        expect(typeof claims.exp === 'number' && NOW < claims.exp + 60).toBe(true);
        expect(claims.iat === undefined || (typeof claims.iat === 'number' && claims.iat <= NOW + 60)).toBe(true);
        expect(claims.nbf === undefined || (typeof claims.nbf === 'number' && claims.nbf <= NOW + 60)).toBe(true);
        expect(claims.aud === undefined || typeof claims.aud === 'string' || (Array.isArray(claims.aud) && claims.aud.every((a) => typeof a === 'string'))).toBe(true);
      }
    }
    // Both outcomes occur, so the property above is not vacuous.
    expect(passed).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(100);
  });
});
