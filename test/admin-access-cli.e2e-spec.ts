/**
 * `oauth2ctl admin-token create|list|revoke`, `oauth2ctl audit` and the role `status` shows, end to
 * end: bin/oauth2ctl as a child process against the real admin API.
 */
import { adminWithCli, expectCliFailure, runOauth2ctl } from '@oauth2/testing';

jest.setTimeout(60_000);

const s = adminWithCli();
const as = (token: string, args: string[]) => runOauth2ctl(args, { env: { OAUTH2_SERVER: s.admin.url, OAUTH2_ADMIN_TOKEN: token } });

describe('oauth2ctl admin access', () => {
  let viewer = '';

  it('admin-token create prints the token once; status shows the role it acts as', async () => {
    const r = await s.oauth2ctl(['admin-token', 'create', 'ci', '--role', 'viewer', '--expires-in', '86400']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    viewer = /^token: +(\S+)$/m.exec(r.stdout)![1];
    expect(viewer).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(r.stdout).toMatch(/will not be shown again/);
    expect((await s.oauth2ctl(['status'])).stdout).toMatch(/^acting as: +root \(role admin\)$/m);
    expect((await as(viewer, ['status'])).stdout).toMatch(/^acting as: +ci \(role viewer\)$/m);
    const list = await s.oauth2ctl(['admin-token', 'list']);
    expect(list.stdout).toMatch(/^root +admin +\(bootstrap token\)/m);
    expect(list.stdout).toMatch(/^ci +viewer /m);
    expect(list.stdout).not.toContain(viewer);
  });

  it('a viewer writing: exit 4, one line naming the role', async () => {
    expectCliFailure(await as(viewer, ['consumer', 'add', 'nope']), 4, /role viewer may not POST \/v1\/consumers/);
    expectCliFailure(await as(viewer, ['admin-token', 'create', 'x', '--role', 'admin']), 4, /role viewer may not/);
  });

  it('bad input: unknown role exit 2, duplicate name exit 3, root cannot be revoked', async () => {
    expectCliFailure(await s.oauth2ctl(['admin-token', 'create', 'y', '--role', 'boss']), 2, /role: "boss" is not a role/);
    expectCliFailure(await s.oauth2ctl(['admin-token', 'create', 'ci', '--role', 'viewer']), 3, /already exists/);
    expectCliFailure(await s.oauth2ctl(['admin-token', 'revoke', 'root']), 3, /bootstrap token/);
  });

  it('audit shows who did what to a consumer; revoke ends the token', async () => {
    expect((await s.oauth2ctl(['consumer', 'add', 'billing'])).code).toBe(0);
    expect((await s.oauth2ctl(['consumer', 'rotate-secret', 'billing'])).code).toBe(0);
    const trail = await as(viewer, ['audit', '--target', 'billing']);
    expect(trail.code).toBe(0);
    const lines = trail.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^AT +ACTOR +ROLE +ACTION +TARGET +REVISION +REQUEST_ID +SUMMARY$/);
    expect(lines.slice(1).map((l) => l.split(/ +/).slice(1, 5))).toEqual([
      ['root', 'admin', 'consumer.rotate_secret', 'billing'],
      ['root', 'admin', 'consumer.create', 'billing'],
    ]);
    const json = JSON.parse((await as(viewer, ['-o', 'json', 'audit', '--action', 'admin_token.*', '--limit', '1'])).stdout);
    expect(json).toMatchObject({ total: 1, items: [{ action: 'admin_token.create', target: 'ci', actor: 'root' }] });
    expect((await s.oauth2ctl(['admin-token', 'revoke', 'ci'])).stdout).toBe('revoked admin token ci\n');
    expectCliFailure(await as(viewer, ['status']), 4, /invalid admin token/);
  });
});
