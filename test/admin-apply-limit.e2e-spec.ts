/**
 * Body limits of the admin API (SPEC §11 "Big documents"): POST /v1/apply has its own,
 * OAUTH2_APPLY_MAX_BYTES (default 256 MiB), so a whole configuration of many MiB applies; every
 * other body stays at 1 MiB (413).
 */
import { ADMIN_ENTRY, makeTempDir, runToExit, spawnAdmin, type AdminProcess } from '@oauth2/testing';

jest.setTimeout(60_000);

const MiB = 1024 * 1024;

/** A plugin-config document of `n` consumers with explicit ids and secrets, as JSON. */
function bigDocument(n: number): string {
  const consumers = Array.from({ length: n }, (_, i) => ({
    name: `consumer-${i}`,
    client_id: `client-id-${i}`,
    client_secret: `secret-${String(i).padStart(8, '0')}-0123456789abcdef0123456789abcdef`,
  }));
  return JSON.stringify({ consumers, _rules_: [{ _match_route_: ['r1'], allow: ['consumer-0', `consumer-${n - 1}`] }] });
}

describe('admin body limits', () => {
  let admin: AdminProcess;
  let small: AdminProcess;
  beforeAll(async () => {
    admin = await spawnAdmin();
    small = await spawnAdmin({ env: { OAUTH2_APPLY_MAX_BYTES: String(2 * MiB) } });
  });
  afterAll(async () => {
    await admin?.stop();
    await small?.stop();
  });

  it('an apply document over 1 MiB is applied under the default limit', async () => {
    const doc = bigDocument(15_000);
    expect(Buffer.byteLength(doc)).toBeGreaterThan(1.5 * MiB);
    const r = await admin.api('POST', '/v1/apply', doc, { 'content-type': 'application/json' });
    expect(r.status).toBe(200);
    expect(r.json.applied).toEqual({ consumers: 15_000, rules: 1 });
    expect((await admin.api('GET', '/v1/consumers?limit=1')).json.total).toBe(15_000);
  });

  it('every other body over 1 MiB is 413, also on the admin API with the big apply limit', async () => {
    const before = (await admin.api('GET', '/v1/revision')).json.revision;
    const r = await admin.api('POST', '/v1/consumers', { name: 'big', client_secret: 'x'.repeat(MiB + 16) });
    expect(r.status).toBe(413);
    expect(r.json).toEqual({ code: 413, msg: 'request body too large (limit 1 MiB)' });
    const p = await admin.api('PATCH', '/v1/settings', { padding: 'y'.repeat(MiB + 16) });
    expect(p.status).toBe(413);
    expect((await admin.api('GET', '/v1/revision')).json.revision).toBe(before);
  });

  it('an apply document over OAUTH2_APPLY_MAX_BYTES is 413 naming the limit; nothing changes', async () => {
    const before = (await small.api('GET', '/v1/revision')).json.revision;
    const ok = await small.api('POST', '/v1/apply', bigDocument(10_000), { 'content-type': 'application/json' });
    expect(ok.status).toBe(200);
    const doc = bigDocument(20_000);
    expect(Buffer.byteLength(doc)).toBeGreaterThan(2 * MiB);
    const r = await small.api('POST', '/v1/apply', doc, { 'content-type': 'application/json' });
    expect(r.status).toBe(413);
    expect(r.json).toEqual({ code: 413, msg: 'request body too large (limit 2 MiB)' });
    expect((await small.api('GET', '/v1/revision')).json.revision).toBe(before + 1);
  });

  it.each(['1000', '1048575', String(501 * MiB), '1e9'])('OAUTH2_APPLY_MAX_BYTES=%s is refused at start in one line', async (v) => {
    const dir = makeTempDir('oauth2-apply-limit-');
    try {
      const r = await runToExit(ADMIN_ENTRY, { OAUTH2_DATA_DIR: dir.path, ADMIN_PORT: '0', OAUTH2_APPLY_MAX_BYTES: v });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/OAUTH2_APPLY_MAX_BYTES=.* must be an integer 1048576-524288000 \(bytes\)/);
    } finally {
      dir.cleanup();
    }
  });
});
