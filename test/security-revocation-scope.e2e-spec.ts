import { AT_HEADER, craftHs256, enforced, seededStackPerBlock, standardClaims } from '@oauth2/testing';

// Hostile use of token revocation (issue 11): a client revoking another client's token by reusing
// its jti, a client flooding the RFC 7009 endpoint with self-minted far-future tokens, and an
// operator's jti revocation outliving a change of token_ttl. Tokens crafted with node:crypto.
jest.setTimeout(90_000);

const ALICE = { name: 'alice', client_id: 'alice-id', client_secret: 'alice-secret-0123456789abcdef0123456789' };
const BOB = { name: 'bob', client_id: 'bob-id', client_secret: 'bob-secret-0123456789abcdef0123456789ab' };
const FLOOD = { name: 'flood', client_id: 'flood-id', client_secret: 'flood-secret-0123456789abcdef012345678' };
const nowS = () => Math.floor(Date.now() / 1000);
const bearer = (t: string) => ({ headers: { authorization: `Bearer ${t}` } });
const jtiOf = (t: string) => JSON.parse(Buffer.from(t.split('.')[1], 'base64url').toString()).jti as string;
const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

/** A token `c` mints for itself with its own secret (what any client can do). */
function selfMinted(c: typeof ALICE, claims: Record<string, unknown>): string {
  const base: Record<string, unknown> = standardClaims({ name: c.name, clientId: c.client_id, now: nowS() });
  for (const [k, v] of Object.entries(claims)) {
    if (v === undefined) delete base[k];
    else base[k] = v;
  }
  return craftHs256(AT_HEADER, base, c.client_secret);
}

describe('RFC 7009 endpoint: hostile clients', () => {
  const s = seededStackPerBlock({ gatewayEnv: { GATEWAY_REVOCATION_ENDPOINT: 'true' }, consumers: [ALICE, BOB, FLOOD], echoRoutes: ['r'] });

  it("alice revoking her own token that carries bob's jti revokes hers only: bob's token keeps working", async () => {
    const bobs = await s.token(BOB.client_id, BOB.client_secret);
    const hers = selfMinted(ALICE, { jti: jtiOf(bobs) });
    expect((await s.request('/x', bearer(bobs))).status).toBe(200);
    const r = await s.request('/oauth2/revoke', form({ token: hers, client_id: ALICE.client_id, client_secret: ALICE.client_secret }));
    expect(r.status).toBe(200);
    await enforced(s);
    expect((await s.request('/x', bearer(hers))).json?.reason).toBe('revoked');
    expect((await s.request('/x', bearer(bobs))).status).toBe(200);
    expect((await s.call('GET', '/v1/revocations')).items).toContainEqual(expect.objectContaining({ jti: jtiOf(bobs), client_id: ALICE.client_id }));
  });

  it('a self-minted exp=1e12 writes no row at all (its lifetime exceeds token_ttl: bad_lifetime); a valid one is kept no longer than iat + token_ttl + skew', async () => {
    const settings = await s.call('GET', '/v1/settings');
    const iat = nowS();
    for (const [jti, claims] of [
      ['far-future', { iat, exp: 1e12 }],
      ['far-future-no-iat', { iat: undefined, exp: 1e12 }],
    ] as const) {
      const t = selfMinted(ALICE, { jti, ...claims });
      expect((await s.request('/x', bearer(t))).json?.reason).toBe('bad_lifetime');
      expect((await s.request('/oauth2/revoke', form({ token: t, client_id: ALICE.client_id, client_secret: ALICE.client_secret }))).status).toBe(200);
      expect((await s.call('GET', '/v1/revocations')).items.find((i: { jti?: string }) => i.jti === jti)).toBeUndefined();
    }
    const ok = selfMinted(ALICE, { jti: 'bounded', iat, exp: iat + settings.token_ttl });
    expect((await s.request('/oauth2/revoke', form({ token: ok, client_id: ALICE.client_id, client_secret: ALICE.client_secret }))).status).toBe(200);
    const row = (await s.call('GET', '/v1/revocations')).items.find((i: { jti?: string }) => i.jti === 'bounded');
    expect(row.exp).toBeLessThanOrEqual(iat + settings.token_ttl + settings.clock_skew_seconds);
  });

  it('a flood of revocations from one client gets 429 + Retry-After after the burst; rows written stay bounded; other clients are unaffected', async () => {
    const N = 80;
    const tokens = Array.from({ length: N }, (_, i) => selfMinted(FLOOD, { jti: `flood-${i}` }));
    const before = (await s.call('GET', '/v1/revocations?limit=1')).total as number;
    const answers = await Promise.all(tokens.map((t) => s.request('/oauth2/revoke', form({ token: t, client_id: FLOOD.client_id, client_secret: FLOOD.client_secret }))));
    const ok = answers.filter((a) => a.status === 200).length;
    const limited = answers.filter((a) => a.status === 429);
    expect(ok + limited.length).toBe(N);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0].headers['retry-after']).toMatch(/^[1-9][0-9]*$/);
    expect(limited[0].json).toEqual({ code: 429, msg: expect.any(String), error: 'invalid_client', error_description: expect.any(String), reason: 'too_many_attempts' });
    const written = ((await s.call('GET', '/v1/revocations?limit=1')).total as number) - before;
    expect(written).toBe(ok);
    expect(written).toBeLessThan(N);
    // Another client still revokes.
    const bobs = await s.token(BOB.client_id, BOB.client_secret);
    expect((await s.request('/oauth2/revoke', form({ token: bobs, client_id: BOB.client_id, client_secret: BOB.client_secret }))).status).toBe(200);
  });
});

describe('operator revocations (admin API)', () => {
  const s = seededStackPerBlock({ consumers: [ALICE, BOB], echoRoutes: ['r'] });

  it('a jti revoked without exp stays revoked however token_ttl changes (kept until deleted)', async () => {
    await s.call('PATCH', '/v1/settings', { token_ttl: 60 });
    const t = selfMinted(ALICE, { jti: 'long-lived', exp: nowS() + 7200 }); // e.g. minted before token_ttl was lowered
    const r = await s.call('POST', '/v1/revocations', { jti: 'long-lived' });
    expect(r.exp).toBeGreaterThanOrEqual(nowS() + 7200);
    // While token_ttl is 60 the token does not verify at all (its lifetime exceeds token_ttl); once
    // token_ttl is back at 7200 it would, and the revocation must still stand.
    await enforced(s);
    expect((await s.request('/x', bearer(t))).json?.reason).toBe('bad_lifetime');
    await s.call('PATCH', '/v1/settings', { token_ttl: 7200 });
    await enforced(s);
    expect((await s.request('/x', bearer(t))).json?.reason).toBe('revoked');
  });

  it('a jti revocation naming a client refuses that client only; without a client it is global (the operator chose)', async () => {
    const a = selfMinted(ALICE, { jti: 'shared' });
    const b = selfMinted(BOB, { jti: 'shared' });
    const scoped = await s.call('POST', '/v1/revocations', { jti: 'shared', client_id: BOB.client_id });
    expect(scoped).toEqual({ id: expect.any(Number), jti: 'shared', client_id: BOB.client_id, exp: expect.any(Number), created_at: expect.any(String) });
    await enforced(s);
    expect((await s.request('/x', bearer(b))).json?.reason).toBe('revoked');
    expect((await s.request('/x', bearer(a))).status).toBe(200);
    await s.call('POST', '/v1/revocations', { jti: 'shared' });
    await enforced(s);
    expect((await s.request('/x', bearer(a))).json?.reason).toBe('revoked');
  });
});
