import { readFileSync } from 'node:fs';
import { Pool } from 'undici';
import { AT_HEADER, craftHs256, runConcurrent, seededStackPerBlock, standardClaims } from '@oauth2/testing';

// The verified-token cache under a hostile mix (issue 11): any consumer can mint as many distinct,
// valid, large tokens as it likes with its own secret. Before the fix the cache kept 10,000 whole
// tokens (up to 8 KiB) with their whole parsed payloads — rounds of 12,000 7.3 KB tokens took a
// gateway from 527 to 1,146 MB. Now tokens over 4096 characters are not cached, entries keep only
// the claims the gateway reads, and the whole is bounded by bytes (16 MiB by default).
jest.setTimeout(120_000);

const MALLORY = { name: 'mallory', client_id: 'mallory-id', client_secret: 'mallory-own-secret-0123456789abcdef-0123' };
const s = seededStackPerBlock({
  consumers: [MALLORY, { name: 'alice', client_id: 'alice-id', client_secret: 'alice-secret-0123456789abcdef-0123456789' }],
  echoRoutes: [{ name: 'app', path_prefix: '/app' }],
});

/** The gateway process's resident set, from /proc (bytes). */
function rssOf(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}

const now = () => Math.floor(Date.now() / 1000);
const claims = (jti: string, extra: Record<string, unknown>) => ({ ...standardClaims({ name: MALLORY.name, clientId: MALLORY.client_id, now: now() }), jti, ...extra });
/** `n` short claims (`"c1a":"1a"`, 11 bytes each): 500 of them make a 7.3 KB token. */
const stuffed = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`c${i.toString(36)}`, i.toString(36)]));

/**
 * The mix, `round` making every token distinct: 7.3 KB tokens with 500 claims (cached whole before),
 * ~4 KB ones with 200 claims (cacheable: the byte bound applies) and ~4 KB ones sent after 10,000
 * spaces (`Bearer` + spaces + token: a key sliced from the header would pin all 14 KB).
 * `secret` wrong gives the same shapes, refused and never cached (the warm-up).
 */
function hostileMix(round: string, secret: string, scale = 1): string[] {
  const headers: string[] = [];
  for (let i = 0; i < 600 * scale; i++) headers.push(`Bearer ${craftHs256(AT_HEADER, claims(`${round}-a${i}`, stuffed(500)), secret)}`);
  for (let i = 0; i < 300 * scale; i++) headers.push(`Bearer ${craftHs256(AT_HEADER, claims(`${round}-b${i}`, stuffed(250)), secret)}`);
  for (let i = 0; i < 100 * scale; i++) headers.push(`Bearer ${' '.repeat(10_000)}${craftHs256(AT_HEADER, claims(`${round}-c${i}`, stuffed(250)), secret)}`);
  return headers;
}

describe('verified-token cache: RSS under a hostile mix of large distinct valid tokens', () => {
  let pool: Pool;
  beforeAll(async () => {
    await s.call('POST', '/v1/rules', { routes: ['app'], allow: ['alice'] });
    await s.sync();
    pool = new Pool(s.gateway.url, { connections: 16 });
  });
  afterAll(async () => {
    await pool?.close();
  });

  /** Sends every header value once; returns the status counts. */
  async function send(authorizations: string[]): Promise<Record<number, number>> {
    const statuses = await runConcurrent(authorizations.length, 16, async (i) => {
      const r = await pool.request({ method: 'GET', path: '/app/x', headers: { authorization: authorizations[i] } });
      await r.body.dump();
      return r.statusCode;
    });
    const counts: Record<number, number> = {};
    for (const st of statuses) {
      if (st instanceof Error) throw st;
      counts[st] = (counts[st] ?? 0) + 1;
    }
    return counts;
  }

  it('1,000 distinct valid tokens (600 of 7.3 KB with 500 claims) grow the gateway by under 16 MB', async () => {
    // Every token made first: no idle gap on the pooled connections between the phases.
    const warm = hostileMix('warm', 'not-the-secret-0123456789abcdef-0123456789', 0.5);
    const valid = hostileMix('r1', MALLORY.client_secret);
    expect(valid.length).toBe(1000);
    expect(valid[0].length).toBeGreaterThan(7000);
    expect(valid[0].length).toBeLessThan(8192);
    expect(valid[600].length).toBeGreaterThan(3500);
    expect(valid[600].length).toBeLessThanOrEqual(4096 + 'Bearer '.length);
    expect(valid[999].length).toBeGreaterThan(13_500);

    // Warm-up with the same shapes under a wrong secret: parser buffers and the heap reach their
    // working size; nothing is cached (failures never are).
    expect(await send(warm)).toEqual({ 401: 500 });
    const pid = s.gateway.child.pid!;
    const before = rssOf(pid);

    // Each request authenticates (then 403: mallory is not allowed on the route), cached if it may be.
    expect(await send(valid)).toEqual({ 403: 1000 });
    const grown = rssOf(pid) - before;
    // Before: 1,000 cached entries of 4-14 KB of key plus 20-50 KB of parsed claims each (~+40 MB).
    // Now: the 400 cacheable ones, ~4.6 KB each by the budget's count (~2 MB), plus heap slack.
    expect(grown).toBeLessThan(16 * 1024 * 1024);

    // Still serving, and a small token still verifies.
    const ok = craftHs256(AT_HEADER, claims('after', {}), MALLORY.client_secret);
    expect(await send([`Bearer ${ok}`])).toEqual({ 403: 1 });
  });
});
