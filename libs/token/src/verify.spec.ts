import { createHmac } from 'node:crypto';
import { AT_HEADER, b64url, craftHs256, hs256Signature, mutate, standardClaims, withExtraMember } from '@oauth2/testing';
import { verifyAccessToken, MAX_TOKEN_LENGTH, type TokenConsumer, type VerifyOptions } from './index';

// Tokens here are crafted with node:crypto (libs/testing/jwt-craft), never with our signer.
const ALICE_SECRET = 'alice-secret-alice-secret-alice-secret';
const BOB_SECRET = 'bob-secret-bob-secret-bob-secret-bob-sec';
const alice: TokenConsumer = { name: 'alice', client_id: 'alice-id', key: Buffer.from(ALICE_SECRET) };
const bob: TokenConsumer = { name: 'bob', client_id: 'bob-id', key: Buffer.from(BOB_SECRET) };
const keyring = new Map([
  [alice.client_id, alice],
  [bob.client_id, bob],
]);

const NOW = 1_700_000_000;
const SKEW = 60;
const ISS = 'Higress-Gateway';
const opts: VerifyOptions = { issuer: ISS, clockSkewSeconds: SKEW, nowSeconds: NOW };

const claims = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  ...standardClaims({ name: 'alice', clientId: 'alice-id', now: NOW, issuer: ISS }),
  ...over,
});
const without = (key: string): Record<string, unknown> => {
  const c = claims();
  delete c[key];
  return c;
};
const token = (over: Record<string, unknown> = {}, header: object | string = AT_HEADER, secret = ALICE_SECRET): string => craftHs256(header, claims(over), secret);
const VALID = token();

/** The valid token's signature re-spelled with a non-canonical last character (same 32 bytes). */
function nonCanonicalSignature(t: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = alphabet.indexOf(t[t.length - 1]);
  return t.slice(0, -1) + alphabet[last + 1];
}

describe('verifyAccessToken', () => {
  describe('accepts', () => {
    it.each<[string, string, Partial<VerifyOptions>?]>([
      ['a standard token', VALID],
      ['typ at+jwt', token({}, { alg: 'HS256', typ: 'at+jwt' })],
      ['typ in another case', token({}, { alg: 'HS256', typ: 'Application/AT+JWT' })],
      ['a header written with an escaped slash (Go)', craftHs256('{"alg":"HS256","typ":"application\\/at+jwt"}', claims(), ALICE_SECRET)],
      ['header members in another order, with spaces', craftHs256('{ "typ" : "at+jwt", "alg" : "HS256" }', claims(), ALICE_SECRET)],
      ['a kid/jku/jwk header (ignored: the key comes from client_id only)', token({}, { ...AT_HEADER, kid: 'x', jku: 'https://evil.example/jwks', jwk: { kty: 'oct', k: 'AA' } })],
      ['aud as an array', token({ aud: ['route-a', 'default'] })],
      ['no aud', craftHs256(AT_HEADER, without('aud'), ALICE_SECRET)],
      ['no iat, no jti', craftHs256(AT_HEADER, { ...without('iat'), jti: undefined }, ALICE_SECRET)],
      ['extra claims and a scope', token({ scope: 'read write', extra: { a: [1] } })],
      ['exp inside the skew (59 s ago)', token({ exp: NOW - SKEW + 1 })],
      ['a fractional exp', token({ exp: NOW + 0.5 })],
      ['iat at the edge of the skew', token({ iat: NOW + SKEW })],
      ['nbf at the edge of the skew', token({ nbf: NOW + SKEW })],
      ['a 100-year skew (Higress tests) on a 50-year-old token', token({ iat: NOW - 1.5e9, exp: NOW - 1.5e9 + 7200 }), { clockSkewSeconds: 3153600000 }],
      ['a 100-year skew on a token issued 50 years ahead', token({ iat: NOW + 1.5e9, nbf: NOW + 1.5e9, exp: NOW + 1.5e9 + 1 }), { clockSkewSeconds: 3153600000 }],
      ['exp at MAX_SAFE_INTEGER with a huge skew', token({ exp: Number.MAX_SAFE_INTEGER }), { clockSkewSeconds: Number.MAX_SAFE_INTEGER }],
      ['a 6 KiB token', token({ pad: 'x'.repeat(4000) })],
    ])('%s', (...[, t, o]) => {
      const r = verifyAccessToken(t, keyring, { ...opts, ...o });
      expect(r).toMatchObject({ ok: true, consumer: alice });
      expect(r.ok && r.claims.sub).toBe('alice');
    });

    it('picks the consumer named by client_id', () => {
      const r = verifyAccessToken(craftHs256(AT_HEADER, { ...claims(), client_id: 'bob-id', sub: 'bob' }, BOB_SECRET), keyring, opts);
      expect(r.ok && r.consumer).toBe(bob);
    });
  });

  describe('refusals', () => {
    const [h, p, s] = VALID.split('.');
    const hugeToken = token({ pad: 'x'.repeat(MAX_TOKEN_LENGTH) });
    it.each<[string, string, string, Partial<VerifyOptions>?]>([
      // malformed: shape and encoding
      ['malformed', 'empty string', ''],
      ['malformed', 'one part', 'abc'],
      ['malformed', 'two parts', mutate.twoParts(VALID)],
      ['malformed', 'four parts', mutate.fourParts(VALID)],
      ['malformed', 'no signature (h.p.)', mutate.stripSignature(VALID)],
      ['malformed', 'empty header part', `.${p}.${s}`],
      ['malformed', 'empty payload part', `${h}..${s}`],
      ['malformed', 'padded base64', mutate.padded(VALID)],
      ['malformed', 'standard alphabet (+ /) in the signature', mutate.standardAlphabet(craftHs256(AT_HEADER, claims(), ALICE_SECRET, { signature: '-_' + s.slice(2) }))],
      ['malformed', 'a + in the payload', `${h}.${p.slice(0, -1)}+.${s}`],
      ['malformed', 'a space inside', `${h}.${p} .${s}`],
      ['malformed', 'a non-ASCII character', `${h}.${p}é.${s}`],
      ['malformed', 'a part of length 4n+1 (no encoder writes one)', `${h}.${p}${'A'.repeat((5 - (p.length % 4)) % 4 || 4)}.${s}`],
      ['malformed', `a token over ${MAX_TOKEN_LENGTH} characters`, hugeToken],
      ['malformed', 'header not JSON', `${b64url('{"alg":')}.${p}.${s}`],
      ['malformed', 'header a JSON array', craftHs256('["HS256"]', claims(), ALICE_SECRET)],
      ['malformed', 'header JSON null', craftHs256('null', claims(), ALICE_SECRET)],
      ['malformed', 'payload not JSON', craftHs256(AT_HEADER, '{"sub":', ALICE_SECRET)],
      ['malformed', 'payload a JSON array', craftHs256(AT_HEADER, '[1,2]', ALICE_SECRET)],
      ['malformed', 'payload a JSON string', craftHs256(AT_HEADER, '"alice"', ALICE_SECRET)],
      ['malformed', 'payload a JSON number', craftHs256(AT_HEADER, '42', ALICE_SECRET)],
      // bad_typ
      ['bad_typ', 'typ missing', token({}, { alg: 'HS256' })],
      ['bad_typ', 'typ JWT', token({}, { alg: 'HS256', typ: 'JWT' })],
      ['bad_typ', 'typ application/jwt', token({}, { alg: 'HS256', typ: 'application/jwt' })],
      ['bad_typ', 'typ a number', token({}, { alg: 'HS256', typ: 1 })],
      // bad_alg
      ['bad_alg', 'alg none, unsigned', craftHs256({ alg: 'none', typ: 'at+jwt' }, claims(), '', { signature: 'AAAA' })],
      ['bad_alg', 'alg HS384', craftHs256({ alg: 'HS384', typ: 'at+jwt' }, claims(), ALICE_SECRET, { hash: 'sha384' })],
      ['bad_alg', 'alg HS512', craftHs256({ alg: 'HS512', typ: 'at+jwt' }, claims(), ALICE_SECRET, { hash: 'sha512' })],
      ['bad_alg', 'alg RS256', token({}, { alg: 'RS256', typ: 'at+jwt' })],
      ['bad_alg', 'alg lowercase hs256', token({}, { alg: 'hs256', typ: 'at+jwt' })],
      ['bad_alg', 'alg missing', token({}, { typ: 'at+jwt' })],
      // bad_header
      ['bad_header', 'crit', token({}, { ...AT_HEADER, crit: ['exp'] })],
      ['bad_header', 'empty crit', token({}, { ...AT_HEADER, crit: [] })],
      ['bad_header', 'b64 false', token({}, { ...AT_HEADER, b64: false })],
      // unknown_client
      ['unknown_client', 'client_id missing', craftHs256(AT_HEADER, without('client_id'), ALICE_SECRET)],
      ['unknown_client', 'client_id unknown', token({ client_id: 'carol-id' })],
      ['unknown_client', 'client_id empty', token({ client_id: '' })],
      ['unknown_client', 'client_id of an inherited property', token({ client_id: 'constructor' })],
      // bad_claims before the signature: a client_id that is not a string names no key
      ['bad_claims', 'client_id a number', token({ client_id: 7 })],
      // bad_signature
      ['bad_signature', "signed with another consumer's secret", token({}, AT_HEADER, BOB_SECRET)],
      ['bad_signature', 'one signature character changed', mutate.flipSignatureChar(VALID)],
      ['bad_signature', 'a non-canonical last signature character', nonCanonicalSignature(VALID)],
      ['bad_signature', 'a signature one character short', VALID.slice(0, -4) + VALID.slice(-3)],
      ['bad_signature', 'a signature one character long', VALID + 'A'],
      ['bad_signature', 'a 64-byte (HS512) signature on an HS256 header', `${h}.${p}.${createHmac('sha512', ALICE_SECRET).update(`${h}.${p}`).digest('base64url')}`],
      ['bad_signature', 'header swapped after signing', mutate.withHeader(VALID, { typ: 'at+jwt', alg: 'HS256' })],
      ['bad_signature', 'payload of bob under alice signature', `${h}.${b64url(JSON.stringify({ ...claims(), client_id: 'bob-id', sub: 'bob' }))}.${s}`],
      ['bad_signature', 'signed with an empty key', craftHs256({ alg: 'HS256', typ: 'at+jwt' }, claims(), '')],
      // bad_claims
      ['bad_claims', 'exp a string', token({ exp: String(NOW + 100) })],
      ['bad_claims', 'exp null', token({ exp: null })],
      ['bad_claims', 'exp overflowing to Infinity', craftHs256(AT_HEADER, JSON.stringify(claims()).replace(/"exp":\d+/, '"exp":1e400'), ALICE_SECRET)],
      ['bad_claims', 'iat a string', token({ iat: 'now' })],
      ['bad_claims', 'nbf a boolean', token({ nbf: true })],
      ['bad_claims', 'iss a number', token({ iss: 1 })],
      ['bad_claims', 'sub an array', token({ sub: ['alice'] })],
      ['bad_claims', 'aud a number', token({ aud: 1 })],
      ['bad_claims', 'aud an array holding a number', token({ aud: ['default', 1] })],
      ['bad_claims', 'scope an object', token({ scope: { read: true } })],
      // bad_issuer / bad_subject
      ['bad_issuer', 'another issuer', token({ iss: 'evil' })],
      ['bad_issuer', 'no iss', craftHs256(AT_HEADER, without('iss'), ALICE_SECRET)],
      ['bad_issuer', 'issuer differing in case', token({ iss: 'higress-gateway' })],
      ['bad_subject', "sub naming another consumer (bob) on alice's client_id", token({ sub: 'bob' })],
      ['bad_subject', 'no sub', craftHs256(AT_HEADER, without('sub'), ALICE_SECRET)],
      // expired: valid strictly before exp + skew
      ['expired', 'exp exactly skew seconds ago', token({ exp: NOW - SKEW })],
      ['expired', 'exp long ago', token({ exp: NOW - 86400 })],
      ['expired', 'exp missing', craftHs256(AT_HEADER, without('exp'), ALICE_SECRET)],
      ['expired', 'exp just past with no skew', token({ exp: NOW }), { clockSkewSeconds: 0 }],
      // not_yet_valid
      ['not_yet_valid', 'iat beyond the skew', token({ iat: NOW + SKEW + 1 })],
      ['not_yet_valid', 'nbf beyond the skew', token({ nbf: NOW + SKEW + 1 })],
      ['not_yet_valid', 'iat one second ahead with no skew', token({ iat: NOW + 1 }), { clockSkewSeconds: 0 }],
    ])('%s: %s', (...[code, , t, o]) => {
      expect(verifyAccessToken(t, keyring, { ...opts, ...o })).toEqual({ ok: false, code });
    });
  });

  describe('check order (docs/request-flow.md): the first failing check names the failure', () => {
    it.each<[string, string, string]>([
      ['bad_typ', 'bad typ and bad alg', token({}, { alg: 'none', typ: 'JWT' })],
      ['bad_alg', 'bad alg and unknown client', token({ client_id: 'nobody' }, { alg: 'none', typ: 'at+jwt' })],
      ['bad_header', 'crit and unknown client', token({ client_id: 'nobody' }, { ...AT_HEADER, crit: ['x'] })],
      ['unknown_client', 'unknown client and a bad signature', token({ client_id: 'nobody' }, AT_HEADER, 'whatever')],
      ['bad_signature', 'bad signature and a wrong-typed exp', token({ exp: 'soon' }, AT_HEADER, BOB_SECRET)],
      ['bad_signature', 'bad signature and a wrong issuer', token({ iss: 'evil' }, AT_HEADER, BOB_SECRET)],
      ['bad_claims', 'wrong-typed claim and wrong issuer', token({ iss: 'evil', exp: 'soon' })],
      ['bad_issuer', 'wrong issuer and wrong subject', token({ iss: 'evil', sub: 'bob' })],
      ['bad_subject', 'wrong subject and expired', token({ sub: 'bob', exp: 1 })],
      ['expired', 'expired and not yet valid', token({ exp: 1, iat: NOW + 3600 })],
    ])('%s: %s', (...[code, , t]) => {
      expect(verifyAccessToken(t, keyring, opts)).toEqual({ ok: false, code });
    });
  });

  describe('duplicate member names (a parser differential: JSON.parse keeps the last, others the first)', () => {
    const dup = (over: Record<string, unknown>, key: string, value: unknown) => withExtraMember(claims(over), key, value);
    it.each<[string, string]>([
      ['payload sub twice, root then alice', craftHs256(AT_HEADER, `{"sub":"root",${JSON.stringify(claims()).slice(1)}`, ALICE_SECRET)],
      ['payload sub twice, alice then root', craftHs256(AT_HEADER, dup({}, 'sub', 'root'), ALICE_SECRET)],
      ['payload client_id twice', craftHs256(AT_HEADER, dup({}, 'client_id', 'alice-id'), ALICE_SECRET)],
      ['payload aud twice', craftHs256(AT_HEADER, dup({}, 'aud', 'admin'), ALICE_SECRET)],
      ['payload exp twice', craftHs256(AT_HEADER, dup({}, 'exp', NOW + 100), ALICE_SECRET)],
      ['a duplicate spelled with a \\u escape (s\\u0075b)', craftHs256(AT_HEADER, `${JSON.stringify(claims()).slice(0, -1)},"s\\u0075b":"root"}`, ALICE_SECRET)],
      ['a duplicate inside a nested claim', craftHs256(AT_HEADER, JSON.stringify(claims()).slice(0, -1) + ',"cnf":{"x5t#S256":"a","x5t#S256":"b"}}', ALICE_SECRET)],
      ['a duplicate in an object inside an array, three levels down', craftHs256(AT_HEADER, JSON.stringify(claims()).slice(0, -1) + ',"x":[1,{"y":[{"z":1,"z":2}]}]}', ALICE_SECRET)],
      ['header alg twice', craftHs256(withExtraMember(AT_HEADER, 'alg', 'HS256'), claims(), ALICE_SECRET)],
      ['header typ twice', craftHs256(withExtraMember({ alg: 'HS256', typ: 'JWT' }, 'typ', 'at+jwt'), claims(), ALICE_SECRET)],
      ['header crit hidden by a second member', craftHs256('{"alg":"HS256","typ":"at+jwt","crit":["exp"],"crit":null}', claims(), ALICE_SECRET)],
    ])('%s -> malformed', (_, t) => {
      expect(verifyAccessToken(t, keyring, opts)).toEqual({ ok: false, code: 'malformed' });
    });

    it.each<[string, string]>([
      ['colons and quotes inside strings', craftHs256(AT_HEADER, { ...claims(), note: 'a:b "c:d" \\ : \\"', 'x:y': '::' }, ALICE_SECRET)],
      ['the same name in different objects', craftHs256(AT_HEADER, { ...claims(), a: { sub: 1, a: { sub: 2 } }, b: [{ sub: 1 }, { sub: 2 }] }, ALICE_SECRET)],
      ['names differing only in case, an accent or a backslash', craftHs256(AT_HEADER, { ...claims(), Sub: 'x', subé: 'y', 'sub\\': 'z' }, ALICE_SECRET)],
      ['a header with a kid and spaces', craftHs256('{ "alg" : "HS256" , "typ" : "at+jwt" , "kid" : "a:b" }', claims(), ALICE_SECRET)],
      ['empty objects and arrays', craftHs256(AT_HEADER, { ...claims(), e: {}, f: [], g: [[], {}, [{}]] }, ALICE_SECRET)],
    ])('accepted: %s', (_, t) => {
      expect(verifyAccessToken(t, keyring, opts)).toMatchObject({ ok: true });
    });

    it('thousands of nesting levels do not exhaust the stack', () => {
      const deep = JSON.stringify(claims()).slice(0, -1) + ',"d":' + '['.repeat(2000) + '{"a":1,"a":2}' + ']'.repeat(2000) + '}';
      expect(verifyAccessToken(craftHs256(AT_HEADER, deep, ALICE_SECRET), keyring, opts)).toEqual({ ok: false, code: 'malformed' });
      const deepObj = JSON.stringify(claims()).slice(0, -1) + ',"d":' + '{"a":'.repeat(900) + '1' + '}'.repeat(900) + '}';
      expect(verifyAccessToken(craftHs256(AT_HEADER, deepObj, ALICE_SECRET), keyring, opts)).toMatchObject({ ok: true });
    });
  });

  describe('lifetime (maxLifetimeSeconds: the gateway passes token_ttl)', () => {
    const TTL = 7200;
    const o: Partial<VerifyOptions> = { maxLifetimeSeconds: TTL };
    const noIat = (exp: number) => craftHs256(AT_HEADER, { ...without('iat'), exp }, ALICE_SECRET);
    it.each<[string, string, Partial<VerifyOptions>?]>([
      ['exp - iat exactly token_ttl', token({ exp: NOW + TTL })],
      ['exp - iat = token_ttl - 1 (Higress reads the clock twice)', token({ iat: NOW - 1, exp: NOW + TTL - 2 })],
      ['no iat, exp exactly now + skew + token_ttl', noIat(NOW + SKEW + TTL)],
      ['a Higress-style token under a 100-year skew', token({ iat: NOW - 1.5e9, exp: NOW - 1.5e9 + TTL }), { clockSkewSeconds: 3153600000 }],
      ['no bound when the option is unset', token({ exp: 1e308 }), { maxLifetimeSeconds: undefined }],
    ])('accepted: %s', (...[, t, over]) => {
      expect(verifyAccessToken(t, keyring, { ...opts, ...o, ...over })).toMatchObject({ ok: true });
    });

    it.each<[string, string, Partial<VerifyOptions>?]>([
      ['exp = 1e308', token({ exp: 1e308 })],
      ['exp = MAX_SAFE_INTEGER', token({ exp: Number.MAX_SAFE_INTEGER })],
      ['exp - iat one second over token_ttl', token({ exp: NOW + TTL + 1 })],
      ['exp - iat half a second over token_ttl', token({ exp: NOW + TTL + 0.5 })],
      ['a year-long token issued an hour ago', token({ iat: NOW - 3600, exp: NOW - 3600 + 365 * 86400 })],
      ['iat far in the past, exp valid now (a long-lived token near its end)', token({ iat: NOW - 1e6, exp: NOW + 10 })],
      ['no iat, exp one second past now + skew + token_ttl', noIat(NOW + SKEW + TTL + 1)],
      ['no iat, exp = 1e308', noIat(1e308)],
      // The skew is not added to exp - iat: a 100-year skew must not allow 100-year tokens.
      ['a 99-year token under a 100-year skew', token({ exp: NOW + 99 * 365 * 86400 }), { clockSkewSeconds: 3153600000 }],
      ['exp - iat = token_ttl + 1 under a 100-year skew', token({ exp: NOW + TTL + 1 }), { clockSkewSeconds: 3153600000 }],
      ['a lowered token_ttl refuses a token minted under the old one', token({ exp: NOW + TTL }), { maxLifetimeSeconds: 600 }],
    ])('refused: %s -> bad_lifetime', (...[, t, over]) => {
      expect(verifyAccessToken(t, keyring, { ...opts, ...o, ...over })).toEqual({ ok: false, code: 'bad_lifetime' });
    });

    it('comes after the time checks: an expired long-lived token is expired, a future one not_yet_valid', () => {
      expect(verifyAccessToken(token({ iat: NOW - 1e6, exp: NOW - 3600 }), keyring, { ...opts, ...o })).toEqual({ ok: false, code: 'expired' });
      expect(verifyAccessToken(token({ iat: NOW + 3600, exp: 1e308 }), keyring, { ...opts, ...o })).toEqual({ ok: false, code: 'not_yet_valid' });
    });
  });

  it('verifies the raw segments: a re-serialised header with the same meaning breaks the signature', () => {
    const raw = craftHs256('{"alg":"HS256","typ":"application\\/at+jwt"}', claims(), ALICE_SECRET);
    const [, p, sig] = raw.split('.');
    expect(verifyAccessToken(`${b64url(JSON.stringify(AT_HEADER))}.${p}.${sig}`, keyring, opts)).toEqual({ ok: false, code: 'bad_signature' });
    expect(hs256Signature(raw.slice(0, raw.lastIndexOf('.')), ALICE_SECRET)).toBe(sig);
  });

  it('does not throw on non-string input', () => {
    expect(verifyAccessToken(undefined as unknown as string, keyring, opts)).toEqual({ ok: false, code: 'malformed' });
  });
});
