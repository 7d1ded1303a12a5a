/**
 * The admin API's OpenAPI document (/docs/openapi.json) as a new user meets it in /docs: every
 * operation has a summary and its error answers with the error body schema, the admin token is not
 * described as a JWT, the header cites no document outside the repo, and every request body example
 * is accepted by the real API as it stands ("Try it out" works). Also: neither the admin API nor the
 * gateway's status port names its framework (X-Powered-By).
 */
import { rawRequest, spawnAdmin, spawnGateway, type AdminProcess, type GatewayProcess } from '@oauth2/testing';

jest.setTimeout(60_000);

type Op = {
  summary?: string;
  security?: unknown[];
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string }; example?: unknown }> }>;
  requestBody?: { content: Record<string, { example?: unknown; examples?: Record<string, { value: unknown }>; schema?: { example?: unknown } }> };
};
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

let admin: AdminProcess;
let doc: { info: { description: string }; paths: Record<string, Record<string, Op>>; components: { securitySchemes: Record<string, Record<string, unknown>>; schemas: Record<string, unknown> } };
let ops: [string, Op][];

beforeAll(async () => {
  admin = await spawnAdmin();
  const res = await fetch(`${admin.url}/docs/openapi.json`);
  expect(res.status).toBe(200);
  doc = (await res.json()) as typeof doc;
  ops = Object.entries(doc.paths).flatMap(([path, item]) => METHODS.filter((m) => item[m]).map((m): [string, Op] => [`${m.toUpperCase()} ${path}`, item[m]]));
});

afterAll(async () => {
  await admin?.stop();
});

describe('/docs/openapi.json', () => {
  it('describes every operation of the API (30 or more)', () => {
    expect(ops.length).toBeGreaterThanOrEqual(30);
  });

  it('every operation has a summary', () => {
    expect(ops.filter(([, op]) => !op.summary?.trim()).map(([k]) => k)).toEqual([]);
  });

  it('every operation documents its error answers with the error body schema and an example', () => {
    const missing: string[] = [];
    for (const [key, op] of ops) {
      const errors = Object.entries(op.responses).filter(([status]) => /^[45]\d\d$/.test(status));
      if (!errors.length) missing.push(`${key}: no error response`);
      for (const [status, r] of errors) {
        const json = r.content?.['application/json'];
        if (json?.schema?.$ref !== '#/components/schemas/ErrorBodyDto') missing.push(`${key} ${status}: not the error body schema`);
        if (!json?.example) missing.push(`${key} ${status}: no example`);
      }
      if (op.security?.length && !op.responses['401']) missing.push(`${key}: needs the admin token but documents no 401`);
      if (!key.startsWith('GET ') && !op.responses['503']) missing.push(`${key}: a write without 503 (store busy)`);
    }
    expect(missing).toEqual([]);
    expect(doc.components.schemas.ErrorBodyDto).toBeDefined();
  });

  it('the admin token is a bearer token, not described as a JWT', () => {
    const schemes = Object.values(doc.components.securitySchemes);
    expect(schemes).toEqual([expect.objectContaining({ type: 'http', scheme: 'bearer' })]);
    expect(schemes[0].bearerFormat).toBeUndefined();
    expect(JSON.stringify(schemes)).not.toMatch(/JWT/);
  });

  it('cites no document that is not in the repo (SPEC) and names its own JSON URL', () => {
    expect(JSON.stringify(doc)).not.toMatch(/SPEC §/);
    expect(doc.info.description).toContain('/docs/openapi.json');
  });

  it('every JSON request body has an example', () => {
    const without = ops.filter(([, op]) => Object.values(op.requestBody?.content ?? {}).some((c) => !c.examples && !c.example && !c.schema?.example)).map(([k]) => k);
    expect(without).toEqual([]);
  });

  it('every request body example is accepted by the API as it stands', async () => {
    const example = (key: string): unknown => {
      const op = ops.find(([k]) => k === key)?.[1];
      const c = op?.requestBody?.content['application/json'];
      if (!c?.examples) throw new Error(`${key}: no example`);
      return Object.values(c.examples)[0].value;
    };
    const send = async (key: string, url: string, expected: number) => {
      const [method] = key.split(' ');
      const r = await admin.api(method, url, example(key));
      expect({ key, status: r.status, body: r.status === expected ? undefined : r.json }).toEqual({ key, status: expected, body: undefined });
      return r.json;
    };
    await send('POST /v1/consumers', '/v1/consumers', 201);
    await send('POST /v1/routes', '/v1/routes', 201);
    const rule = await send('POST /v1/rules', '/v1/rules', 201);
    await send('PUT /v1/routes/{name}', '/v1/routes/route-a', 200);
    await send('PUT /v1/rules/{id}', `/v1/rules/${rule.id}`, 200);
    await send('PATCH /v1/settings', '/v1/settings', 200);
    await send('POST /v1/explain', '/v1/explain', 200);
    await send('POST /v1/consumers/{name}/rotate-secret', '/v1/consumers/consumer1/rotate-secret', 200);
    await send('POST /v1/revocations', '/v1/revocations', 201);
    await send('POST /v1/keys/rotate', '/v1/keys/rotate', 200);
    const applyBody = ops.find(([k]) => k === 'POST /v1/apply')![1].requestBody!.content['application/yaml'];
    const yaml = (applyBody?.schema?.example ?? applyBody?.example) as string;
    expect(typeof yaml).toBe('string');
    const applied = await admin.api('POST', '/v1/apply?dry_run=true', yaml, { 'content-type': 'application/yaml' });
    expect({ status: applied.status, body: applied.json }).toMatchObject({ status: 200 });
  });
});

describe('no X-Powered-By', () => {
  it('on the admin API (docs, /v1, errors)', async () => {
    for (const path of ['/docs/openapi.json', '/healthz', '/v1/consumers', '/v1/nope']) {
      const r = await rawRequest(admin.url, path, { headers: { authorization: `Bearer ${admin.token}` } });
      expect({ path, powered: r.headers['x-powered-by'] }).toEqual({ path, powered: undefined });
    }
  });

  it.each([['1'], ['2']])('on the gateway status port (GATEWAY_WORKERS=%s)', async (workers) => {
    let gw: GatewayProcess | undefined;
    try {
      gw = await spawnGateway({ dataDir: admin.dataDir, env: { GATEWAY_WORKERS: workers } });
      for (const path of ['/healthz', '/readyz', '/revision', '/metrics', '/nope']) {
        const r = await rawRequest(gw.statusUrl, path);
        expect({ path, powered: r.headers['x-powered-by'] }).toEqual({ path, powered: undefined });
      }
    } finally {
      await gw?.stop();
    }
  });
});
