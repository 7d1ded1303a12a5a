import { storePerTest, thrownBy } from '@oauth2/testing';
import { openStore, StoreError } from './index';

// Token revocations against a real SQLite file with migrations applied.
const SECRET = 'a-very-long-client-secret-of-at-least-32-chars';
const nowS = () => Math.floor(Date.now() / 1000);

const storeError = (fn: () => Promise<unknown>) => thrownBy(StoreError, fn);

describe('store: revocations', () => {
  const ctx = storePerTest('oauth2-revoke-', (dataDir) => openStore({ dataDir }));
  beforeEach(async () => {
    await ctx.store.createConsumer({ name: 'c1', client_id: 'id-1', client_secret: SECRET });
  });

  it('starts with none: the snapshot source carries empty lists', async () => {
    expect((await ctx.store.loadSnapshotSource()).revocations).toEqual({ jtis: [], clients: [] });
    expect(await ctx.store.listRevocations(1000, 0)).toEqual({ items: [], total: 0 });
  });

  it('revokes a jti with its exp, bumps the revision, and the snapshot source has it', async () => {
    const before = await ctx.store.revision();
    const exp = nowS() + 600;
    const r = await ctx.store.revoke({ jti: 'j-1', exp });
    expect(r).toEqual({ id: expect.any(Number), jti: 'j-1', exp, created_at: expect.any(String) });
    expect(await ctx.store.revision()).toBe(before + 1);
    const src = await ctx.store.loadSnapshotSource();
    expect(src.revocations).toEqual({ jtis: [{ jti: 'j-1', exp, client_id: null }], clients: [] });
    expect(await ctx.store.listRevocations(1000, 0)).toEqual({ items: [r], total: 1 });
  });

  it("without exp, keeps an operator's jti revocation until it is deleted, whatever token_ttl becomes", async () => {
    await ctx.store.patchSettings({ token_ttl: 100 });
    const r = await ctx.store.revoke({ jti: 'j-2' });
    expect(r.exp).toBe(253_402_300_799);
    await ctx.store.patchSettings({ token_ttl: 7200 });
    expect((await ctx.store.listRevocations(1000, 0)).items.map((i) => i.jti)).toEqual(['j-2']);
  });

  it('keys a jti by client: the same jti for two clients and globally are three rows', async () => {
    const exp = nowS() + 600;
    const a = await ctx.store.revoke({ jti: 'j', client_id: 'id-1', exp });
    expect(a).toEqual({ id: expect.any(Number), jti: 'j', client_id: 'id-1', exp, created_at: expect.any(String) });
    const b = await ctx.store.revokeJti('j', exp, 'id-2');
    const g = await ctx.store.revoke({ jti: 'j', exp });
    expect(new Set([a.id, b.id, g.id]).size).toBe(3);
    expect((await ctx.store.revoke({ jti: 'j', client_id: 'id-1', exp: exp + 5 })).id).toBe(a.id);
    expect((await ctx.store.loadSnapshotSource()).revocations?.jtis).toEqual([
      { jti: 'j', exp: exp + 5, client_id: 'id-1' },
      { jti: 'j', exp, client_id: 'id-2' },
      { jti: 'j', exp, client_id: null },
    ]);
  });

  it('the RFC 7009 write is capped at now + token_ttl + 2 x skew, however far the exp it is given', async () => {
    await ctx.store.patchSettings({ token_ttl: 100, clock_skew_seconds: 5 });
    const t = nowS();
    const r = await ctx.store.revokeJti('j-far', 253_402_300_799, 'id-1');
    expect(r.exp).toBeGreaterThanOrEqual(t + 110);
    expect(r.exp).toBeLessThanOrEqual(nowS() + 110);
  });

  it('/v1/apply giving a client a new secret under an asymmetric signing_alg cuts off its older tokens, like rotate-secret', async () => {
    const doc = (secret: string, alg: string) =>
      JSON.stringify({
        signing_alg: alg,
        consumers: [
          { name: 'c1', client_id: 'id-1', client_secret: secret },
          { name: 'c2', client_id: 'id-2', client_secret: SECRET + '-2' },
        ],
      });
    await ctx.store.apply(doc(SECRET, 'ES256'), { dryRun: false });
    expect((await ctx.store.loadSnapshotSource()).revocations?.clients).toEqual([]); // same secret: nothing cut
    const t = nowS();
    await ctx.store.apply(doc(SECRET + '-new', 'ES256'), { dryRun: false });
    const cuts = (await ctx.store.loadSnapshotSource()).revocations?.clients ?? [];
    expect(cuts.map((c) => c.client_id)).toEqual(['id-1']); // c2's secret did not change
    expect(cuts[0]!.revoked_before).toBeGreaterThanOrEqual(t);
  });

  it('revoking the same jti again keeps one row with the later exp', async () => {
    const t = nowS();
    const a = await ctx.store.revoke({ jti: 'j', exp: t + 500 });
    const b = await ctx.store.revoke({ jti: 'j', exp: t + 100 });
    expect(b).toMatchObject({ id: a.id, exp: t + 500 });
    const c = await ctx.store.revoke({ jti: 'j', exp: t + 900 });
    expect(c).toMatchObject({ id: a.id, exp: t + 900 });
    expect((await ctx.store.listRevocations(1000, 0)).total).toBe(1);
  });

  it('revokes a client as of now; again later moves the cut-off forward, never back', async () => {
    const t = nowS();
    const r = await ctx.store.revoke({ client_id: 'id-1' });
    expect(r).toEqual({ id: expect.any(Number), client_id: 'id-1', revoked_before: expect.any(Number), created_at: expect.any(String) });
    expect(r.revoked_before).toBeGreaterThanOrEqual(t);
    expect(r.revoked_before).toBeLessThanOrEqual(nowS());
    const again = await ctx.store.revoke({ client_id: 'id-1' });
    expect(again.id).toBe(r.id);
    expect(again.revoked_before).toBeGreaterThanOrEqual(r.revoked_before!);
    expect((await ctx.store.loadSnapshotSource()).revocations?.clients).toEqual([{ client_id: 'id-1', revoked_before: again.revoked_before }]);
  });

  it("rotate-secret under an asymmetric signing_alg also cuts off the client's older tokens; under HS256 it does not", async () => {
    // HS256: the new secret alone invalidates every older token.
    await ctx.store.rotateSecret('c1');
    expect((await ctx.store.loadSnapshotSource()).revocations?.clients).toEqual([]);
    // ES256: tokens are signed with the gateway's key, so the rotation must revoke them too.
    await ctx.store.patchSettings({ signing_alg: 'ES256' });
    const before = await ctx.store.revision();
    const t = nowS();
    await ctx.store.rotateSecret('c1');
    expect(await ctx.store.revision()).toBe(before + 1); // one write: secret + cut-off together
    const cuts = (await ctx.store.loadSnapshotSource()).revocations?.clients ?? [];
    expect(cuts).toHaveLength(1);
    const cut = cuts[0]!;
    expect(cut.client_id).toBe('id-1');
    expect(cut.revoked_before).toBeGreaterThanOrEqual(t);
    expect(cut.revoked_before).toBeLessThanOrEqual(nowS());
  });

  it('purges expired jti revocations on the next write and leaves them out of lists meanwhile', async () => {
    const skew = (await ctx.store.getSettings()).clock_skew_seconds;
    const t = nowS();
    await ctx.store.revoke({ jti: 'old', exp: t - skew - 10 });
    // Stored (its own write purged before inserting it) but not active: lists leave it out.
    expect(await ctx.store.listRevocations(1000, 0)).toEqual({ items: [], total: 0 });
    expect((await ctx.store.loadSnapshotSource()).revocations?.jtis.map((j) => j.jti)).toEqual(['old']);
    await ctx.store.revoke({ jti: 'live', exp: t + 3600 });
    expect((await ctx.store.listRevocations(1000, 0)).items.map((i) => i.jti)).toEqual(['live']);
    expect((await ctx.store.loadSnapshotSource()).revocations?.jtis.map((j) => j.jti)).toEqual(['live']);
  });

  it('deletes by id (bumping the revision); an unknown id is not_found', async () => {
    const r = await ctx.store.revoke({ jti: 'x', exp: nowS() + 60 });
    const rev = await ctx.store.revision();
    expect(await ctx.store.deleteRevocation(r.id)).toEqual({ deleted: String(r.id), rules_updated: [], rules_deleted: [], rules_emptied: [] });
    expect(await ctx.store.revision()).toBe(rev + 1);
    expect((await ctx.store.loadSnapshotSource()).revocations).toEqual({ jtis: [], clients: [] });
    expect((await storeError(() => ctx.store.deleteRevocation(r.id))).kind).toBe('not_found');
  });

  it('pages by id', async () => {
    for (const j of ['a', 'b', 'c']) await ctx.store.revoke({ jti: j, exp: nowS() + 60 });
    const p = await ctx.store.listRevocations(2, 1);
    expect(p.total).toBe(3);
    expect(p.items.map((i) => i.jti)).toEqual(['b', 'c']);
    expect(await ctx.store.listRevocations(0, 0)).toEqual({ items: [], total: 3 });
  });

  describe('refusals (nothing written, revision unchanged)', () => {
    it.each<[string, object, string, string]>([
      ['neither', {}, 'validation', 'jti'],
      ['exp with client_id', { client_id: 'id-1', exp: 10 }, 'validation', 'exp'],
      ['negative exp', { jti: 'j', exp: -1 }, 'validation', 'exp'],
      ['fractional exp', { jti: 'j', exp: 1.5 }, 'validation', 'exp'],
      ['absurd exp', { jti: 'j', exp: 1e15 }, 'validation', 'exp'],
      ['empty jti', { jti: '' }, 'validation', 'jti'],
      ['jti with a newline', { jti: 'a\nb' }, 'validation', 'jti'],
      ['over-long jti', { jti: 'x'.repeat(1025) }, 'validation', 'jti'],
      ['client_id with a space', { client_id: 'a b' }, 'validation', 'client_id'],
      ['unknown client_id', { client_id: 'nobody' }, 'not_found', 'client_id'],
    ])('%s', async (_n, input, kind, field) => {
      const rev = await ctx.store.revision();
      const e = await storeError(() => ctx.store.revoke(input));
      expect(e.kind).toBe(kind);
      expect(e.field).toBe(field);
      expect(await ctx.store.revision()).toBe(rev);
      expect((await ctx.store.listRevocations(1000, 0)).total).toBe(0);
    });
  });
});
