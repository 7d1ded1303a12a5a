import { Pool } from 'undici';
import { AT_HEADER, b64url, craftHs256, rng, runConcurrent, standardClaims, startGatewayStack, type GatewayStack } from '@oauth2/testing';

// Hostile tokens against the running gateway (the verify step of docs/request-flow.md). Every token here is crafted with
// node:crypto (libs/testing), independently of the gateway's signer and verifier.
jest.setTimeout(90_000);

const ALICE = { name: 'alice', id: 'alice-id', secret: 'alice-secret-0123456789abcdef-0123456789' };
const BOB = { name: 'bob', id: 'bob-id', secret: 'bob-secret-0123456789abcdef-0123456789xx' };
const ATTACKER_SECRET = 'attacker-chosen-secret-0123456789abcdef';
const SKEW = 60;

let s: GatewayStack;
let pool: Pool;
const now = () => Math.floor(Date.now() / 1000);
const claims = (extra: Record<string, unknown> = {}, who = ALICE) => ({ ...standardClaims({ name: who.name, clientId: who.id, now: now() }), ...extra });
const aliceToken = (extra: Record<string, unknown> = {}, header: object | string = AT_HEADER) => craftHs256(header, claims(extra), ALICE.secret);

/** Status of GET /app/... with `authorization` (a full header value). */
async function statusWith(authorization: string): Promise<number> {
  const r = await pool.request({ method: 'GET', path: '/app/x', headers: { authorization } });
  await r.body.dump();
  return r.statusCode;
}
const bearer = (t: string) => statusWith(`Bearer ${t}`);

beforeAll(async () => {
  s = await startGatewayStack();
  await s.call('POST', '/v1/consumers', { name: ALICE.name, client_id: ALICE.id, client_secret: ALICE.secret });
  await s.call('POST', '/v1/consumers', { name: BOB.name, client_id: BOB.id, client_secret: BOB.secret });
  await s.call('POST', '/v1/routes', { name: 'app', upstream: s.echo.url, path_prefix: '/app' });
  await s.call('POST', '/v1/rules', { routes: ['app'], allow: [ALICE.name] });
  await s.call('PATCH', '/v1/settings', { clock_skew_seconds: SKEW });
  await s.sync();
  pool = new Pool(s.gateway.url, { connections: 20 });
});
afterAll(async () => {
  await pool?.close();
  await s?.stop();
});

describe('controls', () => {
  it('a well-formed alice token passes (so the refusals below are about the tampering)', async () => {
    expect(await bearer(aliceToken())).toBe(200);
  });
  it('a well-formed bob token is authenticated but not allowed here: 403', async () => {
    expect(await bearer(craftHs256(AT_HEADER, claims({}, BOB), BOB.secret))).toBe(403);
  });
});

describe('refusals: header tricks, alg confusion, foreign keys', () => {
  const h = (extra: Record<string, unknown>) => ({ ...AT_HEADER, ...extra });
  it.each<[string, () => string]>([
    ['alg none, no signature', () => `${b64url(JSON.stringify(h({ alg: 'none' })))}.${b64url(JSON.stringify(claims()))}.`],
    ['alg none, with a valid HS256 signature', () => aliceToken({}, h({ alg: 'none' }))],
    ['alg HS384 (signed with HMAC-SHA384)', () => craftHs256(h({ alg: 'HS384' }), claims(), ALICE.secret, { hash: 'sha384' })],
    ['alg HS512 (signed with HMAC-SHA512)', () => craftHs256(h({ alg: 'HS512' }), claims(), ALICE.secret, { hash: 'sha512' })],
    ['alg hs256 (case changed)', () => aliceToken({}, h({ alg: 'hs256' }))],
    ['alg RS256 header over an HMAC signature (key confusion)', () => aliceToken({}, h({ alg: 'RS256' }))],
    ['alg as an array', () => aliceToken({}, h({ alg: ['HS256'] }))],
    ['typ JWT instead of at+jwt', () => aliceToken({}, h({ typ: 'JWT' }))],
    ['typ missing', () => aliceToken({}, { alg: 'HS256' })],
    ['crit header (any crit is refused)', () => aliceToken({}, h({ crit: ['exp'] }))],
    ['jku to an attacker key set, signed with the attacker key', () => craftHs256(h({ jku: 'http://127.0.0.1:1/jwks.json' }), claims(), ATTACKER_SECRET)],
    ['embedded jwk with the attacker key, signed with it', () => craftHs256(h({ jwk: { kty: 'oct', k: b64url(ATTACKER_SECRET) } }), claims(), ATTACKER_SECRET)],
    ['kid naming bob, signed with bob secret, claims alice', () => craftHs256(h({ kid: BOB.id }), claims(), BOB.secret)],
    ['alice claims signed with bob secret', () => craftHs256(AT_HEADER, claims(), BOB.secret)],
    ['client_id bob (bob secret) but sub alice', () => craftHs256(AT_HEADER, claims({ client_id: BOB.id }), BOB.secret)],
    ['signed with an empty secret', () => craftHs256(AT_HEADER, claims(), '')],
    ['unknown client_id', () => craftHs256(AT_HEADER, claims({ client_id: 'nobody' }), ALICE.secret)],
    ['wrong issuer', () => aliceToken({ iss: 'Evil-Gateway' })],
    ['exp missing', () => aliceToken({ exp: undefined })],
    ['expired beyond the skew', () => aliceToken({ exp: now() - SKEW - 60, iat: now() - 7200 })],
    ['iat in the future beyond the skew', () => aliceToken({ iat: now() + SKEW + 600 })],
    ['nbf in the future beyond the skew', () => aliceToken({ nbf: now() + SKEW + 600 })],
    ['signature re-encoded with padding', () => aliceToken() + '='],
    [
      'signature in the standard base64 alphabet',
      () => {
        const t = craftHs256(AT_HEADER, claims(), ALICE.secret);
        return /[-_]/.test(t.split('.')[2]) ? t.replace(/-/g, '+').replace(/_/g, '/') : t.slice(0, -1) + '+';
      },
    ],
  ])('%s -> 401', async (_name, make) => {
    const before = s.echo.count;
    expect(await bearer(make())).toBe(401);
    expect(s.echo.count).toBe(before);
  });

  it('a signature with its unused trailing bits changed (non-canonical base64url) -> 401', async () => {
    // 32 bytes = 43 base64url chars; the last char carries 4 data bits and 2 unused ones.
    const t = aliceToken();
    const sig = t.split('.')[2];
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(sig[42]);
    const twisted = t.slice(0, -1) + alphabet[last ^ 1];
    expect(Buffer.from(twisted.split('.')[2], 'base64url').equals(Buffer.from(sig, 'base64url'))).toBe(true); // same bytes
    expect(await bearer(twisted)).toBe(401);
  });
});

describe('clock skew (clock_skew_seconds = 60)', () => {
  it.each<[string, number, () => Record<string, unknown>]>([
    ['expired 30 s ago (inside the skew)', 200, () => ({ exp: now() - 30, iat: now() - 7200 })],
    ['expired 120 s ago (outside the skew)', 401, () => ({ exp: now() - 120, iat: now() - 7200 })],
    ['issued 30 s in the future (inside)', 200, () => ({ iat: now() + 30 })],
    ['issued 600 s in the future (outside)', 401, () => ({ iat: now() + 600 })],
    ['nbf 30 s in the future (inside)', 200, () => ({ nbf: now() + 30 })],
    ['nbf 600 s in the future (outside)', 401, () => ({ nbf: now() + 600 })],
  ])('%s -> %s', async (_name, status, extra) => {
    expect(await bearer(aliceToken(extra()))).toBe(status);
  });
});

/** One hostile token from the seeded generator. All are refused: none is a valid alice token. */
function hostileToken(r: ReturnType<typeof rng>, valid: string): string {
  const parts = valid.split('.');
  const signed = (payload: string, header: string = JSON.stringify(AT_HEADER)) => craftHs256(header, payload, ALICE.secret);
  const c = claims() as Record<string, unknown> & { exp: number };
  const junk = () => Array.from({ length: 1 + r.int(40) }, () => r.pick([...'ABCxyz019-_.=+/ %$~!"\\\u00e9\u00ff'])).join('');
  switch (r.int(12)) {
    case 0:
      return valid.slice(0, r.int(valid.length)); // truncated anywhere
    case 1: {
      // one character replaced, inserted or deleted (never a no-op)
      const i = r.int(valid.length);
      const ch = r.pick([...'AaZz09-_.=+/']);
      const out = r.pick([valid.slice(0, i) + ch + valid.slice(i + 1), valid.slice(0, i) + ch + valid.slice(i), valid.slice(0, i) + valid.slice(i + 1)]);
      return out === valid ? valid + 'x' : out;
    }
    case 2:
      return parts.map((p, k) => (k === r.int(3) ? junk() : p)).join('.'); // one part is not base64url
    case 3:
      return r.pick(['', '.', '..', '...', `${parts[0]}..${parts[2]}`, `${parts[0]}.${parts[1]}..${parts[2]}`, `.${parts[1]}.${parts[2]}`, `${valid}.`, `${valid}.${parts[2]}`]);
    case 4:
      return signed(r.pick(['null', '1', '"alice"', '[]', 'true', '{}', '[{}]', '"{}"', '{"a":', '']));
    case 5: {
      // nested JSON (a few thousand levels), inside and outside claims
      const depth = 500 + r.int(3000);
      const nest = '['.repeat(depth) + ']'.repeat(depth);
      return signed(r.bool() ? nest : JSON.stringify({ ...c, exp: 'x' }).replace('"x"', nest));
    }
    case 6: {
      // large payload (kept under the 16 KiB header limit)
      return signed(JSON.stringify({ ...c, exp: c.exp + 'x', pad: 'p'.repeat(1000 + r.int(6000)) }));
    }
    case 7: {
      // wrong types for the claims that matter
      const field = r.pick(['exp', 'iat', 'nbf', 'client_id', 'sub', 'iss']);
      const value = r.pick<unknown>([String(c.exp + 1000), null, true, [c.exp], { v: 1 }, 1e400, -1, 'NaN', 12345]);
      const bad = { ...c, [field]: value };
      // A future numeric exp or a past numeric iat/nbf is still a valid claim: force a wrong type.
      if (typeof value === 'number' && Number.isFinite(value) && ['exp', 'iat', 'nbf'].includes(field)) bad[field] = String(value);
      return signed(JSON.stringify(bad).replace('1e+400', '1e400'));
    }
    case 8:
      return signed(JSON.stringify({ ...c, client_id: r.pick([ALICE.id + ' ', ALICE.id.toUpperCase(), `${ALICE.id}\u0000`, 'ａlice-id', `${ALICE.id}\u200b`]) }));
    case 9:
      return signed(JSON.stringify(c), JSON.stringify({ ...AT_HEADER, alg: r.pick(['none', 'None', 'HS256 ', 'HS384', 'ES256', '', null, 0]) }));
    case 10: {
      // unicode and latin-1 bytes where base64url is expected
      const i = r.int(valid.length);
      const u = Buffer.from(r.pick(['é', 'ü', '€', '😀', '\u00a0', 'ß']), 'utf8').toString('latin1');
      return valid.slice(0, i) + u + valid.slice(i);
    }
    default:
      return b64url(JSON.stringify(AT_HEADER)) + '.' + b64url(JSON.stringify(c)) + '.' + junk(); // garbage signature
  }
}

describe('seeded fuzz: 3,000 hostile tokens', () => {
  it('every one is answered 401, none reaches the upstream', async () => {
    const valid = aliceToken();
    expect(await bearer(valid)).toBe(200);
    const r = rng(0x5eed);
    const tokens = Array.from({ length: 3000 }, () => hostileToken(r, valid)).filter((t) => t !== valid);
    const before = s.echo.count;
    const results = await runConcurrent(tokens.length, 20, async (i) => bearer(tokens[i]));
    const wrong = results.map((st, i) => ({ st: st instanceof Error ? st.message : st, token: tokens[i].slice(0, 200) })).filter((x) => x.st !== 401);
    expect(wrong.slice(0, 10)).toEqual([]);
    expect(s.echo.count).toBe(before);
    expect(await bearer(valid)).toBe(200); // and the gateway is still fine
  });
});
