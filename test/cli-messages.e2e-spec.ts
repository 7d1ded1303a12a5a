/**
 * What a new user reads from oauth2ctl (issue 13) and the CLI's handling of the admin token and of
 * exported secrets (issue 11): every message and exit code through the real bin/oauth2ctl against
 * the real admin API (built, own process, temp data dir).
 */
import { linkSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { adminWithCli, expectCliFailure, runOauth2ctl, type CliResult } from '@oauth2/testing';

jest.setTimeout(60_000);

const cli = adminWithCli();
const ok = (r: CliResult): CliResult => {
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
  return r;
};
const SECRET = 'a-supplied-secret-of-more-than-32-characters';

beforeAll(async () => {
  ok(await cli.oauth2ctl(['consumer', 'add', 'consumer1']));
  ok(await cli.oauth2ctl(['consumer', 'add', 'consumer2']));
  ok(await cli.oauth2ctl(['route', 'add', 'r1', '--upstream', 'http://127.0.0.1:9001', '--path-prefix', '/api']));
  ok(await cli.oauth2ctl(['allow', 'add', '--route', 'r1', '--consumer', 'consumer1']));
});

describe('validation messages name the actual problem', () => {
  it('a bad host is quoted, not a literal $value', async () => {
    const r = await cli.oauth2ctl(['route', 'add', 'r4', '--upstream', 'http://127.0.0.1:9001', '--host', 'ok.example.com', '--host', 'bad host']);
    expectCliFailure(r, 2, /hosts must be exact hosts or \*\.suffix patterns \(got "bad host"\)/);
    expect(r.stderr).not.toContain('$value');
  });

  it('an upstream port out of range says it is the port', async () => {
    const r = await cli.oauth2ctl(['route', 'add', 'r2', '--upstream', 'http://127.0.0.1:99999']);
    expectCliFailure(r, 2, /upstream has port "99999": a port is a number from 1 to 65535/);
  });

  it('an upstream with credentials says so and does not echo them', async () => {
    const r = await cli.oauth2ctl(['route', 'add', 'r2', '--upstream', 'http://user:hunter2@127.0.0.1:9001']);
    expectCliFailure(r, 2, /upstream must not hold credentials/);
    expect(r.stderr).not.toContain('hunter2');
  });

  it.each([
    ['consumer', 'consumer1'],
    ['route', 'r1'],
  ])('%s remove in use hints the --force flag, not the API parameter', async (noun, name) => {
    const r = await cli.oauth2ctl([noun, 'remove', name]);
    expectCliFailure(r, 3, /is used by rule\(s\) \d+; remove with --force/);
    expect(r.stderr).not.toContain('force=true');
  });

  it('a mistyped option suggests the option of that command, not a global one', async () => {
    const r = await cli.oauth2ctl(['consumer', 'add', 'c', '--secret', 'abc']);
    expectCliFailure(r, 2, /unknown option '--secret'.*did you mean --client-secret\?/);
    expect(r.stderr).not.toContain('--server');
  });

  it('a wrong verb followed by options is an unknown command, naming the verbs', async () => {
    const r = await cli.oauth2ctl(['route', 'change', 'r1', '--upstream', 'http://127.0.0.1:9002']);
    expectCliFailure(r, 2, /unknown command 'change' for 'oauth2ctl route'; one of: add, update, /);
  });

  it.each(['abc', '0', '-5'])('--timeout %s: one message for every bad value', async (v) => {
    const r = await cli.oauth2ctl([`--timeout=${v}`, 'status']);
    expectCliFailure(r, 2, /--timeout .* must be a whole number of seconds, at least 1\./);
  });

  it('allow add on a route that does not exist says why apply differs', async () => {
    const r = await cli.oauth2ctl(['allow', 'add', '--route', 'nosuch', '--consumer', 'consumer1']);
    expectCliFailure(r, 2, /routes\[0\]: route "nosuch" does not exist: create it first \(oauth2ctl route add\); unlike apply, which keeps/);
  });

  it('apply reports every problem of a document at once', async () => {
    const doc = [
      'apiVersion: extensions.higress.io/v1alpha1',
      'kind: WasmPlugin',
      'spec:',
      '  defaultConfig:',
      '    globel_auth: true',
      '    consumers:',
      '    - name: a',
      '      client_id: id-a',
      '      client_secret: short',
      '  matchRules:',
      '  - ingress: [r1]',
      '    config: { allow: [ghost] }',
      '',
    ].join('\n');
    const r = await cli.oauth2ctl(['apply', '-f', '-', '--dry-run'], doc);
    expectCliFailure(
      r,
      2,
      /spec\.defaultConfig\.globel_auth: unknown key; spec\.defaultConfig\.consumers\[0\]\.client_secret: must be at least 32 characters.*; spec\.matchRules\[0\]\.config\.allow\[0\]: consumer "ghost" is not defined in consumers/,
    );
    const api = await cli.admin.api('POST', '/v1/apply?dry_run=true', doc, { 'content-type': 'application/yaml' });
    expect(api.status).toBe(400);
    expect(api.json.errors).toHaveLength(3);
  });
});

describe('commands a new user reaches for', () => {
  it('route update changes the upstream in place and keeps the other fields and the rules', async () => {
    const before = JSON.parse(ok(await cli.oauth2ctl(['-o', 'json', 'allow', 'list'])).stdout);
    const r = ok(await cli.oauth2ctl(['-o', 'json', 'route', 'update', 'r1', '--upstream', 'http://127.0.0.1:9002']));
    expect(JSON.parse(r.stdout)).toMatchObject({ name: 'r1', upstream: 'http://127.0.0.1:9002', path_prefix: '/api', strip_prefix: false });
    expect(JSON.parse(ok(await cli.oauth2ctl(['-o', 'json', 'allow', 'list'])).stdout)).toEqual(before);
    const s = ok(await cli.oauth2ctl(['route', 'update', 'r1', '--strip-prefix', '--host', 'api.example.com']));
    expect(s.stdout).toMatch(/^strip_prefix:\s+true$/m);
    expect(s.stdout).toMatch(/^upstream:\s+http:\/\/127\.0\.0\.1:9002$/m);
    expect(ok(await cli.oauth2ctl(['route', 'update', 'r1', '--no-strip-prefix', '--any-host'])).stdout).toMatch(/^hosts:\s+\* \(any host\)$/m);
  });

  it('route update without a change, or of a missing route, is refused', async () => {
    expectCliFailure(await cli.oauth2ctl(['route', 'update', 'r1']), 2, /needs at least one of --upstream/);
    expectCliFailure(await cli.oauth2ctl(['route', 'update', 'nosuch', '--upstream', 'http://127.0.0.1:9002']), 3, /nosuch/);
  });

  it('allow update replaces the consumers and keeps what the rule matches', async () => {
    const id = JSON.parse(ok(await cli.oauth2ctl(['-o', 'json', 'allow', 'list'])).stdout).items[0].id;
    const r = JSON.parse(ok(await cli.oauth2ctl(['-o', 'json', 'allow', 'update', String(id), '--consumer', 'consumer1', '--consumer', 'consumer2'])).stdout);
    expect(r).toMatchObject({ id, routes: ['r1'], allow: ['consumer1', 'consumer2'] });
    expectCliFailure(await cli.oauth2ctl(['allow', 'update', String(id), '--route', 'nosuch']), 2, /unlike apply/);
  });

  it('keys retire takes a kid starting with "-" as the kid, not an option', async () => {
    const r = await cli.oauth2ctl(['keys', 'retire', '-_8ScA1xyz']);
    expectCliFailure(r, 3, /"-_8ScA1xyz"/);
    expect(r.stderr).not.toMatch(/unknown option/);
  });

  it('a supplied client secret is never echoed back; a generated one is printed once', async () => {
    for (const args of [
      ['consumer', 'add', 'c6', '--client-secret', '-'],
      ['-o', 'json', 'consumer', 'rotate-secret', 'c6', '--client-secret', '-'],
    ]) {
      const r = ok(await cli.oauth2ctl(args, SECRET));
      expect(r.stdout).toContain('c6');
      expect(r.stdout).not.toContain(SECRET);
    }
    const gen = JSON.parse(ok(await cli.oauth2ctl(['-o', 'json', 'consumer', 'rotate-secret', 'c6'])).stdout);
    expect(gen.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('keys list under HS256 says there is no gateway key and why', async () => {
    const r = ok(await cli.oauth2ctl(['keys', 'list']));
    expect(r.stdout).toMatch(/signing_alg is HS256: each token is signed with its client's own client_secret/);
    expect(JSON.parse(ok(await cli.oauth2ctl(['-o', 'json', 'keys', 'list'])).stdout)).toEqual({ items: [], total: 0 });
  });

  it('settings get <key> shows one setting; an unknown key lists the keys', async () => {
    const r = ok(await cli.oauth2ctl(['settings', 'get', 'token_ttl']));
    expect(r.stdout).toMatch(/^token_ttl\s+7200$/m);
    expect(r.stdout).not.toMatch(/issuer/);
    expect(JSON.parse(ok(await cli.oauth2ctl(['-o', 'json', 'settings', 'get', 'token_ttl'])).stdout)).toEqual({ token_ttl: 7200 });
    expectCliFailure(await cli.oauth2ctl(['settings', 'get', 'token-ttl']), 2, /unknown setting "token-ttl"; one of: .*token_ttl/);
  });
});

describe('the admin token and exported secrets (issue 11)', () => {
  it('--help says --token shows in ps and to prefer the env var or the token file', async () => {
    const r = ok(await runOauth2ctl(['--help']));
    expect(r.stdout.replace(/\s+/g, ' ')).toMatch(/--token <token>\s+admin token; visible to other users in ps .*prefer env OAUTH2_ADMIN_TOKEN or the token file/);
  });

  it('plain http:// to a non-loopback host: one warning on stderr before the token is sent', async () => {
    // 192.0.2.1 is TEST-NET-1: nothing answers, so the run ends unreachable (exit 5) after the warning.
    const r = await runOauth2ctl(['--server', 'http://192.0.2.1:9', '--timeout', '1', 'consumer', 'list'], { env: { OAUTH2_ADMIN_TOKEN: 'x'.repeat(24) } });
    expect(r.code).toBe(5);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^oauth2ctl: warning: sending the admin token over plain http:\/\/ to 192\.0\.2\.1:9, a non-loopback address/);
    expect(lines[1]).toMatch(/^oauth2ctl: cannot reach the admin API/);
  });

  it('with -o json the warning is a JSON line on stderr, stdout untouched', async () => {
    const r = await runOauth2ctl(['-o', 'json', '--server', 'http://192.0.2.1:9', '--timeout', '1', 'consumer', 'list'], { env: { OAUTH2_ADMIN_TOKEN: 'x'.repeat(24) } });
    expect(r.stdout).toBe('');
    const lines = r.stderr
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0]).toEqual({ warning: expect.stringMatching(/plain http:\/\//) });
    expect(lines[1].error.exit_code).toBe(5);
  });

  it('no warning on loopback, and none when no token is sent', async () => {
    ok(await cli.oauth2ctl(['consumer', 'list'])); // 127.0.0.1: stderr must be empty
    const r = await runOauth2ctl(['--server', 'http://localhost:1', 'consumer', 'list'], { env: { OAUTH2_ADMIN_TOKEN: 'x'.repeat(24) } });
    expectCliFailure(r, 5);
  });

  it('export -f replaces the file (new 0600 file renamed over it): a hard link to the old file never gets the secrets', async () => {
    const dir = cli.admin.dataDir;
    const target = join(dir, 'backup.yaml');
    const mirror = join(dir, 'mirror.yaml');
    writeFileSync(target, 'old\n', { mode: 0o644 });
    linkSync(target, mirror);
    const inode = statSync(target).ino;
    const r = ok(await cli.oauth2ctl(['export', '-f', 'backup.yaml']));
    expect(r.stdout).toMatch(/wrote backup\.yaml/);
    expect(statSync(target).mode & 0o777).toBe(0o600);
    expect(statSync(target).ino).not.toBe(inode);
    expect(readFileSync(target, 'utf8')).toContain('client_secret');
    expect(readFileSync(mirror, 'utf8')).toBe('old\n');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('export -f into a missing directory fails in one line and leaves no temp file', async () => {
    expectCliFailure(await cli.oauth2ctl(['export', '-f', 'no/such/dir/backup.yaml']), 1, /cannot write .*ENOENT/);
  });
});
