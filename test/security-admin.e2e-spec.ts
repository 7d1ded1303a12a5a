import { rawRequest, rng, runConcurrent, spawnAdmin, type AdminProcess } from '@oauth2/testing';

// Hostile input to the admin API: random JSON bodies and odd path parameters are refused with a
// 4xx (never a 500), and a request without the right admin token changes nothing.
jest.setTimeout(90_000);

let admin: AdminProcess;
const revision = async (): Promise<number> => (await admin.api('GET', '/v1/revision')).json.revision;

beforeAll(async () => {
  // ~120 wrong tokens from one address in a few seconds: the wrong-token limiter (tested in
  // security-admin-token-limiter.e2e-spec.ts) would answer 429 long before; off here.
  admin = await spawnAdmin({ env: { OAUTH2_ADMIN_MAX_AUTH_FAILURES: '0' } });
  expect((await admin.api('POST', '/v1/consumers', { name: 'keep', client_secret: 'keep-secret-0123456789abcdef0123456789' })).status).toBe(201);
  expect((await admin.api('POST', '/v1/routes', { name: 'ns/keep', upstream: 'http://127.0.0.1:9' })).status).toBe(201);
  expect((await admin.api('POST', '/v1/rules', { routes: ['ns/keep'], allow: ['keep'] })).status).toBe(201);
});
afterAll(async () => {
  await admin?.stop();
});

/** A random JSON value: mostly objects with plausible and hostile keys, values of every type. */
function randomJson(r: ReturnType<typeof rng>, depth = 0): unknown {
  const keys = [
    'name',
    'client_id',
    'client_secret',
    'upstream',
    'hosts',
    'path_prefix',
    'strip_prefix',
    'routes',
    'domains',
    'allow',
    'position',
    'issuer',
    'auth_path',
    'global_auth',
    'token_ttl',
    'clock_skew_seconds',
    'keep_token',
    'auth_header_name',
    'global_credentials',
    '__proto__',
    'constructor',
    'prototype',
    '',
    'x'.repeat(300),
    'é',
    '$where',
    'consumers',
    '_rules_',
    'spec',
  ];
  const scalar = () =>
    r.pick<unknown>([
      null,
      true,
      false,
      0,
      -1,
      1.5,
      1e308,
      -0,
      '',
      'a',
      'ns/keep',
      'keep',
      '*.example.com',
      'http://127.0.0.1:9',
      '\u0000',
      '../..',
      '%2F',
      'x'.repeat(5000),
      '😀',
      ' ',
      'javascript:alert(1)',
      9007199254740993,
    ]);
  if (depth > 3) return scalar();
  switch (r.int(4)) {
    case 0:
      return scalar();
    case 1:
      return Array.from({ length: r.int(4) }, () => randomJson(r, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = 0, n = r.int(6); i < n; i++) o[r.pick(keys)] = randomJson(r, depth + 1);
      return o;
    }
  }
}

describe('random JSON bodies', () => {
  const targets: Array<[string, string]> = [
    ['POST', '/v1/consumers'],
    ['POST', '/v1/routes'],
    ['POST', '/v1/rules'],
    ['PATCH', '/v1/settings'],
    ['PUT', '/v1/routes/ns%2Fkeep'],
    ['PUT', '/v1/rules/1'],
    ['POST', '/v1/consumers/keep/rotate-secret'],
    ['POST', '/v1/apply?dry_run=true'],
  ];

  it('1,200 random bodies across every write endpoint: never a 5xx', async () => {
    const r = rng(0xad0);
    const cases = Array.from({ length: 1200 }, (_, i) => {
      const [method, path] = targets[i % targets.length];
      const v = randomJson(r);
      // Some bodies are not even JSON.
      const body = r.int(10) === 0 ? r.pick(['{', '{"a":}', 'null', '[]', '"str"', '\u0000', '{"a":1}{"b":2}', '{"__proto__":{"x":1}}']) : JSON.stringify(v);
      return { method, path, body };
    });
    const results = await runConcurrent(cases.length, 10, async (i) => {
      const c = cases[i];
      const res = await admin.api(c.method, c.path, c.body, { 'content-type': 'application/json' });
      return res.status;
    });
    const bad = results.map((st, i) => ({ st, c: cases[i] })).filter((x) => x.st instanceof Error || (x.st as number) >= 500);
    expect(bad.slice(0, 5).map((x) => ({ status: x.st instanceof Error ? x.st.message : x.st, ...x.c, body: x.c.body.slice(0, 300) }))).toEqual([]);
    // The fixed resources are still there and readable.
    expect((await admin.api('GET', '/v1/consumers/keep')).status).toBe(200);
    expect((await admin.api('GET', '/healthz')).status).toBe(200);
  });

  it.each<[string, string, string | undefined]>([
    ['text/plain', 'name=x', 'text/plain'],
    ['no content-type', '{"name":"x"}', undefined],
    ['a 2 MiB JSON body', JSON.stringify({ name: 'x', pad: 'p'.repeat(2 * 1024 * 1024) }), 'application/json'],
    ['deeply nested JSON', '['.repeat(100_000) + ']'.repeat(100_000), 'application/json'],
  ])('POST /v1/consumers with %s -> 4xx', async (_name, body, type) => {
    const headers: Record<string, string> = { authorization: `Bearer ${admin.token}` };
    if (type) headers['content-type'] = type;
    const r = await rawRequest(admin.url, '/v1/consumers', { method: 'POST', headers, body });
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
  });
});

describe('odd path parameters', () => {
  const params = [
    '%2F',
    '..',
    '%2e%2e',
    '.',
    '%2e',
    'a'.repeat(300),
    'a'.repeat(20_000),
    '%00',
    'a%00b',
    '%ZZ',
    '%',
    '%C0%AE%C0%AE',
    '%F0%9F%98%80',
    '%20',
    'a%2F..%2Fb',
    '__proto__',
    'constructor',
    'hasOwnProperty',
    '-1',
    '0',
    '1e3',
    '0x10',
    '99999999999999999999',
    'keep%00',
    '%252F',
    'keep%0d%0aX-Injected:%201',
  ];
  const shapes = ['/v1/consumers/{p}', '/v1/routes/{p}', '/v1/rules/{p}', '/v1/consumers/{p}/rotate-secret'];
  const cases = shapes.flatMap((shape) =>
    params.flatMap((p) =>
      shape.endsWith('rotate-secret')
        ? [['POST', shape, p]]
        : [
            ['GET', shape, p],
            ['DELETE', shape, p],
          ],
    ),
  );

  it(`${cases.length} requests: 400/404 (or 414/431 for huge ones), never 5xx, nothing deleted`, async () => {
    const rev = await revision();
    const out = await runConcurrent(cases.length, 10, async (i) => {
      const [method, shape, p] = cases[i];
      const r = await rawRequest(admin.url, shape.replace('{p}', p), {
        method,
        headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
        body: method === 'POST' ? '{}' : undefined,
      });
      return { method, path: shape.replace('{p}', p.slice(0, 40)), status: r.status };
    });
    const bad = out.filter((x) => x instanceof Error || ![400, 404, 414, 431].includes(x.status));
    expect(bad.slice(0, 10)).toEqual([]);
    expect(await revision()).toBe(rev);
    expect((await admin.api('GET', '/v1/consumers/keep')).status).toBe(200);
  });
});

describe('admin token refusals', () => {
  const wrongs: Array<[string, (t: string) => Record<string, string>]> = [
    ['no Authorization header', () => ({})],
    ['a wrong token', () => ({ authorization: 'Bearer wrong-token' })],
    ['the token with one more character', (t) => ({ authorization: `Bearer ${t}x` })],
    ['the token less its last character', (t) => ({ authorization: `Bearer ${t.slice(0, -1)}` })],
    ['an empty bearer', () => ({ authorization: 'Bearer ' })],
    ['the token as Basic credentials', (t) => ({ authorization: `Basic ${Buffer.from(`admin:${t}`).toString('base64')}` })],
    ['the token with no scheme', (t) => ({ authorization: t })],
    ['the token followed by another word', (t) => ({ authorization: `Bearer ${t} extra` })],
    ['the token in another header', (t) => ({ 'x-admin-token': t })],
  ];
  const writes: Array<[string, string, unknown]> = [
    ['POST', '/v1/consumers', { name: 'intruder' }],
    ['DELETE', '/v1/consumers/keep?force=true', undefined],
    ['POST', '/v1/consumers/keep/rotate-secret', {}],
    ['POST', '/v1/routes', { name: 'intruder', upstream: 'http://127.0.0.1:9' }],
    ['DELETE', '/v1/routes/ns%2Fkeep?force=true', undefined],
    ['POST', '/v1/rules', { domains: ['x.com'], allow: ['keep'] }],
    ['DELETE', '/v1/rules/1', undefined],
    ['PATCH', '/v1/settings', { token_ttl: 5 }],
    ['POST', '/v1/apply', { consumers: [] }],
  ];
  const reads = ['/v1/consumers', '/v1/routes', '/v1/rules', '/v1/settings', '/v1/export', '/v1/revision', '/v1/consumers/keep'];

  it.each(wrongs)('%s: every write and read is 401, and nothing changed', async (_name, headersFor) => {
    const rev = await revision();
    const exportBefore = (await admin.api('GET', '/v1/export')).text;
    for (const [method, path, body] of writes) {
      const h: Record<string, string> = { ...headersFor(admin.token), 'content-type': 'application/json' };
      const r = await rawRequest(admin.url, path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
      expect({ method, path, status: r.status }).toEqual({ method, path, status: 401 });
      expect(r.text).not.toContain(admin.token);
    }
    for (const path of [...reads, `${reads[0]}?token=${admin.token}`]) {
      const r = await rawRequest(admin.url, path, { headers: headersFor(admin.token) });
      expect({ path, status: r.status }).toEqual({ path, status: 401 });
      expect(r.text).not.toMatch(/client_secret|keep-secret/);
    }
    expect(await revision()).toBe(rev);
    expect((await admin.api('GET', '/v1/export')).text).toBe(exportBefore);
  });
});
