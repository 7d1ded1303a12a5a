/**
 * `oauth2ctl keys` and `settings set signing_alg=...` end to end (docs/signing-keys.md): the real admin API and
 * bin/oauth2ctl as child processes; stdout, one-line stderr and the exit codes of docs/cli.md.
 */
import { adminWithCli } from '@oauth2/testing';

jest.setTimeout(60_000);

const { oauth2ctl } = adminWithCli();

describe('oauth2ctl keys', () => {
  it('list is empty under HS256; rotate without an alg there is a usage error (exit 2)', async () => {
    const list = await oauth2ctl(['-o', 'json', 'keys', 'list']);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual({ items: [], total: 0 });
    const r = await oauth2ctl(['keys', 'rotate']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/signing_alg is HS256/);
  });

  it('settings set signing_alg=ES256 creates the first key; rotate adds one; retire too early exits 3 naming the time', async () => {
    const set = await oauth2ctl(['settings', 'set', 'signing_alg=ES256']);
    expect(set.code).toBe(0);
    expect(set.stdout).toMatch(/signing_alg\s+ES256/);
    const first = JSON.parse((await oauth2ctl(['-o', 'json', 'keys', 'list'])).stdout).items[0];
    expect(first).toMatchObject({ alg: 'ES256', status: 'active' });

    const rotated = await oauth2ctl(['keys', 'rotate']);
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toMatch(/status:\s+active/);
    expect(rotated.stdout).not.toMatch(/PRIVATE|"d"/);

    const table = await oauth2ctl(['keys', 'list']);
    expect(table.stdout).toMatch(/KID\s+ALG\s+STATUS/);
    expect(table.stdout).toContain(first.kid);
    expect(table.stdout).toMatch(/inactive/);

    const early = await oauth2ctl(['keys', 'retire', first.kid]);
    expect(early.code).toBe(3);
    expect(early.stderr).toMatch(/can be retired from \d{4}-\d\d-\d\dT/);
    expect(early.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('rotate --alg EdDSA switches signing_alg; a bad --alg or kid is a usage error; an unknown kid exits 3', async () => {
    const r = await oauth2ctl(['-o', 'json', 'keys', 'rotate', '--alg', 'EdDSA']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ alg: 'EdDSA', status: 'active', public_jwk: { kty: 'OKP' } });
    expect(JSON.parse((await oauth2ctl(['-o', 'json', 'settings', 'get'])).stdout).signing_alg).toBe('EdDSA');
    expect((await oauth2ctl(['keys', 'rotate', '--alg', 'HS256'])).code).toBe(2);
    expect((await oauth2ctl(['keys', 'retire', '../x'])).code).toBe(2);
    expect((await oauth2ctl(['keys', 'retire', 'unknown-kid'])).code).toBe(3);
    expect((await oauth2ctl(['settings', 'set', 'signing_alg=none'])).code).toBe(2);
  });
});
