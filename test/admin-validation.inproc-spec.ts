/**
 * The admin API's validation rules, in-process (`inproc` tier): the same Nest application main.ts
 * serves (guard, validation pipe, error filter, body parsers) on a real SQLite file in a temp dir,
 * over real HTTP on port 0. Every refusal names what is wrong and writes nothing (the revision stays).
 */
import { startAdminInProcess, type InProcessAdmin } from '../libs/testing/src/admin-in-process';

const SECRET = 'inproc-secret-xxxx-xxxx-xxxx-xxxxxxxxxxxx';
let admin: InProcessAdmin;

beforeAll(async () => {
  admin = await startAdminInProcess();
  // What the rows refer to: a consumer, a route, a rule.
  for (const [path, body] of [
    ['/v1/consumers', { name: 'c1', client_secret: SECRET }],
    ['/v1/routes', { name: 'ns/r1', upstream: 'http://127.0.0.1:9' }],
    ['/v1/rules', { routes: ['ns/r1'], allow: ['c1'] }],
  ] as const) {
    const r = await admin.api('POST', path, body);
    if (r.status !== 201) throw new Error(`${path} -> ${r.status} ${r.text}`);
  }
});
afterAll(() => admin?.close());

const revision = async () => (await admin.api('GET', '/v1/revision')).json.revision as number;

interface Row {
  what: string;
  method: string;
  path: string;
  body: unknown;
  names: RegExp;
}

describe('400 naming the field, nothing written', () => {
  it.each<Row>([
    { what: 'consumer: unknown field', method: 'POST', path: '/v1/consumers', body: { name: 'x1', role: 'admin' }, names: /role/ },
    { what: 'consumer list: search too long', method: 'GET', path: `/v1/consumers?q=${'a'.repeat(257)}`, body: undefined, names: /\bq\b/ },
    { what: 'consumer list: search with a control character', method: 'GET', path: '/v1/consumers?q=a%0Ab', body: undefined, names: /\bq\b/ },
    { what: 'consumer: bad name', method: 'POST', path: '/v1/consumers', body: { name: 'bad name!' }, names: /name/ },
    { what: 'consumer: dot-segment name', method: 'POST', path: '/v1/consumers', body: { name: 'ns/..' }, names: /name/ },
    { what: 'consumer: number as name', method: 'POST', path: '/v1/consumers', body: { name: 42 }, names: /name/ },
    { what: 'consumer: short secret', method: 'POST', path: '/v1/consumers', body: { name: 'x2', client_secret: 'short' }, names: /client_secret/ },
    { what: 'consumer: constructor key', method: 'POST', path: '/v1/consumers', body: '{"name":"x3","constructor":{"a":1}}', names: /constructor/ },
    { what: 'consumer: __proto__ key', method: 'POST', path: '/v1/consumers', body: '{"name":"x4","__proto__":{"a":1}}', names: /__proto__/ },
    { what: 'route: upstream not http(s)', method: 'POST', path: '/v1/routes', body: { name: 'r2', upstream: 'ftp://x' }, names: /upstream/ },
    { what: 'route: upstream with a query', method: 'POST', path: '/v1/routes', body: { name: 'r2', upstream: 'http://x/?a=1' }, names: /upstream/ },
    { what: 'route: no upstream', method: 'POST', path: '/v1/routes', body: { name: 'r2' }, names: /upstream/ },
    { what: 'route: bad host', method: 'POST', path: '/v1/routes', body: { name: 'r2', upstream: 'http://x', hosts: ['bad host'] }, names: /hosts/ },
    { what: 'route: dot segment in path_prefix', method: 'POST', path: '/v1/routes', body: { name: 'r2', upstream: 'http://x', path_prefix: '/a/../b' }, names: /path_prefix/ },
    { what: 'route: unknown field', method: 'POST', path: '/v1/routes', body: { name: 'r2', upstream: 'http://x', weight: 3 }, names: /weight/ },
    { what: 'route: PUT renames', method: 'PUT', path: '/v1/routes/ns%2Fr1', body: { name: 'other', upstream: 'http://x' }, names: /name/ },
    { what: 'rule: unknown consumer', method: 'POST', path: '/v1/rules', body: { routes: ['ns/r1'], allow: ['ghost'] }, names: /ghost/ },
    { what: 'rule: unknown route', method: 'POST', path: '/v1/rules', body: { routes: ['nope'], allow: ['c1'] }, names: /nope/ },
    { what: 'rule: unknown field', method: 'POST', path: '/v1/rules', body: { routes: ['ns/r1'], allow: ['c1'], deny: ['c1'] }, names: /deny/ },
    { what: 'settings: unknown key', method: 'PATCH', path: '/v1/settings', body: { foo: 1 }, names: /foo/ },
    { what: 'settings: ttl as a string', method: 'PATCH', path: '/v1/settings', body: { token_ttl: '60' }, names: /token_ttl/ },
    { what: 'settings: header name with a space', method: 'PATCH', path: '/v1/settings', body: { auth_header_name: 'Bad Header' }, names: /auth_header_name/ },
    { what: 'malformed JSON', method: 'POST', path: '/v1/consumers', body: '{"name":', names: /./ },
  ])('$what', async ({ method, path, body, names }) => {
    const r0 = await revision();
    const res = await admin.api(method, path, body);
    expect([res.status, res.json?.code]).toEqual([400, 400]);
    expect(res.json.msg).toMatch(names);
    expect(await revision()).toBe(r0);
  });
});

describe('404 for what does not exist', () => {
  it.each([
    ['GET', '/v1/consumers/nobody'],
    ['DELETE', '/v1/consumers/nobody'],
    ['POST', '/v1/consumers/nobody/rotate-secret'],
    ['GET', '/v1/routes/nope'],
    ['PUT', '/v1/routes/nope'],
    ['GET', '/v1/rules/999999'],
    ['DELETE', '/v1/rules/999999'],
    ['GET', '/v1/no-such-resource'],
  ])('%s %s', async (method, path) => {
    const res = await admin.api(method, path, method === 'PUT' ? { upstream: 'http://x' } : method === 'POST' ? {} : undefined);
    expect([res.status, res.json?.code]).toEqual([404, 404]);
  });
});

describe('the admin token', () => {
  it.each<[string, () => Record<string, string>]>([
    ['no token', () => ({})],
    ['another token', () => ({ authorization: 'Bearer not-the-admin-token-at-all' })],
    ['the token without Bearer', () => ({ authorization: admin.token })],
  ])('%s: 401, nothing written', async (_what, headers) => {
    const r0 = await admin.store.revision();
    const res = await fetch(`${admin.url}/v1/consumers`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers() }, body: '{"name":"intruder"}' });
    expect(res.status).toBe(401);
    expect(await admin.store.revision()).toBe(r0);
  });
});
