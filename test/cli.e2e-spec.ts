/**
 * oauth2ctl end to end: the REAL admin API (built, own process, temp data dir, real SQLite) and
 * bin/oauth2ctl run as child processes. Checks stdout, stderr (one line, no stack trace) and the
 * exit code of every command and every exit code of docs/cli.md.
 */
import { createServer } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectCliFailure, runOauth2ctl, spawnAdmin, type AdminProcess, type CliResult } from '@oauth2/testing';

// Each CLI run is a fresh node process; a test making a dozen of them needs more than jest's 5 s default.
jest.setTimeout(60_000);

let dataDir: string;
let admin: AdminProcess;
let server: string;

function oauth2ctl(args: string[], opts: { env?: Record<string, string>; stdin?: string } = {}): Promise<CliResult> {
  return runOauth2ctl(args, { cwd: dataDir, env: { OAUTH2_SERVER: server, OAUTH2_DATA_DIR: dataDir, ...opts.env }, stdin: opts.stdin ?? '' });
}

/** A failure is exactly one line `oauth2ctl: ...` on stderr, nothing on stdout, and no stack trace. */
function expectFailure(r: CliResult, code: number, message?: RegExp): void {
  expectCliFailure(r, code, message);
  expect(r.stderr).not.toMatch(/\bat .+:\d+:\d+/);
}

function expectOk(r: CliResult): void {
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
}

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok));
  const { port } = s.address() as { port: number };
  await new Promise<void>((ok) => s.close(() => ok()));
  return port;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'oauth2ctl-e2e-'));
  // No OAUTH2_ADMIN_TOKEN: the admin API writes <dataDir>/admin.token, which the CLI must find on its own.
  // The smallest apply limit, so `apply` of a big file shows the CLI's 413 (test/admin-apply-limit.e2e-spec.ts covers the default).
  admin = await spawnAdmin({ token: false, env: { OAUTH2_DATA_DIR: dataDir, OAUTH2_APPLY_MAX_BYTES: String(1024 * 1024) } });
  server = admin.url;
});

afterAll(async () => {
  await admin?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('oauth2ctl against the real admin API', () => {
  let clientId: string;
  let secret: string;

  it('status: health and revision, token read from the data dir admin.token', async () => {
    const r = await oauth2ctl(['status']);
    expectOk(r);
    expect(r.stdout).toMatch(/^revision:\s+\d+$/m);
    const j = await oauth2ctl(['-o', 'json', 'status']);
    expect(JSON.parse(j.stdout)).toMatchObject({ server, revision: expect.any(Number) });
  });

  it('consumer add prints the generated client_id and client_secret once', async () => {
    const r = await oauth2ctl(['consumer', 'add', 'consumer1']);
    expectOk(r);
    clientId = /^client_id:\s+(\S+)$/m.exec(r.stdout)![1];
    secret = /^client_secret:\s+(\S+)$/m.exec(r.stdout)![1];
    expect(clientId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(r.stdout).toMatch(/will not be shown again/);
  });

  it('consumer get and list never show the secret', async () => {
    const get = await oauth2ctl(['consumer', 'get', 'consumer1']);
    expectOk(get);
    expect(get.stdout).toContain(clientId);
    expect(get.stdout).not.toContain(secret);
    const json = await oauth2ctl(['-o', 'json', 'consumer', 'get', 'consumer1']);
    expect(JSON.parse(json.stdout)).toMatchObject({ name: 'consumer1', client_id: clientId });
    expect(json.stdout).not.toContain(secret);
    const list = await oauth2ctl(['consumer', 'list', '-o', 'json']);
    expect(JSON.parse(list.stdout)).toMatchObject({ total: 1, items: [{ name: 'consumer1', client_id: clientId }] });
    expect(list.stdout).not.toContain(secret);
  });

  it('consumer add with a given id and secret, -o json', async () => {
    const s = 'x'.repeat(40);
    const r = await oauth2ctl(['-o', 'json', 'consumer', 'add', 'team/c2', '--client-id', 'c2-id', '--client-secret', s]);
    expectOk(r);
    expect(JSON.parse(r.stdout)).toMatchObject({ name: 'team/c2', client_id: 'c2-id' });
    expect(r.stdout).not.toContain(s); // a supplied secret is never echoed back
    const get = await oauth2ctl(['consumer', 'get', 'team/c2']);
    expectOk(get);
    expect(get.stdout).toMatch(/^name:\s+team\/c2$/m);
    // --search: a substring of the name or the client_id, any case.
    const found = await oauth2ctl(['-o', 'json', 'consumer', 'list', '--search', 'C2-ID']);
    expectOk(found);
    expect(JSON.parse(found.stdout)).toMatchObject({ total: 1, items: [{ name: 'team/c2' }] });
    const none = await oauth2ctl(['consumer', 'list', '--search', 'no-such-consumer']);
    expectOk(none);
    expect(none.stdout).not.toMatch(/team\/c2|consumer1/);
  });

  it('rotate-secret prints a new secret', async () => {
    const r = await oauth2ctl(['consumer', 'rotate-secret', 'consumer1']);
    expectOk(r);
    const rotated = /^client_secret:\s+(\S+)$/m.exec(r.stdout)![1];
    expect(rotated).not.toBe(secret);
    secret = rotated;
  });

  it('route add/get/list, names with "/"', async () => {
    const add = await oauth2ctl(['route', 'add', 'ns/ing', '--upstream', 'http://127.0.0.1:9', '--host', 'a.example.com', '--host', '*.b.com', '--path-prefix', '/api', '--strip-prefix']);
    expectOk(add);
    const get = await oauth2ctl(['-o', 'json', 'route', 'get', 'ns/ing']);
    expect(JSON.parse(get.stdout)).toMatchObject({ name: 'ns/ing', hosts: ['a.example.com', '*.b.com'], path_prefix: '/api', strip_prefix: true, upstream: 'http://127.0.0.1:9' });
    const list = await oauth2ctl(['route', 'list']);
    expectOk(list);
    expect(list.stdout.split('\n')[0]).toMatch(/^NAME\s+HOSTS\s+PATH_PREFIX\s+STRIP_PREFIX\s+UPSTREAM$/);
    expect(list.stdout).toMatch(/^ns\/ing\s+a\.example\.com,\*\.b\.com\s+\/api\s+true\s+http:\/\/127\.0\.0\.1:9$/m);
  });

  it('allow add/list; removing an allowed consumer is a conflict without --force', async () => {
    const add = await oauth2ctl(['-o', 'json', 'allow', 'add', '--route', 'ns/ing', '--consumer', 'consumer1', '--consumer', 'team/c2']);
    expectOk(add);
    const rule = JSON.parse(add.stdout) as { id: number };
    expect(rule).toMatchObject({ id: expect.any(Number), routes: ['ns/ing'], allow: ['consumer1', 'team/c2'] });
    const dom = await oauth2ctl(['allow', 'add', '--domain', '*.example.com', '--consumer', 'team/c2', '--position', '0']);
    expectOk(dom);
    const list = await oauth2ctl(['allow', 'list']);
    expectOk(list);
    expect(list.stdout).toMatch(/route:ns\/ing\s+consumer1,team\/c2\s+-\s+-$/m);
    expect(list.stdout).toMatch(/domain:\*\.example\.com\s+team\/c2\s+-\s+-$/m);

    expectFailure(await oauth2ctl(['consumer', 'remove', 'consumer1']), 3);
    expectFailure(await oauth2ctl(['route', 'remove', 'ns/ing']), 3);
  });

  it('settings get/set; global_auth=unset clears it', async () => {
    const set = await oauth2ctl(['settings', 'set', 'global_auth=false', 'token_ttl=60', 'issuer=My Gateway']);
    expectOk(set);
    const get = await oauth2ctl(['-o', 'json', 'settings', 'get']);
    expect(JSON.parse(get.stdout)).toMatchObject({ global_auth: false, token_ttl: 60, issuer: 'My Gateway' });
    expectOk(await oauth2ctl(['settings', 'set', 'global_auth=unset']));
    const table = await oauth2ctl(['settings', 'get']);
    expect(table.stdout).toMatch(/^global_auth\s+unset$/m);
    expect(table.stdout).toMatch(/^token_ttl\s+60$/m);
  });

  it('export -f writes a 0600 YAML backup with secrets; --redact masks them', async () => {
    const file = join(dataDir, 'backup.yaml');
    const r = await oauth2ctl(['export', '-f', file]);
    expectOk(r);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain(secret);
    expect(text).toContain('consumer1');
    const redacted = await oauth2ctl(['export', '--redact']);
    expectOk(redacted);
    expect(redacted.stdout).toContain('consumer1');
    expect(redacted.stdout).not.toContain(secret);
    const json = await oauth2ctl(['-o', 'json', 'export']);
    expect(JSON.parse(json.stdout)).toBeInstanceOf(Object);
  });

  it('apply round trip: export, change things, apply the file back', async () => {
    const file = join(dataDir, 'roundtrip.yaml');
    expectOk(await oauth2ctl(['export', '-f', file]));
    const dry = await oauth2ctl(['apply', '-f', file, '--dry-run']);
    expectOk(dry);
    expect(dry.stdout).toMatch(/^dry run/);

    const removed = await oauth2ctl(['consumer', 'remove', 'consumer1', '--force']);
    expectOk(removed);
    expect(removed.stdout).toMatch(/^deleted consumer consumer1$/m);
    expectFailure(await oauth2ctl(['consumer', 'get', 'consumer1']), 3);

    const applied = await oauth2ctl(['apply', '-f', file]);
    expectOk(applied);
    expect(applied.stdout).toMatch(/^applied at revision \d+$/m);
    expect(applied.stdout).toMatch(/^consumers: 2$/m);
    const back = await oauth2ctl(['-o', 'json', 'consumer', 'get', 'consumer1']);
    expect(JSON.parse(back.stdout)).toMatchObject({ client_id: clientId });
    const again = join(dataDir, 'again.yaml');
    expectOk(await oauth2ctl(['export', '-f', again]));
    expect(readFileSync(again, 'utf8')).toContain(secret);
  });

  it('apply -f - reads JSON from stdin and prints warnings', async () => {
    const doc = {
      consumers: [{ name: 'consumer1', client_id: clientId, client_secret: secret }],
      _rules_: [{ _match_route_: ['not-yet-a-route'], allow: ['consumer1'] }],
    };
    const r = await oauth2ctl(['apply', '-f', '-'], { stdin: JSON.stringify(doc) });
    expectOk(r);
    expect(r.stdout).toMatch(/^consumers: 1$/m);
    expect(r.stdout).toMatch(/^warning: .*not-yet-a-route/m);
    const json = await oauth2ctl(['-o', 'json', 'apply', '-f', '-'], { stdin: JSON.stringify(doc) });
    expect(JSON.parse(json.stdout)).toMatchObject({ revision: expect.any(Number), applied: { consumers: 1, rules: 1 }, warnings: [expect.stringContaining('not-yet-a-route')] });
  });

  it('removes with --force report the rules they touched; allow remove', async () => {
    const rules = JSON.parse((await oauth2ctl(['-o', 'json', 'allow', 'list'])).stdout) as { items: { id: number }[] };
    expect(rules.items.length).toBeGreaterThan(0);
    const rm = await oauth2ctl(['allow', 'remove', String(rules.items[0].id)]);
    expectOk(rm);
    expect(rm.stdout).toBe(`deleted rule ${rules.items[0].id}\n`);
    expectOk(await oauth2ctl(['route', 'remove', 'ns/ing', '--force']));
  });

  it('scopes and groups: consumer add --scope/--group, update, list --group, allow add --group --scope (SPEC §8.5)', async () => {
    expectOk(await oauth2ctl(['consumer', 'add', 'scoped', '--scope', 'orders:read', '--scope', 'orders:write a,b', '--group', 'billing,ops']));
    const got = await oauth2ctl(['consumer', 'get', 'scoped']);
    expect(got.stdout).toMatch(/^scopes: +orders:read orders:write a,b$/m);
    expect(got.stdout).toMatch(/^groups: +billing,ops$/m);
    const upd = await oauth2ctl(['-o', 'json', 'consumer', 'update', 'scoped', '--scope', 'orders:read', '--no-groups']);
    expect(JSON.parse(upd.stdout)).toMatchObject({ scopes: ['orders:read'], groups: [] });
    expect(JSON.parse((await oauth2ctl(['-o', 'json', 'consumer', 'update', 'scoped', '--unrestricted', '--group', 'ops'])).stdout)).toMatchObject({ scopes: null, groups: ['ops'] });
    const listed = await oauth2ctl(['consumer', 'list', '--group', 'ops']);
    expect(listed.stdout).toMatch(/^scoped +\S+ +\(unrestricted\) +ops /m);
    expect(JSON.parse((await oauth2ctl(['-o', 'json', 'consumer', 'list', '--group', 'no-such-group'])).stdout)).toEqual({ items: [], total: 0 });
    expectOk(await oauth2ctl(['route', 'add', 'scoped-route', '--upstream', 'http://127.0.0.1:9', '--path-prefix', '/scoped']));
    const rule = await oauth2ctl(['allow', 'add', '--route', 'scoped-route', '--group', 'ops', '--scope', 'orders:write']);
    expect(rule.stdout).toMatch(/^allow_groups: +ops$/m);
    expect(rule.stdout).toMatch(/^scopes: +orders:write$/m);
    expectFailure(await oauth2ctl(['allow', 'add', '--route', 'scoped-route']), 2, /at least one of --consumer, --group or --scope/);
    expectFailure(await oauth2ctl(['consumer', 'update', 'scoped']), 2, /at least one of/);
    expectFailure(await oauth2ctl(['consumer', 'update', 'scoped', '--scope', 'a"b']), 2, /scopes/);
    expectOk(await oauth2ctl(['route', 'remove', 'scoped-route', '--force']));
  });

  describe('refusals: one stderr line and the exit code', () => {
    it('exit 2: usage errors and API validation (400)', async () => {
      expectFailure(await oauth2ctl(['consumer', 'add']), 2, /missing required argument/);
      expectFailure(await oauth2ctl(['consumer', 'add', 'x', '--bogus']), 2, /unknown option '--bogus'/);
      expectFailure(await oauth2ctl(['route', 'add', 'r1']), 2, /--upstream/);
      expectFailure(await oauth2ctl(['allow', 'add', '--consumer', 'consumer1']), 2, /--route or --domain/);
      expectFailure(await oauth2ctl(['settings', 'set', 'colour=blue']), 2, /unknown setting "colour"/);
      expectFailure(await oauth2ctl(['consumer', 'add', 'bad name!']), 2, /name/);
      expectFailure(await oauth2ctl(['consumer', 'add', 'c3', '--client-secret', 'short']), 2, /client_secret/);
      expectFailure(await oauth2ctl(['route', 'add', 'r1', '--upstream', 'ftp://x']), 2, /upstream/);
      expectFailure(await oauth2ctl(['allow', 'add', '--route', 'r1', '--consumer', 'nobody']), 2);
      expectFailure(await oauth2ctl(['apply', '-f', '-'], { stdin: 'consumers: []\nnot_a_setting: 1\n' }), 2, /not_a_setting/);
      expectFailure(await oauth2ctl(['apply', '-f', join(dataDir, 'missing.yaml')]), 2, /cannot read/);
      // Over the API's apply body limit (1 MiB here): 413, which is the caller's fault too.
      const big = join(dataDir, 'big.yaml');
      writeFileSync(big, `# ${'x'.repeat(1100 * 1024)}\nconsumers: []\n`);
      expectFailure(await oauth2ctl(['apply', '-f', big]), 2, /too large/);
    });

    it('exit 3: not found and conflict', async () => {
      expectFailure(await oauth2ctl(['consumer', 'get', 'nobody']), 3);
      // consumer1 is back from the apply above: adding it again conflicts.
      expectFailure(await oauth2ctl(['consumer', 'add', 'consumer1']), 3, /consumer1/);
      expectFailure(await oauth2ctl(['route', 'get', 'ns/nothing']), 3);
      expectFailure(await oauth2ctl(['allow', 'remove', '999999']), 3);
    });

    it('exit 4: wrong or missing admin token', async () => {
      expectFailure(await oauth2ctl(['--token', 'wrong-token-0123456789', 'consumer', 'list']), 4);
      expectFailure(await oauth2ctl(['consumer', 'list'], { env: { OAUTH2_ADMIN_TOKEN: 'also-wrong-0123456789' } }), 4);
      expectFailure(await oauth2ctl(['consumer', 'list'], { env: { OAUTH2_DATA_DIR: join(dataDir, 'empty') } }), 4, /no admin token/);
    });

    it('exit 5: nothing listens on the server port', async () => {
      const port = await closedPort();
      expectFailure(await oauth2ctl(['status'], { env: { OAUTH2_SERVER: `http://127.0.0.1:${port}` } }), 5, /cannot reach/);
      expectFailure(await oauth2ctl(['--server', `http://127.0.0.1:${port}`, 'consumer', 'list']), 5);
    });
  });
});
