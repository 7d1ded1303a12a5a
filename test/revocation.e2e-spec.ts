import { AT_HEADER, craftHs256, enforced, seededStackPerBlock, standardClaims, type GatewayStack } from '@oauth2/testing';

// End-to-end: token revocation (docs/revocation.md) through the admin API, enforced by the gateway
// within one reload (waits on the gateway's /revision, no sleeps). Tokens are crafted with
// node:crypto so the verifier under test is not the signer.
const ID1 = 'revoke-client-1';
const S1 = 'revoke-secret-one-0123456789abcdef0123456';
const ID2 = 'revoke-client-2';
const S2 = 'revoke-secret-two-0123456789abcdef0123456';
const nowS = () => Math.floor(Date.now() / 1000);

/** A token of c1 (or another consumer) with chosen jti / iat; `iat: null` leaves the claim out. */
function tok(o: { jti?: string; iat?: number | null; exp?: number; name?: string; id?: string; secret?: string } = {}): string {
  const claims = standardClaims({ name: o.name ?? 'c1', clientId: o.id ?? ID1, now: nowS() });
  if (o.jti !== undefined) claims.jti = o.jti;
  if (o.iat === null) delete claims.iat;
  else if (o.iat !== undefined) [claims.iat, claims.exp] = [o.iat, o.iat + 7200]; // a lifetime of token_ttl, as issued
  if (o.exp !== undefined) claims.exp = o.exp;
  return craftHs256(AT_HEADER, claims, o.secret ?? S1);
}
const bearer = (t: string) => ({ headers: { authorization: `Bearer ${t}` } });

const C1 = { name: 'c1', client_id: ID1, client_secret: S1 };
const C2 = { name: 'c2', client_id: ID2, client_secret: S2 };

describe('token revocation (admin API + gateway)', () => {
  const s = seededStackPerBlock({ consumers: [C1, C2], echoRoutes: ['r'] });

  it('a revoked jti is 401 revoked (also when the token was cached), another token of the client still works; removing the revocation restores it', async () => {
    const a = tok({ jti: 'jti-a' });
    const b = tok({ jti: 'jti-b' });
    // Twice: the second answer comes from the verified-token cache.
    expect((await s.request('/x', bearer(a))).status).toBe(200);
    expect((await s.request('/x', bearer(a))).status).toBe(200);
    const rev = await s.admin.api('POST', '/v1/revocations', { jti: 'jti-a' });
    expect(rev.status).toBe(201);
    expect(rev.json).toEqual({ id: expect.any(Number), jti: 'jti-a', exp: expect.any(Number), created_at: expect.any(String) });
    expect(rev.json.exp).toBeGreaterThanOrEqual(nowS() + 7200 - 5);
    await enforced(s);
    const refused = await s.request('/x', bearer(a));
    expect(refused.status).toBe(401);
    expect(refused.json).toMatchObject({ code: 401, reason: 'revoked' });
    expect(refused.headers['www-authenticate']).toBe('Bearer realm="oauth2-gateway", error="invalid_token"');
    expect((await s.request('/x', bearer(b))).status).toBe(200);

    const list = await s.call('GET', '/v1/revocations');
    expect(list.items).toContainEqual(rev.json);
    expect((await s.admin.api('DELETE', `/v1/revocations/${rev.json.id}`)).json).toEqual({ deleted: String(rev.json.id), rules_updated: [], rules_deleted: [], rules_emptied: [] });
    await enforced(s);
    expect((await s.request('/x', bearer(a))).status).toBe(200);
  });

  it('a jti revoked with an explicit exp keeps that exp', async () => {
    const exp = nowS() + 7200;
    const t = tok({ jti: 'jti-exp' });
    const r = await s.call('POST', '/v1/revocations', { jti: 'jti-exp', exp });
    expect(r.exp).toBe(exp);
    await enforced(s);
    expect((await s.request('/x', bearer(t))).json?.reason).toBe('revoked');
  });

  it('a revoked client: its tokens issued earlier (or without iat) are 401, tokens issued later work, other clients are untouched', async () => {
    const old = tok({ jti: 'old-1', iat: nowS() - 10 });
    const noIat = tok({ jti: 'old-2', iat: null });
    const other = tok({ name: 'c2', id: ID2, secret: S2, iat: nowS() - 10 });
    for (const t of [old, noIat, other]) expect((await s.request('/x', bearer(t))).status).toBe(200);
    const r = await s.admin.api('POST', '/v1/revocations', { client_id: ID1 });
    expect(r.status).toBe(201);
    expect(r.json).toEqual({ id: expect.any(Number), client_id: ID1, revoked_before: expect.any(Number), created_at: expect.any(String) });
    await enforced(s);
    for (const t of [old, noIat]) {
      const res = await s.request('/x', bearer(t));
      expect([res.status, res.json?.reason]).toEqual([401, 'revoked']);
    }
    expect((await s.request('/x', bearer(other))).status).toBe(200);
    // iat has 1 s resolution: a token issued in a later second than the cut-off works.
    const fresh = tok({ jti: 'fresh', iat: r.json.revoked_before + 1 });
    expect((await s.request('/x', bearer(fresh))).status).toBe(200);
    const same = tok({ jti: 'same-second', iat: r.json.revoked_before });
    expect((await s.request('/x', bearer(same))).status).toBe(200);
    const before = tok({ jti: 'second-before', iat: r.json.revoked_before - 1 });
    expect((await s.request('/x', bearer(before))).status).toBe(401);
    await s.call('DELETE', `/v1/revocations/${r.json.id}`);
    await enforced(s);
  });

  it('every write bumps the revision', async () => {
    const r0 = (await s.call('GET', '/v1/revision')).revision;
    const r = await s.call('POST', '/v1/revocations', { jti: 'bump' });
    const r1 = (await s.call('GET', '/v1/revision')).revision;
    expect(r1).toBe(r0 + 1);
    await s.call('DELETE', `/v1/revocations/${r.id}`);
    expect((await s.call('GET', '/v1/revision')).revision).toBe(r1 + 1);
  });

  describe('refusals', () => {
    it.each<[string, unknown, number, RegExp]>([
      ['neither jti nor client_id', {}, 400, /jti/],
      ['exp with client_id', { client_id: ID1, exp: 2_000_000_000 }, 400, /exp is only allowed with jti/],
      ['exp not an integer', { jti: 'x', exp: 'soon' }, 400, /exp/],
      ['negative exp', { jti: 'x', exp: -5 }, 400, /exp/],
      ['empty jti', { jti: '' }, 400, /jti/],
      ['jti not a string', { jti: 42 }, 400, /jti/],
      ['unknown field', { jti: 'x', reason: 'leak' }, 400, /reason/],
      ['unknown client_id', { client_id: 'nobody' }, 404, /nobody/],
    ])('%s: %j -> %i', async (_n, body, status, msg) => {
      const r0 = (await s.call('GET', '/v1/revision')).revision;
      const r = await s.admin.api('POST', '/v1/revocations', body);
      expect(r.status).toBe(status);
      expect(r.json.msg).toMatch(msg);
      expect((await s.call('GET', '/v1/revision')).revision).toBe(r0);
    });

    it('DELETE of an unknown id is 404, of a non-numeric id 400', async () => {
      expect((await s.admin.api('DELETE', '/v1/revocations/999999')).status).toBe(404);
      expect((await s.admin.api('DELETE', '/v1/revocations/abc')).status).toBe(400);
    });

    it('without the admin token: 401 and nothing revoked', async () => {
      for (const [method, p] of [
        ['POST', '/v1/revocations'],
        ['GET', '/v1/revocations'],
        ['DELETE', '/v1/revocations/1'],
      ]) {
        const r = await fetch(s.admin.url + p, { method, headers: { 'content-type': 'application/json' }, body: method === 'POST' ? JSON.stringify({ jti: 'nope' }) : undefined });
        expect(r.status).toBe(401);
      }
      expect((await s.call('GET', '/v1/revocations')).items.map((i: { jti?: string }) => i.jti)).not.toContain('nope');
    });
  });
});

describe('RFC 7009 endpoint /oauth2/revoke (GATEWAY_REVOCATION_ENDPOINT=true)', () => {
  const s = seededStackPerBlock({ gatewayEnv: { GATEWAY_REVOCATION_ENDPOINT: 'true' }, consumers: [C1, C2], echoRoutes: ['r'] });
  const form = (fields: Record<string, string>, headers: Record<string, string> = {}) => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
  const basic = (id: string, secret: string) => ({ authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}` });
  const revision = async () => (await s.call('GET', '/v1/revision')).revision as number;
  const jtiOf = (t: string) => JSON.parse(Buffer.from(t.split('.')[1], 'base64url').toString()).jti as string;

  it('a client revokes its own token (client_id/client_secret params): 200 with an empty body, then 401 revoked; its other token still works', async () => {
    const t = await s.token(ID1, S1);
    const other = await s.token(ID1, S1);
    expect((await s.request('/x', bearer(t))).status).toBe(200);
    const r = await s.request('/oauth2/revoke', form({ token: t, token_type_hint: 'access_token', client_id: ID1, client_secret: S1 }));
    expect(r.status).toBe(200);
    expect(r.text).toBe('');
    await enforced(s);
    expect((await s.request('/x', bearer(t))).json?.reason).toBe('revoked');
    expect((await s.request('/x', bearer(other))).status).toBe(200);
    const exp = JSON.parse(Buffer.from(t.split('.')[1], 'base64url').toString()).exp;
    expect((await s.call('GET', '/v1/revocations')).items).toContainEqual(expect.objectContaining({ jti: jtiOf(t), exp }));
  });

  it('with HTTP Basic client authentication too; revoking it again is 200 and writes nothing', async () => {
    const t = await s.token(ID1, S1);
    expect((await s.request('/oauth2/revoke', form({ token: t }, basic(ID1, S1)))).status).toBe(200);
    await enforced(s);
    expect((await s.request('/x', bearer(t))).status).toBe(401);
    const rev = await revision();
    expect((await s.request('/oauth2/revoke', form({ token: t }, basic(ID1, S1)))).status).toBe(200);
    expect(await revision()).toBe(rev);
  });

  it("another client's token cannot be revoked by it: 200 (RFC 7009 §2.2) but nothing written and the token still works", async () => {
    const theirs = await s.token(ID2, S2);
    const rev = await revision();
    const r = await s.request('/oauth2/revoke', form({ token: theirs, client_id: ID1, client_secret: S1 }));
    expect(r.status).toBe(200);
    expect(await revision()).toBe(rev);
    expect((await s.request('/x', bearer(theirs))).status).toBe(200);
  });

  it.each([
    ['garbage', 'not-a-jwt'],
    ['a forged token (wrong secret)', tok({ jti: 'forged', secret: 'x'.repeat(40) })],
    ['an expired token', tok({ jti: 'expired', iat: nowS() - 10_000, exp: nowS() - 1000 })],
  ])('%s is answered 200 and writes nothing', async (_n, token) => {
    const rev = await revision();
    expect((await s.request('/oauth2/revoke', form({ token, client_id: ID1, client_secret: S1 }))).status).toBe(200);
    expect(await revision()).toBe(rev);
  });

  describe('refusals (nothing written, the token still works)', () => {
    let victim: string;
    beforeAll(async () => {
      victim = await s.token(ID2, S2);
    });
    afterEach(async () => {
      expect((await s.request('/x', bearer(victim))).status).toBe(200);
    });

    it.each<[string, () => Parameters<GatewayStack['request']>[1], number, string]>([
      ['wrong client secret', () => form({ token: victim, client_id: ID2, client_secret: S1 }), 401, 'invalid_client'],
      ['unknown client', () => form({ token: victim, client_id: 'nobody', client_secret: S2 }), 401, 'invalid_client'],
      ['no client authentication', () => form({ token: victim }), 401, 'invalid_client'],
      ['wrong Basic secret', () => form({ token: victim }, basic(ID2, S1)), 401, 'invalid_client'],
      ['Basic and params both', () => form({ token: victim, client_id: ID2, client_secret: S2 }, basic(ID2, S2)), 400, 'invalid_request'],
      ['missing token', () => form({ client_id: ID2, client_secret: S2 }), 400, 'invalid_request'],
      ['repeated token', () => ({ ...form({}), body: `token=${victim}&token=x&client_id=${ID2}&client_secret=${S2}` }), 400, 'invalid_request'],
      ['JSON body', () => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: victim, client_id: ID2, client_secret: S2 }) }), 400, 'invalid_request'],
      ['GET with query parameters', () => ({ method: 'GET' }), 405, 'invalid_request'],
    ])('%s', async (_n, req, status, error) => {
      const rev = await revision();
      const r = await s.request(_n.startsWith('GET') ? `/oauth2/revoke?${new URLSearchParams({ token: victim, client_id: ID2, client_secret: S2 })}` : '/oauth2/revoke', req());
      expect(r.status).toBe(status);
      expect(r.json.error).toBe(error);
      if (status === 401) expect(r.headers['www-authenticate']).toMatch(/^Basic /);
      if (status === 405) expect(r.headers.allow).toBe('POST');
      expect(await revision()).toBe(rev);
    });

    it('a body over 64 KiB is 413', async () => {
      const r = await s.request('/oauth2/revoke', form({ token: victim, client_id: ID2, client_secret: S2, pad: 'x'.repeat(70_000) }));
      expect(r.status).toBe(413);
    });
  });
});

describe('without GATEWAY_REVOCATION_ENDPOINT, /oauth2/revoke is an ordinary proxied path', () => {
  const s = seededStackPerBlock({ consumers: [C1], echoRoutes: ['r'] });

  it('needs a bearer token like any path, and revokes nothing', async () => {
    const t = await s.token(ID1, S1);
    const body = new URLSearchParams({ token: t, client_id: ID1, client_secret: S1 }).toString();
    const r = await s.request('/oauth2/revoke', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    expect([r.status, r.json?.reason]).toEqual([401, 'missing_token']);
    expect((await s.call('GET', '/v1/revocations')).total).toBe(0);
    expect((await s.request('/x', bearer(t))).status).toBe(200);
  });
});
