/**
 * `oauth2ctl token revoke | revocations | unrevoke` end to end: bin/oauth2ctl as a child process
 * against the real admin API, with the gateway enforcing what it wrote.
 */
import { AT_HEADER, craftHs256, expectCliFailure, runOauth2ctl, seededStackPerBlock, standardClaims } from '@oauth2/testing';

jest.setTimeout(60_000);

const ID = 'cli-revoke-client';
const SECRET = 'cli-revoke-secret-0123456789abcdef0123456';
const nowS = () => Math.floor(Date.now() / 1000);
const tok = (jti: string, iat = nowS()) => craftHs256(AT_HEADER, { ...standardClaims({ name: 'c1', clientId: ID, now: nowS() }), jti, iat, exp: iat + 7200 }, SECRET);

const s = seededStackPerBlock({ consumers: [{ name: 'c1', client_id: ID, client_secret: SECRET }], echoRoutes: ['r'] });

const oauth2ctl = (args: string[], token = s.admin.token) => runOauth2ctl(args, { env: { OAUTH2_SERVER: s.admin.url, OAUTH2_ADMIN_TOKEN: token } });

async function status(token: string): Promise<[number, string | undefined]> {
  const r = await s.request('/x', { headers: { authorization: `Bearer ${token}` } });
  return [r.status, r.json?.reason];
}

describe('oauth2ctl token', () => {
  it('revoke --jti: the gateway refuses that token, the list shows it, unrevoke restores it', async () => {
    const t = tok('cli-jti-1');
    const other = tok('cli-jti-2');
    expect(await status(t)).toEqual([200, undefined]);
    const exp = nowS() + 3600;
    const r = await oauth2ctl(['token', 'revoke', '--jti', 'cli-jti-1', '--exp', String(exp)]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^jti: +cli-jti-1$/m);
    expect(r.stdout).toContain(String(exp));
    await s.sync();
    expect(await status(t)).toEqual([401, 'revoked']);
    expect(await status(other)).toEqual([200, undefined]);

    const list = await oauth2ctl(['-o', 'json', 'token', 'revocations']);
    expect(list.code).toBe(0);
    const page = JSON.parse(list.stdout);
    const entry = page.items.find((i: { jti?: string }) => i.jti === 'cli-jti-1');
    expect(entry).toMatchObject({ jti: 'cli-jti-1', exp });
    const table = await oauth2ctl(['token', 'revocations']);
    expect(table.stdout).toMatch(/^ID +KIND +TARGET/);
    expect(table.stdout).toMatch(new RegExp(`^${entry.id} +jti +cli-jti-1 +until ${exp}`, 'm'));

    const un = await oauth2ctl(['token', 'unrevoke', String(entry.id)]);
    expect(un).toMatchObject({ code: 0, stdout: `deleted revocation ${entry.id}\n` });
    await s.sync();
    expect(await status(t)).toEqual([200, undefined]);
    expectCliFailure(await oauth2ctl(['token', 'unrevoke', String(entry.id)]), 3, /not found/);
  });

  it('revoke --client-id: older tokens are refused, a token issued in a later second works', async () => {
    const old = tok('cli-old', nowS() - 5);
    const r = await oauth2ctl(['-o', 'json', 'token', 'revoke', '--client-id', ID]);
    expect(r.code).toBe(0);
    const rev = JSON.parse(r.stdout);
    expect(rev).toMatchObject({ client_id: ID, revoked_before: expect.any(Number) });
    await s.sync();
    expect(await status(old)).toEqual([401, 'revoked']);
    expect(await status(tok('cli-new', rev.revoked_before + 1))).toEqual([200, undefined]);
    expect((await oauth2ctl(['token', 'unrevoke', String(rev.id)])).code).toBe(0);
  });

  describe('refusals', () => {
    it.each<[string, string[], number, RegExp]>([
      ['neither --jti nor --client-id', ['token', 'revoke'], 2, /give --jti, --client-id, or both/],
      ['--exp with --client-id', ['token', 'revoke', '--client-id', ID, '--exp', '100'], 2, /--exp goes with --jti only/],
      ['--exp not a number', ['token', 'revoke', '--jti', 'x', '--exp', 'soon'], 2, /exp/],
      ['unknown client id', ['token', 'revoke', '--client-id', 'nobody'], 3, /nobody/],
      ['unrevoke a non-number', ['token', 'unrevoke', 'abc'], 2, /positive integer/],
      ['missing verb', ['token'], 2, /revoke/],
    ])('%s', async (_n, args, code, message) => {
      expectCliFailure(await oauth2ctl(args), code, message);
    });

    it('a wrong admin token is exit 4 and revokes nothing', async () => {
      expectCliFailure(await oauth2ctl(['token', 'revoke', '--jti', 'never'], 'wrong-token'), 4, /admin token/);
      const page = await s.call('GET', '/v1/revocations');
      expect(page.items.map((i: { jti?: string }) => i.jti)).not.toContain('never');
    });
  });
});
