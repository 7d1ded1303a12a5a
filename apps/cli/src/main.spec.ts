/**
 * run() in-process against a stand-in admin API (a plain node:http server that records what it
 * receives): checks what goes on the wire (paths, encoding, bodies, headers) and how answers are
 * printed and mapped to exit codes. test/cli.e2e-spec.ts runs the same against the real admin API.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './main';
import type { CliIO } from './context';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}
type Reply = { status: number; body: unknown; type?: string };

let server: Server;
let base: string;
let seen: Seen[] = [];
let replies: Record<string, Reply> = {};
let dir: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString() });
      const path = req.url!.split('?')[0];
      const r = replies[`${req.method} ${path}`] ?? { status: 404, body: { code: 404, msg: `no such thing: ${path}` } };
      const text = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
      res.writeHead(r.status, { 'content-type': r.type ?? 'application/json; charset=utf-8' }).end(text);
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((ok) => server.close(() => ok())));
beforeEach(() => {
  seen = [];
  replies = {};
  dir = mkdtempSync(join(tmpdir(), 'oauth2ctl-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function cli(args: string[], opts: { env?: Record<string, string>; stdin?: string; server?: string | null } = {}) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    readStdin: async () => opts.stdin ?? '',
    env: { OAUTH2_ADMIN_TOKEN: 'admintok', ...(opts.server === null ? {} : { OAUTH2_SERVER: opts.server ?? base }), ...opts.env },
    cwd: dir,
  };
  const code = await run(args, io);
  return { code, stdout, stderr };
}

const page = (items: unknown[]) => ({ status: 200, body: { items, total: items.length } });

describe('requests on the wire', () => {
  it('URL-encodes names with "/" into one path segment', async () => {
    replies['GET /v1/routes/ns%2Fing'] = { status: 200, body: { name: 'ns/ing', hosts: [], path_prefix: '/', upstream: 'http://u', strip_prefix: false } };
    const r = await cli(['route', 'get', 'ns/ing']);
    expect(r.code).toBe(0);
    expect(seen[0].url).toBe('/v1/routes/ns%2Fing');
    expect(r.stdout).toMatch(/^name:\s+ns\/ing$/m);
  });

  it('sends the admin token as a Bearer header', async () => {
    replies['GET /v1/consumers'] = page([]);
    await cli(['consumer', 'list']);
    expect(seen[0].headers.authorization).toBe('Bearer admintok');
  });

  it('--token beats OAUTH2_ADMIN_TOKEN, which beats the data dir file', async () => {
    replies['GET /v1/consumers'] = page([]);
    writeFileSync(join(dir, 'admin.token'), 'fromfile\n');
    await cli(['--token', 'fromflag', 'consumer', 'list']);
    await cli(['consumer', 'list'], { env: { OAUTH2_ADMIN_TOKEN: 'fromenv' } });
    await cli(['consumer', 'list'], { env: { OAUTH2_ADMIN_TOKEN: '', OAUTH2_DATA_DIR: dir } });
    expect(seen.map((s) => s.headers.authorization)).toEqual(['Bearer fromflag', 'Bearer fromenv', 'Bearer fromfile']);
  });

  it('without any token fails with exit 4 before sending anything', async () => {
    const r = await cli(['consumer', 'list'], { env: { OAUTH2_ADMIN_TOKEN: '', OAUTH2_DATA_DIR: join(dir, 'nope') } });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^oauth2ctl: no admin token/);
    expect(seen).toHaveLength(0);
  });

  it('--client-secret - reads the secret from stdin (kept out of ps and shell history)', async () => {
    const secret = 'z'.repeat(40);
    replies['POST /v1/consumers'] = { status: 201, body: { name: 'c1', client_id: 'id', client_secret: secret } };
    replies['POST /v1/consumers/c1/rotate-secret'] = { status: 200, body: { name: 'c1', client_id: 'id', client_secret: secret } };
    expect((await cli(['consumer', 'add', 'c1', '--client-secret', '-'], { stdin: `${secret}\n` })).code).toBe(0);
    expect((await cli(['consumer', 'rotate-secret', 'c1', '--client-secret', '-'], { stdin: secret })).code).toBe(0);
    expect(seen.map((s) => JSON.parse(s.body).client_secret)).toEqual([secret, secret]);
    const empty = await cli(['consumer', 'add', 'c1', '--client-secret', '-'], { stdin: '' });
    expect(empty.code).toBe(2);
    expect(seen).toHaveLength(2);
  });

  it('consumer remove --force adds force=true', async () => {
    replies['DELETE /v1/consumers/c1'] = { status: 200, body: { deleted: 'c1', rules_updated: [2], rules_deleted: [] } };
    const r = await cli(['consumer', 'remove', 'c1', '--force']);
    expect(seen[0].url).toBe('/v1/consumers/c1?force=true');
    expect(r.stdout).toBe('deleted consumer c1\nrules updated: 2\n');
  });

  it('route add sends only the flags given', async () => {
    replies['POST /v1/routes'] = { status: 201, body: { name: 'r', hosts: ['a.com', '*.b.com'], path_prefix: '/api', upstream: 'http://u', strip_prefix: true } };
    await cli(['route', 'add', 'r', '--upstream', 'http://u', '--host', 'a.com', '--host', '*.b.com', '--path-prefix', '/api', '--strip-prefix']);
    await cli(['route', 'add', 'r', '--upstream', 'http://u']);
    expect(JSON.parse(seen[0].body)).toEqual({ name: 'r', upstream: 'http://u', hosts: ['a.com', '*.b.com'], path_prefix: '/api', strip_prefix: true });
    expect(JSON.parse(seen[1].body)).toEqual({ name: 'r', upstream: 'http://u' });
  });

  it('allow add builds a route rule or a domain rule', async () => {
    replies['POST /v1/rules'] = { status: 201, body: { id: 1, position: 0, routes: ['a', 'b'], allow: ['c1', 'c2'] } };
    await cli(['allow', 'add', '--route', 'a', '--route', 'b', '--consumer', 'c1,c2', '--position', '0']);
    await cli(['allow', 'add', '--domain', '*.x.com', '--consumer', 'c1']);
    expect(JSON.parse(seen[0].body)).toEqual({ routes: ['a', 'b'], allow: ['c1', 'c2'], position: 0 });
    expect(JSON.parse(seen[1].body)).toEqual({ domains: ['*.x.com'], allow: ['c1'] });
  });

  it('settings set sends typed values; global_auth=unset sends null', async () => {
    replies['PATCH /v1/settings'] = { status: 200, body: { global_auth: null, token_ttl: 60 } };
    const r = await cli(['settings', 'set', 'global_auth=unset', 'token_ttl=60']);
    expect(r.code).toBe(0);
    expect(JSON.parse(seen[0].body)).toEqual({ global_auth: null, token_ttl: 60 });
    expect(r.stdout).toMatch(/global_auth\s+unset/);
  });

  it('apply sends the file raw with its content type; --dry-run adds dry_run=true', async () => {
    replies['POST /v1/apply'] = { status: 200, body: { revision: 4, warnings: ['route "x" does not exist yet'], applied: { consumers: 1, rules: 1 } } };
    const yaml = 'consumers:\n- name: c1\n  client_id: id\n  client_secret: s\n';
    writeFileSync(join(dir, 'cfg.yaml'), yaml);
    const r = await cli(['apply', '-f', 'cfg.yaml', '--dry-run']);
    expect(r.code).toBe(0);
    expect(seen[0].url).toBe('/v1/apply?dry_run=true');
    expect(seen[0].headers['content-type']).toBe('application/yaml');
    expect(seen[0].body).toBe(yaml);
    expect(r.stdout).toMatch(/warning: route "x" does not exist yet/);
  });

  it('apply -f - reads standard input', async () => {
    replies['POST /v1/apply'] = { status: 200, body: { revision: 5, warnings: [], applied: { consumers: 0, rules: 0 } } };
    const r = await cli(['apply', '-f', '-'], { stdin: '{"consumers": []}' });
    expect(r.code).toBe(0);
    expect(seen[0].headers['content-type']).toBe('application/json');
    expect(r.stdout).toMatch(/^applied at revision 5$/m);
  });

  it('export -f writes mode 0600, even over an existing wider file', async () => {
    replies['GET /v1/export'] = { status: 200, body: 'apiVersion: extensions.higress.io/v1alpha1\n', type: 'application/yaml' };
    const file = join(dir, 'backup.yaml');
    writeFileSync(file, 'old');
    chmodSync(file, 0o644);
    const r = await cli(['export', '-f', file, '--redact']);
    expect(r.code).toBe(0);
    expect(seen[0].url).toBe('/v1/export?format=yaml&redact=true');
    expect(seen[0].headers.accept).toBe('application/json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe('apiVersion: extensions.higress.io/v1alpha1\n');
  });
});

describe('output', () => {
  it('-o json prints the API document verbatim, pretty', async () => {
    const body = { items: [{ name: 'c1', client_id: 'id1', created_at: 't' }], total: 1 };
    replies['GET /v1/consumers'] = { status: 200, body };
    const r = await cli(['-o', 'json', 'consumer', 'list']);
    expect(JSON.parse(r.stdout)).toEqual(body);
    expect(r.stdout).toBe(JSON.stringify(body, null, 2) + '\n');
  });

  it('global options are accepted after the command too', async () => {
    replies['GET /v1/consumers'] = page([]);
    const r = await cli(['consumer', 'list', '-o', 'json']);
    expect(JSON.parse(r.stdout)).toEqual({ items: [], total: 0 });
  });

  it('status shows health, revision, the acting token and nodes', async () => {
    replies['GET /healthz'] = { status: 200, body: { status: 'ok' } };
    replies['GET /v1/revision'] = { status: 200, body: { revision: 12 } };
    const node = { name: 'gw-1:8000', version: '0.1.0', revision: 11, lag: 1, status: 'live', workers: 2, heartbeat_s: 10, started_at: 't0', last_seen: 't1', counters: {} };
    replies['GET /v1/nodes'] = { status: 200, body: { items: [node], total: 1 } };
    replies['GET /v1/whoami'] = { status: 200, body: { name: 'ci', role: 'viewer' } };
    const r = await cli(['-o', 'json', 'status']);
    expect(JSON.parse(r.stdout)).toEqual({ server: base, health: { status: 'ok' }, revision: 12, acting_as: { name: 'ci', role: 'viewer' }, nodes: [node] });
    const t = await cli(['status']);
    expect(t.stdout).toMatch(/^acting as:\s+ci \(role viewer\)$/m);
    expect(t.stdout).toMatch(/^NODE\s+VERSION\s+REVISION\s+LAG\s+WORKERS\s+STATUS\s+LAST_SEEN$/m);
    expect(t.stdout).toMatch(/^gw-1:8000\s+0\.1\.0\s+11\s+1\s+2\s+live\s+t1$/m);
    expect(seen[0].headers.authorization).toBeUndefined();
  });
});

describe('refusals and exit codes', () => {
  it.each([
    [400, 2, { code: 400, msg: 'client_secret must be at least 32 characters', errors: ['client_secret must be at least 32 characters'] }],
    [413, 2, { code: 413, msg: 'request body too large (limit 1 MiB)' }],
    [404, 3, { code: 404, msg: 'consumer "x" not found' }],
    [409, 3, { code: 409, msg: 'consumer "x" already exists' }],
    [401, 4, { code: 401, msg: 'invalid admin token' }],
    [500, 1, { code: 500, msg: 'internal error' }],
  ])('HTTP %i -> exit %i, one stderr line with msg', async (status, code, body) => {
    replies['POST /v1/consumers'] = { status, body };
    const r = await cli(['consumer', 'add', 'x']);
    expect(r.code).toBe(code);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')).toEqual([`oauth2ctl: ${body.msg}${status === 401 ? ' (check --token, OAUTH2_ADMIN_TOKEN or the data dir admin.token)' : ''}`, '']);
  });

  it.each([
    [['consumer', 'add']],
    [['consumer', 'add', 'a', 'b']],
    [['consumer', 'nope']],
    [['consumer']],
    [['route', 'add', 'r']],
    [['allow', 'add', '--consumer', 'c']],
    [['allow', 'add', '--route', 'r', '--domain', 'd', '--consumer', 'c']],
    [['allow', 'add', '--route', 'r']],
    [['allow', 'add', '--route', 'r', '--consumer', 'c', '--position', '-1']],
    [['allow', 'remove', 'abc']],
    [['settings', 'set', 'colour=blue']],
    [['settings', 'set', 'token_ttl=0']],
    [['apply']],
    [['apply', '-f', 'does-not-exist.yaml']],
    [['-o', 'xml', 'status']],
    [['--bogus']],
    [['--server', 'not a url', 'status']],
  ])('usage error %p: exit 2, nothing sent', async (args) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^oauth2ctl: [^\n]+\n$/);
    expect(seen).toHaveLength(0);
  });

  it.each([
    [
      ['-o', 'json', 'consumer', 'add', 'x'],
      409,
      { code: 409, msg: 'client_id "c" is already used by another consumer', field: 'client_id' },
      { message: 'client_id "c" is already used by another consumer', exit_code: 3, status: 409, field: 'client_id' },
    ],
    [['consumer', 'add', 'x', '--output=json'], 404, { code: 404, msg: 'consumer "x" not found' }, { message: 'consumer "x" not found', exit_code: 3, status: 404 }],
    [
      ['-ojson', 'consumer', 'add', 'x'],
      401,
      { code: 401, msg: 'invalid admin token' },
      { message: 'invalid admin token (check --token, OAUTH2_ADMIN_TOKEN or the data dir admin.token)', exit_code: 4, status: 401 },
    ],
  ])('with -o json (%p) an API error is one JSON line on stderr', async (args, status, body, error) => {
    replies['POST /v1/consumers'] = { status, body };
    const r = await cli(args);
    expect(r.stdout).toBe('');
    expect(r.stderr.endsWith('\n')).toBe(true);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(JSON.parse(r.stderr)).toEqual({ error });
    expect(r.code).toBe(error.exit_code);
  });

  it('with -o json a usage error is JSON too (nothing sent); without it, the plain line', async () => {
    const j = await cli(['-o', 'json', 'consumer', 'add']);
    expect(j.code).toBe(2);
    expect(JSON.parse(j.stderr)).toEqual({ error: { message: expect.stringMatching(/missing required argument/), exit_code: 2 } });
    const t = await cli(['consumer', 'add']);
    expect(t.stderr).toMatch(/^oauth2ctl: missing required argument[^\n]*\n$/);
    const notJson = await cli(['consumer', 'add', '--', '-o', 'json']);
    expect(notJson.stderr).toMatch(/^oauth2ctl: /);
    expect(seen).toHaveLength(0);
  });

  it('an unreachable server is exit 5', async () => {
    const closed = createServer();
    await new Promise<void>((ok) => closed.listen(0, '127.0.0.1', ok));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((ok) => closed.close(() => ok()));
    const r = await cli(['status'], { server: `http://127.0.0.1:${port}` });
    expect(r.code).toBe(5);
    expect(r.stderr).toBe(`oauth2ctl: cannot reach the admin API at http://127.0.0.1:${port} (ECONNREFUSED)\n`);
  });

  it.each([[['consumer', '--help']], [['help', 'consumer']], [['consumer', 'help']]])('%p prints usage on stdout with exit 0', async (args) => {
    const r = await cli(args);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/rotate-secret/);
    expect(r.stderr).toBe('');
  });

  it.each([
    [[], /'oauth2ctl' needs a command; one of: consumer, route, allow, settings, apply, export, status/],
    [['consumer'], /'oauth2ctl consumer' needs a command; one of: add, update, list, get, remove, rotate-secret/],
    [['route', 'bogus'], /unknown command 'bogus' for 'oauth2ctl route'/],
  ])('%p without a verb: one line naming the verbs, exit 2', async (args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.split('\n')).toHaveLength(2);
  });

  it('a server that never answers fails after --timeout with exit 5', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((ok) => silent.listen(0, '127.0.0.1', ok));
    const port = (silent.address() as AddressInfo).port;
    try {
      const r = await cli(['--timeout', '1', 'consumer', 'list'], { server: `http://127.0.0.1:${port}` });
      expect(r.code).toBe(5);
      expect(r.stderr).toMatch(/^oauth2ctl: cannot reach the admin API at .* \(no answer within 1 s\)\n$/);
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((ok) => silent.close(() => ok()));
    }
  });
});
