import { Pool } from 'undici';
import { AT_HEADER, craftHs256, flipEcdsaS, isHighS, seededStackPerBlock, standardClaims, withExtraMember } from '@oauth2/testing';

// Tokens a consumer can mint itself with its own secret, or re-spell, against a running gateway
// (issue 11): unbounded lifetime, duplicate member names, the second ES256 signature (r, n - s).
// Tokens are crafted with node:crypto (libs/testing), never with our signer.
jest.setTimeout(60_000);

const MALLORY = { name: 'mallory', client_id: 'mallory-id', client_secret: 'mallory-own-secret-0123456789abcdef-0123' };
const s = seededStackPerBlock({
  consumers: [MALLORY],
  echoRoutes: [{ name: 'app', path_prefix: '/app' }],
  settings: { token_ttl: 7200, clock_skew_seconds: 60 },
});

let pool: Pool;
beforeAll(() => {
  pool = new Pool(s.gateway.url, { connections: 4 });
});
afterAll(async () => {
  await pool?.close();
});

const now = () => Math.floor(Date.now() / 1000);
const claims = (extra: Record<string, unknown> = {}) => ({ ...standardClaims({ name: MALLORY.name, clientId: MALLORY.client_id, now: now() }), ...extra });
const mint = (payload: object | string) => craftHs256(AT_HEADER, payload, MALLORY.client_secret);

/** Status, reason and whether the upstream saw the request. */
async function send(token: string): Promise<{ status: number; reason?: string; msg?: string; forwarded: boolean }> {
  const before = s.echo.count;
  const r = await pool.request({ method: 'GET', path: '/app/x', headers: { authorization: `Bearer ${token}` } });
  const text = await r.body.text();
  const json = r.statusCode === 200 ? {} : JSON.parse(text);
  return { status: r.statusCode, reason: json.reason, msg: json.msg, forwarded: s.echo.count > before };
}

describe('lifetime: exp - iat bounded by token_ttl', () => {
  it('a token at exactly token_ttl passes (the control)', async () => {
    expect(await send(mint(claims({ exp: now() + 7200 })))).toMatchObject({ status: 200, forwarded: true });
  });

  it.each<[string, () => Record<string, unknown>]>([
    ['exp = 1e308', () => claims({ exp: 1e308 })],
    ['a year', () => claims({ exp: now() + 365 * 86400 })],
    ['token_ttl + 1 s', () => claims({ exp: now() + 7201 })],
    [
      'no iat, exp beyond now + skew + token_ttl',
      () => {
        const c = claims({ exp: now() + 7200 + 60 + 30 });
        delete c.iat;
        return c;
      },
    ],
  ])('%s: 401 bad_lifetime, not forwarded', async (_, make) => {
    expect(await send(mint(make()))).toEqual({ status: 401, reason: 'bad_lifetime', msg: 'Invalid Jwt token: token lifetime exceeds token_ttl', forwarded: false });
  });

  it('the explainer names the step', async () => {
    const ex = (await s.admin.api('POST', '/v1/explain', { host: 'x.test', path: '/app/x', token: mint(claims({ exp: 1e308 })) })).json;
    expect(ex.verification.at(-1)).toMatchObject({ step: 'lifetime within token_ttl', ok: false });
    expect(ex.outcome).toMatchObject({ status: 401, reason: 'bad_lifetime' });
  });
});

describe('duplicate member names', () => {
  it('a token that names two subjects (root first, mallory last) is 401 malformed, not forwarded', async () => {
    const twoSubs = `{"sub":"root",${JSON.stringify(claims()).slice(1)}`;
    expect(await send(mint(twoSubs))).toMatchObject({ status: 401, reason: 'malformed', forwarded: false });
    expect(await send(mint(withExtraMember(claims(), 'aud', 'admin')))).toMatchObject({ status: 401, reason: 'malformed', forwarded: false });
    expect(await send(mint(claims()))).toMatchObject({ status: 200 });
  });
});

describe('ES256: only the low-s signature of a pair', () => {
  beforeAll(async () => {
    await s.call('PATCH', '/v1/settings', { signing_alg: 'ES256' });
    await s.sync();
  });

  it('every token our signer issues is low-s and verifies; the same signature re-spelled (r, n - s) is refused', async () => {
    for (let i = 0; i < 12; i++) {
      const t = await s.token(MALLORY.client_id, MALLORY.client_secret);
      const [h, p, sig] = t.split('.');
      expect(JSON.parse(Buffer.from(h, 'base64url').toString())).toMatchObject({ alg: 'ES256' });
      expect(isHighS(sig)).toBe(false);
      expect(await send(t)).toMatchObject({ status: 200 });
      expect(await send(`${h}.${p}.${flipEcdsaS(sig)}`)).toMatchObject({ status: 401, reason: 'bad_signature', forwarded: false });
    }
  });
});
