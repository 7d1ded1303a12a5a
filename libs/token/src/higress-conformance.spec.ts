import { craftHs256 } from '@oauth2/testing';
import { decodeUnverified, extractBearerToken, verifyAccessToken, type TokenConsumer } from './index';
import { HIGRESS_CASES, HIGRESS_CONFIGS, HIGRESS_NOW, HIGRESS_TOKENS, type HigressConfigFixture } from '@oauth2/testing';

function keyringOf(cfg: HigressConfigFixture): Map<string, TokenConsumer> {
  return new Map(cfg.consumers.map((c) => [c.client_id, { name: c.name, client_id: c.client_id, key: Buffer.from(c.client_secret, 'utf8') }]));
}

function run(config: HigressConfigFixture, authorization: string, now: number) {
  const bearer = extractBearerToken(authorization);
  if (!bearer.ok) return { ok: false as const, code: bearer.code };
  return verifyAccessToken(bearer.token, keyringOf(config), { issuer: config.issuer, clockSkewSeconds: config.clock_skew_seconds, nowSeconds: now });
}

describe('Higress conformance tokens', () => {
  it.each(HIGRESS_CASES)('$source -> $expect', (c) => {
    const r = run(HIGRESS_CONFIGS[c.config], c.authorization, c.now);
    if (c.expect === 'ok') {
      expect(r).toMatchObject({ ok: true });
      // 200 and 403 alike: the token authenticated; a 401 in Higress is always a token failure.
      expect(c.expectStatus).not.toBe(401);
    } else {
      expect(r).toEqual({ ok: false, code: c.expect });
      expect(c.expectStatus).toBe(401);
    }
  });

  it('a route-bound token carries the route name as aud, a global one "default"', () => {
    const cfg = HIGRESS_CONFIGS.routeAuth;
    const bound = run(cfg, `Bearer ${HIGRESS_TOKENS.routeAudRoute}`, HIGRESS_NOW);
    const global = run(cfg, `Bearer ${HIGRESS_TOKENS.routeAudDefault}`, HIGRESS_NOW);
    expect(bound.ok && bound.claims.aud).toBe('higress-conformance-infra/wasmplugin-oauth');
    expect(global.ok && global.claims.aud).toBe('default');
  });

  it('jwt-craft (the independent signer of our tests) reproduces a Higress token byte for byte', () => {
    const c1 = HIGRESS_CONFIGS.basic.consumers[0];
    const payload =
      '{"aud":"default","client_id":"9515b564-0b1d-11ee-9c4c-00163e1250b5","exp":1701418759,"iat":1701411559,"iss":"Higress-Gateway","jti":"44a33b78-cfab-4f3a-bd47-45cf9f34b5fe","sub":"consumer1"}';
    expect(craftHs256('{"alg":"HS256","typ":"application/at+jwt"}', payload, c1.client_secret)).toBe(HIGRESS_TOKENS.consumer1);
  });

  it('decodeUnverified shows a token without checking it (for the explainer, never for auth)', () => {
    expect(decodeUnverified(HIGRESS_TOKENS.seedDoc)).toEqual({
      header: { alg: 'HS256', typ: 'application/at+jwt' },
      payload: expect.objectContaining({ sub: 'consumer1', exp: 1687951463, client_id: '12345678-xxxx-xxxx-xxxx-xxxxxxxxxxxx' }),
    });
    expect(decodeUnverified('alksdjf')).toBeNull();
    expect(decodeUnverified(`${HIGRESS_TOKENS.seedDoc}=`)).toBeNull();
  });

  it('the verified consumer is the one named by the token', () => {
    const r = run(HIGRESS_CONFIGS.basic, `Bearer ${HIGRESS_TOKENS.consumer2}`, HIGRESS_NOW);
    expect(r.ok && r.consumer.name).toBe('consumer2');
  });

  describe('refusals', () => {
    const c1 = HIGRESS_CONFIGS.expiredToken.consumers[0];
    const lenient = { ...HIGRESS_CONFIGS.expiredToken, clock_skew_seconds: 3153600000 };
    it.each<{ name: string; cfg: HigressConfigFixture; token: string; now: number; code: string }>([
      // The doc token evaluated at its exp + skew: expired exactly there (valid strictly before).
      { name: 'doc token at exp + 60', cfg: HIGRESS_CONFIGS.seedDoc, token: HIGRESS_TOKENS.seedDoc, now: 1687951463 + 60, code: 'expired' },
      { name: 'doc token 1 s before its iat, zero skew', cfg: { ...HIGRESS_CONFIGS.seedDoc, clock_skew_seconds: 0 }, token: HIGRESS_TOKENS.seedDoc, now: 1687944262, code: 'not_yet_valid' },
      { name: 'consumer1 token under another issuer', cfg: { ...HIGRESS_CONFIGS.basic, issuer: 'my-gateway' }, token: HIGRESS_TOKENS.consumer1, now: HIGRESS_NOW, code: 'bad_issuer' },
      { name: 'consumer1 token after consumer1 was renamed', cfg: { ...lenient, consumers: [{ ...c1, name: 'renamed' }] }, token: HIGRESS_TOKENS.consumer1, now: HIGRESS_NOW, code: 'bad_subject' },
      {
        name: 'consumer1 token after its secret was rotated',
        cfg: { ...lenient, consumers: [{ ...c1, client_secret: 'rotated-rotated-rotated-rotated-rotated' }] },
        token: HIGRESS_TOKENS.consumer1,
        now: HIGRESS_NOW,
        code: 'bad_signature',
      },
      {
        name: 'consumer1 token where only consumer2 exists',
        cfg: { ...HIGRESS_CONFIGS.globalAuth, consumers: [HIGRESS_CONFIGS.globalAuth.consumers[1]] },
        token: HIGRESS_TOKENS.consumer1,
        now: HIGRESS_NOW,
        code: 'unknown_client',
      },
    ])('$name -> $code', ({ cfg, token, now, code }) => {
      expect(run(cfg, `Bearer ${token}`, now)).toEqual({ ok: false, code });
    });
  });

  it('the doc token is still valid one second before exp + skew', () => {
    expect(run(HIGRESS_CONFIGS.seedDoc, `Bearer ${HIGRESS_TOKENS.seedDoc}`, 1687951463 + 59)).toMatchObject({ ok: true });
  });
});
