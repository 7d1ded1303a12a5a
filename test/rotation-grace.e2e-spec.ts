import { AT_HEADER, craftHs256, enforced, rawRequest, runOauth2ctl, seededStackPerBlock, spawnGateway, standardClaims, expectCliFailure, type GatewayStack } from '@oauth2/testing';

// End-to-end: rotate-secret with grace_seconds (SPEC §8.4) on real processes. The old secret keeps
// authenticating at the token endpoint and its tokens keep verifying through the proxy until the
// grace ends, and are refused after — with no reload in between (the gateway compares with now).
// Graces are a few seconds; the end is waited for by polling the clock, never a fixed sleep.
// Tokens of the HS256 case are crafted with node:crypto, independently of our signer.
const nowS = () => Math.floor(Date.now() / 1000);
const secret = (tag: string) => `${tag}-`.padEnd(43, 'x');
const bearer = (t: string) => ({ headers: { authorization: `Bearer ${t}` } });
const tok = (name: string, id: string, key: string, iat = nowS() - 5) => craftHs256(AT_HEADER, standardClaims({ name, clientId: id, now: iat }), key);

/**
 * Polls the clock (50 ms steps) until `ms` has passed; bounded. Only for the end of a grace (a
 * rule on the clock: no reload happens then, so there is no gateway answer to wait on) and for
 * the next second (below).
 */
async function untilPast(ms: number, limitMs = 15_000): Promise<void> {
  const give = Date.now() + limitMs;
  while (Date.now() < ms) {
    if (Date.now() > give) throw new Error('the grace did not end in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Until the clock is in the second after `iat`: a token issued in the second of a rotation counts
 * as issued after it (iat >= rotated_at, as a client cut-off in the same second does), so a token
 * meant to be "from before the rotation" must be from an earlier second than the rotation.
 */
const afterSecondOf = (iat: number) => untilPast((iat + 1) * 1000);
const iatOf = (t: string): number => JSON.parse(Buffer.from(t.split('.')[1], 'base64url').toString()).iat;
const step = (ex: { verification: { step: string; ok: boolean; detail: string }[] }, name: string) => ex.verification.find((v) => v.step === name)!;

async function tokenStatus(s: Pick<GatewayStack, 'request'>, id: string, key: string): Promise<{ status: number; json: any }> {
  const q = new URLSearchParams({ grant_type: 'client_credentials', client_id: id, client_secret: key });
  const r = await s.request(`/oauth2/token?${q}`);
  return { status: r.status, json: r.json };
}

describe('rotation with a grace period (HS256)', () => {
  const C = (n: number) => ({ name: `c${n}`, client_id: `grace-client-${n}`, client_secret: secret(`s${n}-old`) });
  const s = seededStackPerBlock({ consumers: [C(1), C(2), C(3), C(4)], echoRoutes: ['r'] });

  it('the old secret authenticates and its tokens verify until the grace ends, and are refused after, with no reload', async () => {
    const c = C(1);
    const before = tok(c.name, c.client_id, c.client_secret);
    const rot = await s.admin.api('POST', `/v1/consumers/${c.name}/rotate-secret`, { client_secret: secret('s1-new'), grace_seconds: 3 });
    expect(rot.status).toBe(200);
    expect(rot.json).toEqual({
      name: c.name,
      client_id: c.client_id,
      created_at: expect.any(String),
      scopes: null,
      groups: [],
      client_secret: secret('s1-new'),
      previous_secret_expires_at: expect.any(String),
      auth_method: 'client_secret',
      tls_subject: null,
      tls_thumbprint: null,
    });
    const endMs = Date.parse(rot.json.previous_secret_expires_at);
    expect(endMs / 1000 - nowS()).toBeGreaterThanOrEqual(1);
    expect(endMs / 1000 - nowS()).toBeLessThanOrEqual(3);
    expect(rot.text).not.toContain(c.client_secret);
    await enforced(s);
    const revision = (await s.call('GET', '/v1/revision')).revision;

    // Within the grace: both secrets get tokens; the old one's ends with the grace.
    const viaOld = await tokenStatus(s, c.client_id, c.client_secret);
    expect(viaOld.status).toBe(200);
    expect(viaOld.json.expires_in).toBeLessThanOrEqual(3);
    const viaNew = await tokenStatus(s, c.client_id, secret('s1-new'));
    expect(viaNew.status).toBe(200);
    expect(viaNew.json.expires_in).toBe(7200);
    // Twice each: the second answer comes from the verified-token cache, which must not outlive the grace either.
    for (const t of [before, before, viaOld.json.access_token, viaOld.json.access_token, viaNew.json.access_token]) expect((await s.request('/x', bearer(t))).status).toBe(200);
    expect((await s.call('GET', `/v1/consumers/${c.name}`)).previous_secret_expires_at).toBe(rot.json.previous_secret_expires_at);
    // The explainer says which secret signed it and until when that one is accepted.
    const within = await s.call('POST', '/v1/explain', { host: 'any.test', path: '/x', token: before });
    expect(within.outcome.status).toBe(200);
    expect(step(within, 'signature')).toEqual({
      step: 'signature',
      ok: true,
      detail: expect.stringContaining(`signed with the previous secret, accepted until ${rot.json.previous_secret_expires_at}`),
    });
    expect(step(await s.call('POST', '/v1/explain', { host: 'any.test', path: '/x', token: viaNew.json.access_token }), 'signature').detail).not.toMatch(/previous/);
    expect((await s.call('GET', '/v1/consumers')).items.find((x: { name: string }) => x.name === c.name).previous_secret_expires_at).toBe(rot.json.previous_secret_expires_at);

    await untilPast(endMs);
    for (const t of [before, viaOld.json.access_token]) {
      const r = await s.request('/x', bearer(t));
      expect(r.status).toBe(401);
      expect(r.json.reason).toBe('bad_signature');
    }
    expect((await s.request('/x', bearer(viaNew.json.access_token))).status).toBe(200);
    expect(await tokenStatus(s, c.client_id, c.client_secret)).toMatchObject({ status: 400, json: { error: 'invalid_client' } });
    expect((await tokenStatus(s, c.client_id, secret('s1-new'))).status).toBe(200);
    expect((await s.call('GET', `/v1/consumers/${c.name}`)).previous_secret_expires_at).toBeNull();
    const after = await s.call('POST', '/v1/explain', { host: 'any.test', path: '/x', token: before });
    expect(after.outcome).toMatchObject({ status: 401, reason: 'bad_signature' });
    expect(step(after, 'signature')).toEqual({ step: 'signature', ok: false, detail: expect.stringContaining(`the previous secret's grace ended at ${rot.json.previous_secret_expires_at}`) });
    // Enforced without a reload: nothing was written since.
    expect((await s.call('GET', '/v1/revision')).revision).toBe(revision);
    // Never logged: neither secret, by either process.
    const logs = [...s.admin.logs, ...s.gateway.logs].join('\n');
    expect(logs).not.toContain(c.client_secret);
    expect(logs).not.toContain(secret('s1-new'));
  });

  it('rotating again drops the older secret at once: a token signed with a secret rotated out twice ago is refused', async () => {
    const c = C(2);
    const oldest = tok(c.name, c.client_id, c.client_secret);
    await s.call('POST', `/v1/consumers/${c.name}/rotate-secret`, { client_secret: secret('s2-mid'), grace_seconds: 600 });
    await enforced(s);
    expect((await s.request('/x', bearer(oldest))).status).toBe(200);
    // A token of the middle secret can only be from after the first rotation.
    const mid = tok(c.name, c.client_id, secret('s2-mid'), nowS());
    const again = await s.call('POST', `/v1/consumers/${c.name}/rotate-secret`, { client_secret: secret('s2-new'), grace_seconds: 600 });
    expect(again.previous_secret_expires_at).toEqual(expect.any(String));
    await enforced(s);
    expect((await s.request('/x', bearer(oldest))).json).toMatchObject({ code: 401, reason: 'bad_signature' });
    expect((await tokenStatus(s, c.client_id, c.client_secret)).status).toBe(400);
    expect((await s.request('/x', bearer(mid))).status).toBe(200);
    expect((await tokenStatus(s, c.client_id, secret('s2-mid'))).status).toBe(200);
  });

  it('rotation without grace behaves as before: the old secret and its tokens stop at the next reload', async () => {
    const c = C(3);
    const before = tok(c.name, c.client_id, c.client_secret);
    expect((await s.request('/x', bearer(before))).status).toBe(200);
    const rot = await s.call('POST', `/v1/consumers/${c.name}/rotate-secret`, {});
    expect(rot.previous_secret_expires_at).toBeNull();
    await enforced(s);
    expect((await s.request('/x', bearer(before))).json).toMatchObject({ code: 401, reason: 'bad_signature' });
    expect((await tokenStatus(s, c.client_id, c.client_secret)).status).toBe(400);
    expect((await tokenStatus(s, c.client_id, rot.client_secret)).status).toBe(200);
  });

  it('a grace rotation followed by one without grace drops the previous secret at once', async () => {
    const c = C(4);
    await s.call('POST', `/v1/consumers/${c.name}/rotate-secret`, { client_secret: secret('s4-mid'), grace_seconds: 600 });
    const mid = tok(c.name, c.client_id, secret('s4-mid'), nowS());
    await s.call('POST', `/v1/consumers/${c.name}/rotate-secret`, { client_secret: secret('s4-new'), grace_seconds: 0 });
    await enforced(s);
    expect((await s.request('/x', bearer(tok(c.name, c.client_id, c.client_secret)))).status).toBe(401);
    expect((await s.request('/x', bearer(mid))).status).toBe(401);
    expect((await s.call('GET', `/v1/consumers/${c.name}`)).previous_secret_expires_at).toBeNull();
  });

  describe('refusals', () => {
    it.each<[string, unknown]>([
      ['negative', -1],
      ['over 30 days', 2_592_001],
      ['not an integer', 1.5],
      ['a string', '10'],
      ['a boolean', true],
      ['null', null],
    ])('grace_seconds %s is 400 naming grace_seconds, and nothing changes', async (_name, grace) => {
      const c = C(1);
      const rev = (await s.call('GET', '/v1/revision')).revision;
      const before = await s.call('GET', `/v1/consumers/${c.name}`);
      const r = await s.admin.api('POST', `/v1/consumers/${c.name}/rotate-secret`, { grace_seconds: grace });
      expect(r.status).toBe(400);
      expect(r.text).toMatch(/grace_seconds/);
      expect((await s.call('GET', '/v1/revision')).revision).toBe(rev);
      expect(await s.call('GET', `/v1/consumers/${c.name}`)).toEqual(before);
      expect((await tokenStatus(s, c.client_id, secret('s1-new'))).status).toBe(200);
    });

    it('oauth2ctl: --grace that is not a whole number is a usage error (exit 2); a range error from the API is exit 2 naming grace_seconds', async () => {
      const env = { OAUTH2_SERVER: s.admin.url, OAUTH2_ADMIN_TOKEN: s.admin.token };
      expectCliFailure(await runOauth2ctl(['consumer', 'rotate-secret', 'c1', '--grace', 'soon'], { env }), 2, /--grace/);
      expectCliFailure(await runOauth2ctl(['consumer', 'rotate-secret', 'c1', '--grace', '2592001'], { env }), 2, /grace_seconds/);
    });
  });

  it('oauth2ctl consumer rotate-secret --grace prints the new secret once and the end of the grace; get shows it', async () => {
    const env = { OAUTH2_SERVER: s.admin.url, OAUTH2_ADMIN_TOKEN: s.admin.token };
    const r = await runOauth2ctl(['consumer', 'rotate-secret', 'c2', '--grace', '3600'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/client_secret:?\s+\S{43}/);
    expect(r.stdout).toMatch(/previous_secret_expires_at:?\s+\d{4}-\d\d-\d\dT[\d:.]+Z \(the previous secret works until then\)/);
    const json = JSON.parse((await runOauth2ctl(['-o', 'json', 'consumer', 'get', 'c2'], { env })).stdout);
    expect(Date.parse(json.previous_secret_expires_at) / 1000 - nowS()).toBeGreaterThan(3500);
    expect(json).not.toHaveProperty('client_secret');
    // --client-secret - reads the new secret from stdin and never echoes it.
    const own = await runOauth2ctl(['-o', 'json', 'consumer', 'rotate-secret', 'c2', '--client-secret', '-', '--grace', '2h'], { env, stdin: secret('s2-cli') + '\n' });
    expect(own.code).toBe(0);
    expect(own.stdout).not.toContain(secret('s2-cli'));
    // A duration with a unit: 2h is 7200 s.
    const until = Date.parse(JSON.parse(own.stdout).previous_secret_expires_at) / 1000 - nowS();
    expect(until).toBeGreaterThan(7190);
    expect(until).toBeLessThanOrEqual(7200);
    // 30s and 15m parse too; a bad unit is a one-line usage error naming --grace.
    expect((await runOauth2ctl(['consumer', 'rotate-secret', 'c2', '--grace', '30s'], { env })).code).toBe(0);
    expect(
      Date.parse(JSON.parse((await runOauth2ctl(['-o', 'json', 'consumer', 'rotate-secret', 'c2', '--grace', '15m'], { env })).stdout).previous_secret_expires_at) / 1000 - nowS(),
    ).toBeGreaterThan(890);
    const bad = await runOauth2ctl(['consumer', 'rotate-secret', 'c2', '--grace', '5w'], { env });
    expectCliFailure(bad, 2, /--grace/);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('rotation with a grace period under signing_alg=RS256 (gateway keys)', () => {
  const C1 = { name: 'k1', client_id: 'grace-rs-1', client_secret: secret('k1-old') };
  const C2 = { name: 'k2', client_id: 'grace-rs-2', client_secret: secret('k2-old') };
  // No leeway, so a token capped at the grace end is refused exactly then.
  const s = seededStackPerBlock({ consumers: [C1, C2], echoRoutes: ['r'], settings: { signing_alg: 'RS256', clock_skew_seconds: 0 } });

  it("the client's tokens from before the rotation verify until the grace ends, then are refused — also by a gateway started after the rotation", async () => {
    const before = await s.token(C1.client_id, C1.client_secret);
    expect(JSON.parse(Buffer.from(before.split('.')[0], 'base64url').toString()).alg).toBe('RS256');
    expect((await s.request('/x', bearer(before))).status).toBe(200);
    await afterSecondOf(iatOf(before));
    const rot = await s.call('POST', `/v1/consumers/${C1.name}/rotate-secret`, { client_secret: secret('k1-new'), grace_seconds: 3 });
    const endMs = Date.parse(rot.previous_secret_expires_at);
    await enforced(s);
    expect((await s.request('/x', bearer(before))).status).toBe(200);
    const viaOld = await tokenStatus(s, C1.client_id, C1.client_secret);
    expect(viaOld.status).toBe(200);
    expect(viaOld.json.expires_in).toBeLessThanOrEqual(3);
    const viaNew = await s.token(C1.client_id, secret('k1-new'));
    // A restart: a fresh gateway process on the same store knows the rule from the stored columns.
    const g2 = await spawnGateway({ dataDir: s.admin.dataDir });
    try {
      await g2.waitForRevision((await s.call('GET', '/v1/revision')).revision);
      expect((await rawRequest(g2.url, '/x', bearer(before))).status).toBe(200);
      await untilPast(endMs);
      for (const url of [s.gateway.url, g2.url]) {
        const r = await rawRequest(url, '/x', bearer(before));
        expect(r.status).toBe(401);
        expect(r.json.reason).toBe('revoked');
        expect((await rawRequest(url, '/x', bearer(viaOld.json.access_token))).json?.reason).toBe('expired');
        expect((await rawRequest(url, '/x', bearer(viaNew))).status).toBe(200);
      }
    } finally {
      await g2.stop();
    }
    // The explainer names the rule.
    const ex = await s.call('POST', '/v1/explain', { host: 'any.test', path: '/x', token: before });
    expect(ex.outcome).toMatchObject({ status: 401, reason: 'revoked' });
    expect(ex.verification.find((v: { step: string }) => v.step === 'not revoked').detail).toMatch(/before the secret rotation at .*Z, whose grace ended at .*Z/);
  });

  it('without grace the older tokens are refused at once, as before', async () => {
    const before = await s.token(C2.client_id, C2.client_secret);
    expect((await s.request('/x', bearer(before))).status).toBe(200);
    await afterSecondOf(iatOf(before));
    await s.call('POST', `/v1/consumers/${C2.name}/rotate-secret`, {});
    await enforced(s);
    expect((await s.request('/x', bearer(before))).json).toMatchObject({ code: 401, reason: 'revoked' });
  });
});

describe('rotation with a grace period and apply (SPEC §8.5: the rotation state is not in the document)', () => {
  const A = { name: 'a1', client_id: 'grace-apply-1', client_secret: secret('a1-old') };
  const s = seededStackPerBlock({ consumers: [A], echoRoutes: ['r'] });
  const JSON_TYPE = { 'content-type': 'application/json' };

  it('an apply that keeps the secret keeps the running grace; one that changes the secret ends it at once', async () => {
    const rot = await s.call('POST', `/v1/consumers/${A.name}/rotate-secret`, { client_secret: secret('a1-new'), grace_seconds: 600 });
    await enforced(s);
    expect((await tokenStatus(s, A.client_id, A.client_secret)).status).toBe(200);
    // The export as it is (secrets included), applied back: same secret, the grace goes on.
    const exported = await s.admin.api('GET', '/v1/export', undefined, { accept: 'application/json' });
    expect(exported.status).toBe(200);
    expect(exported.text).not.toContain(A.client_secret);
    expect(exported.text).toContain(secret('a1-new'));
    expect((await s.admin.api('POST', '/v1/apply', exported.text, JSON_TYPE)).status).toBe(200);
    // The redacted export too ("***" keeps the stored secret).
    const redacted = await s.admin.api('GET', '/v1/export?redact=true', undefined, { accept: 'application/json' });
    expect((await s.admin.api('POST', '/v1/apply', redacted.text, JSON_TYPE)).status).toBe(200);
    await enforced(s);
    expect((await s.call('GET', `/v1/consumers/${A.name}`)).previous_secret_expires_at).toBe(rot.previous_secret_expires_at);
    expect((await tokenStatus(s, A.client_id, A.client_secret)).status).toBe(200);
    expect((await s.request('/x', bearer(tok(A.name, A.client_id, A.client_secret)))).status).toBe(200);

    // The same document with another secret for the consumer: the grace ends with the apply.
    const changed = exported.text.split(secret('a1-new')).join(secret('a1-third'));
    expect((await s.admin.api('POST', '/v1/apply', changed, JSON_TYPE)).status).toBe(200);
    await enforced(s);
    expect((await s.call('GET', `/v1/consumers/${A.name}`)).previous_secret_expires_at).toBeNull();
    expect(await tokenStatus(s, A.client_id, A.client_secret)).toMatchObject({ status: 400, json: { error: 'invalid_client' } });
    expect((await tokenStatus(s, A.client_id, secret('a1-new'))).status).toBe(400);
    expect((await tokenStatus(s, A.client_id, secret('a1-third'))).status).toBe(200);
    expect((await s.request('/x', bearer(tok(A.name, A.client_id, A.client_secret)))).json).toMatchObject({ code: 401, reason: 'bad_signature' });
  });
});
