/**
 * oauth2ctl explain / consumer grants / route who, end to end: the real admin API (own process,
 * temp data dir, real SQLite) and bin/oauth2ctl as child processes; stdout, stderr and exit codes.
 */
import { adminWithCli, AT_HEADER, craftHs256, expectCliFailure, standardClaims } from '@oauth2/testing';

jest.setTimeout(60_000);

const S1 = 'cli-explain-secret-one-0123456789abcdef01';
const S2 = 'cli-explain-secret-two-0123456789abcdef01';
const nowS = () => Math.floor(Date.now() / 1000);
const tokenOf = (name: string, id: string, secret: string, extra: Record<string, unknown> = {}) => craftHs256(AT_HEADER, { ...standardClaims({ name, clientId: id, now: nowS() }), ...extra }, secret);

const cli = adminWithCli();
const { oauth2ctl } = cli;

beforeAll(async () => {
  const ok = async (method: string, path: string, body: unknown) => {
    const r = await cli.admin.api(method, path, body);
    if (r.status >= 300) throw new Error(`${path} -> ${r.status} ${r.text}`);
  };
  await ok('POST', '/v1/consumers', { name: 'c1', client_id: 'cli-id-1', client_secret: S1 });
  await ok('POST', '/v1/consumers', { name: 'c2', client_id: 'cli-id-2', client_secret: S2 });
  await ok('POST', '/v1/routes', { name: 'ns/api', hosts: ['api.test'], path_prefix: '/api', upstream: 'http://127.0.0.1:9' });
  await ok('POST', '/v1/routes', { name: 'ns/open', path_prefix: '/open', upstream: 'http://127.0.0.1:9' });
  await ok('POST', '/v1/rules', { routes: ['ns/api'], allow: ['c1'] });
}, 30_000);

describe('oauth2ctl explain', () => {
  it('a refused token: route, rule, row, each check and the final answer', async () => {
    const r = await oauth2ctl(['explain', '--host', 'api.test', '--path', '/api/x', '--access-token', tokenOf('c2', 'cli-id-2', S2)]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^route: +ns\/api$/m);
    expect(r.stdout).toMatch(/✗ ns\/open +path "\/api\/x" is not under \/open/);
    expect(r.stdout).toMatch(/^rule: +#\d+ \(position \d+, by routes\) allow: c1/m);
    expect(r.stdout).toMatch(/^global_auth: +global_auth unset, rules exist -> authenticate_allow \(token required\)$/m);
    expect(r.stdout).toMatch(/✓ signature/);
    expect(r.stdout).toMatch(/✗ allow-list +rule #\d+ does not allow "c2"/);
    expect(r.stdout).toMatch(/^outcome: +403 Access Denied: consumer is not allowed here \(not_allowed\)$/m);
  });

  it('an expired token read from stdin stops at the expiry check', async () => {
    const t = tokenOf('c1', 'cli-id-1', S1, { iat: nowS() - 9000, exp: nowS() - 3600 });
    const r = await oauth2ctl(['explain', '--host', 'api.test', '--path', '/api/x', '--access-token', '-'], `${t}\n`);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/✗ not expired +Invalid Jwt token: token is expired/);
    expect(r.stdout).toMatch(/^outcome: +401 Invalid Jwt token: token is expired \(expired\)$/m);
    expect(r.stdout).not.toContain(t);
  });

  it('-o json is the API document verbatim', async () => {
    const r = await oauth2ctl(['-o', 'json', 'explain', '--host', 'x.test', '--path', '/open/a', '--consumer', 'c2']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ route: { matched: 'ns/open' }, decision: 'pass', outcome: { status: 200, reason: 'forwarded' } });
  });

  it('no route', async () => {
    const r = await oauth2ctl(['explain', '--host', 'nowhere.test', '--path', '/x']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^outcome: +404 no route \(no_route\)$/m);
  });

  it.each<[string, string[], number, RegExp]>([
    ['token and consumer together', ['explain', '--host', 'a', '--path', '/', '--access-token', 'x', '--consumer', 'c1'], 2, /mutually exclusive/],
    ['missing --path', ['explain', '--host', 'a'], 2, /path/],
    ['validation by the API', ['explain', '--host', 'a', '--path', '/', '--method', 'G E T'], 2, /method/],
    ['wrong admin token', ['--token', 'wrong', 'explain', '--host', 'a', '--path', '/'], 4, /./],
  ])('%s', async (_n, args, code, msg) => {
    expectCliFailure(await oauth2ctl(args), code, msg);
  });
});

describe('oauth2ctl consumer grants / route who', () => {
  it('grants: each route reachable or why not', async () => {
    const r = await oauth2ctl(['consumer', 'grants', 'c2']);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^ns\/api +no +denied_by_rule +#\d+ +on host api\.test: rule #\d+ allows only c1$/m);
    expect(r.stdout).toMatch(/^ns\/open +yes +pass_through +- /m);
    const json = JSON.parse((await oauth2ctl(['-o', 'json', 'consumer', 'grants', 'c1'])).stdout);
    expect(json.routes.find((x: { route: string }) => x.route === 'ns/api')).toMatchObject({ reachable: true, access: 'allowed_by_rule' });
  });

  it('who: the allow-list, or anyone on a pass-through route', async () => {
    const api = await oauth2ctl(['route', 'who', 'ns/api']);
    expect(api.code).toBe(0);
    expect(api.stdout).toMatch(/^consumers: c1$/m);
    const open = await oauth2ctl(['route', 'who', 'ns/open']);
    expect(open.stdout).toMatch(/^consumers: anyone \(pass-through, no token needed\)$/m);
  });

  it.each<[string, string[]]>([
    ['unknown consumer', ['consumer', 'grants', 'nobody']],
    ['unknown route', ['route', 'who', 'ns/none']],
  ])('%s: exit 3', async (_n, args) => {
    expectCliFailure(await oauth2ctl(args), 3, /not found/);
  });
});
