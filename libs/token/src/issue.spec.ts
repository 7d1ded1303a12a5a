import { createHmac } from 'node:crypto';
import { issueAccessToken, verifyAccessToken, ISSUED_HEADER_JSON, type TokenConsumer } from './index';
import { HIGRESS_CONFIGS, HIGRESS_TOKENS } from '@oauth2/testing';

const consumer: TokenConsumer = { name: 'alice', client_id: 'alice-id', key: Buffer.from('alice-secret-alice-secret-alice-secret') };
const base = { issuer: 'Higress-Gateway', audience: 'default', ttlSeconds: 7200, nowSeconds: 1_700_000_000 };
const decode = (part: string): unknown => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

describe('issueAccessToken (the Higress token format)', () => {
  it('writes the Higress header byte for byte', () => {
    const [h] = issueAccessToken(consumer, base).split('.');
    expect(Buffer.from(h, 'base64url').toString('utf8')).toBe('{"alg":"HS256","typ":"application/at+jwt"}');
    expect(ISSUED_HEADER_JSON).toBe('{"alg":"HS256","typ":"application/at+jwt"}');
  });

  it.each([
    ['without scope', {}, { aud: 'default', client_id: 'alice-id', exp: 1_700_007_200, iat: 1_700_000_000, iss: 'Higress-Gateway', jti: 'J', sub: 'alice' }],
    [
      'with scope (copied as given)',
      { scope: 'read  write' },
      { aud: 'default', client_id: 'alice-id', exp: 1_700_007_200, iat: 1_700_000_000, iss: 'Higress-Gateway', jti: 'J', scope: 'read  write', sub: 'alice' },
    ],
    [
      'bound to a route, ttl 1',
      { audience: 'ns/route-a', ttlSeconds: 1 },
      { aud: 'ns/route-a', client_id: 'alice-id', exp: 1_700_000_001, iat: 1_700_000_000, iss: 'Higress-Gateway', jti: 'J', sub: 'alice' },
    ],
    [
      'a fractional clock is floored',
      { nowSeconds: 1_700_000_000.9 },
      { aud: 'default', client_id: 'alice-id', exp: 1_700_007_200, iat: 1_700_000_000, iss: 'Higress-Gateway', jti: 'J', sub: 'alice' },
    ],
  ])('claims %s, in key order', (_name, over, expected) => {
    const [, p] = issueAccessToken(consumer, { ...base, jti: 'J', ...over }).split('.');
    expect(Buffer.from(p, 'base64url').toString('utf8')).toBe(JSON.stringify(expected));
  });

  it('signs HMAC-SHA256 with the consumer key over the encoded header and payload', () => {
    const t = issueAccessToken(consumer, base);
    const i = t.lastIndexOf('.');
    expect(t.slice(i + 1)).toBe(createHmac('sha256', consumer.key).update(t.slice(0, i)).digest('base64url'));
  });

  it('draws a fresh UUIDv4 jti per token', () => {
    const a = decode(issueAccessToken(consumer, base).split('.')[1]) as { jti: string };
    const b = decode(issueAccessToken(consumer, base).split('.')[1]) as { jti: string };
    expect(a.jti).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a.jti).not.toBe(b.jti);
  });

  it('round-trips through verifyAccessToken', () => {
    const t = issueAccessToken(consumer, base);
    const r = verifyAccessToken(t, new Map([[consumer.client_id, consumer]]), { issuer: base.issuer, clockSkewSeconds: 0, nowSeconds: base.nowSeconds + 7199 });
    expect(r).toMatchObject({ ok: true, consumer, claims: { sub: 'alice', aud: 'default' } });
  });

  it.each([
    ['consumer1', HIGRESS_TOKENS.consumer1, 'default', 1701411559, '44a33b78-cfab-4f3a-bd47-45cf9f34b5fe', HIGRESS_CONFIGS.basic.consumers[0]],
    ['consumer2', HIGRESS_TOKENS.consumer2, 'default', 1701416755, '5545dd4a-e8b6-4664-8d18-f7b99aefc45c', HIGRESS_CONFIGS.basic.consumers[1]],
    ['route-bound', HIGRESS_TOKENS.routeAudRoute, 'higress-conformance-infra/wasmplugin-oauth', 1701518866, '78060b5f-dbca-49cf-82c6-a074bce2cd3d', HIGRESS_CONFIGS.routeAuth.consumers[0]],
  ])('mints the very bytes Higress minted (%s) given the same clock and jti', (_n, higress, audience, iat, jti, c) => {
    const ours = issueAccessToken({ name: c.name, client_id: c.client_id, key: Buffer.from(c.client_secret) }, { issuer: 'Higress-Gateway', audience, ttlSeconds: 7200, nowSeconds: iat, jti });
    expect(ours).toBe(higress);
  });
});
