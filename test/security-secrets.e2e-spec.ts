import * as fs from 'node:fs';
import * as path from 'node:path';
import { AT_HEADER, craftHs256, makeTempDir, spawnAdmin, spawnGateway, standardClaims, startEchoUpstream, type AdminProcess, type EchoUpstream, type GatewayProcess } from '@oauth2/testing';

// Logs never hold a client secret, an admin token or an access token; master.key,
// admin.token and the SQLite file are 0600. A representative flow runs against the admin API and
// the gateway (access log on), then EVERY captured line of both processes is searched.
jest.setTimeout(60_000);

const GIVEN_SECRET = 'given-secret-with+plus/slash=eq%pct-0123456789';
const APPLY_SECRET = 'applied-secret-0123456789abcdef-0123456789ab';

describe('secrets never reach the logs', () => {
  let admin: AdminProcess;
  let gateway: GatewayProcess;
  let echo: EchoUpstream;
  const secrets: string[] = [];
  const tokens: string[] = [];

  beforeAll(async () => {
    echo = await startEchoUpstream();
    admin = await spawnAdmin({ token: false, env: { LOG_LEVEL: 'debug' } }); // the admin token comes from admin.token
    gateway = await spawnGateway({ dataDir: admin.dataDir, env: { GATEWAY_ACCESS_LOG: 'true' } });
  });
  afterAll(async () => {
    await gateway?.stop();
    await admin?.stop();
    await echo?.close();
  });

  const call = async (method: string, p: string, body?: unknown, headers?: Record<string, string>) => {
    const r = await admin.api(method, p, body, headers);
    if (r.status >= 300) throw new Error(`${method} ${p} -> ${r.status} ${r.text}`);
    return r;
  };
  const gw = (p: string, init: RequestInit = {}) => fetch(gateway.url + p, init).then(async (r) => ({ status: r.status, json: JSON.parse((await r.text()) || 'null') }));
  const form = (p: Record<string, string>) => new URLSearchParams(p).toString();
  const basic = (id: string, secret: string) => 'Basic ' + Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64');

  it('a representative flow runs', async () => {
    secrets.push(GIVEN_SECRET, APPLY_SECRET);
    await call('POST', '/v1/consumers', { name: 'given', client_id: 'given-id', client_secret: GIVEN_SECRET });
    const generated = (await call('POST', '/v1/consumers', { name: 'generated' })).json;
    secrets.push(generated.client_secret);
    const rotated = (await call('POST', '/v1/consumers/generated/rotate-secret', {})).json;
    secrets.push(rotated.client_secret);
    await call('POST', '/v1/routes', { name: 'app', upstream: echo.url, path_prefix: '/app' });
    await call('POST', '/v1/rules', { routes: ['app'], allow: ['given', 'generated'] });
    await call('POST', '/v1/apply?dry_run=true', { consumers: [{ name: 'applied', client_id: 'applied-id', client_secret: APPLY_SECRET }] });
    await call('GET', '/v1/export');
    await call('GET', '/v1/export?redact=true', undefined, { accept: 'application/yaml' });
    // Refused admin calls carrying near-miss tokens and a secret in the body.
    await admin.api('POST', '/v1/consumers', { name: 'x', client_secret: GIVEN_SECRET }, { authorization: `Bearer ${admin.token}x` });
    await admin.api('POST', '/v1/consumers', { name: 'given', client_secret: GIVEN_SECRET }); // 409 conflict
    await admin.api('POST', '/v1/consumers', { name: 'bad name!', client_secret: GIVEN_SECRET }); // 400 validation
    await admin.api('POST', '/v1/consumers', { name: 'short', client_secret: 'too-short' }); // 400, secret in the error path
    const rev = (await call('GET', '/v1/revision')).json.revision;
    await gateway.waitForRevision(rev);

    // Token requests: GET with the secret in the query, POST form, POST Basic, and refused ones.
    const viaGet = await gw(`/oauth2/token?${form({ grant_type: 'client_credentials', client_id: 'given-id', client_secret: GIVEN_SECRET })}`);
    const viaPost = await gw('/oauth2/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ grant_type: 'client_credentials', client_id: 'generated', client_secret: rotated.client_secret }).replace('generated', rotated.client_id),
    });
    const viaBasic = await gw('/oauth2/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic('given-id', GIVEN_SECRET) },
      body: 'grant_type=client_credentials',
    });
    for (const r of [viaGet, viaPost, viaBasic]) {
      expect(r.status).toBe(200);
      tokens.push(r.json.access_token);
    }
    expect((await gw(`/oauth2/token?${form({ grant_type: 'client_credentials', client_id: 'given-id', client_secret: GIVEN_SECRET + 'x' })}`)).status).toBe(400);
    expect(
      (
        await gw('/oauth2/token', {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic('given-id', 'nope-' + GIVEN_SECRET) },
          body: 'grant_type=client_credentials',
        })
      ).status,
    ).toBe(401);
    expect((await gw(`/oauth2/token?${form({ grant_type: 'password', client_id: 'given-id', client_secret: GIVEN_SECRET })}`)).status).toBe(400);

    // Authenticated and refused requests with tokens.
    for (const t of tokens) expect((await gw('/app/ok', { headers: { authorization: `Bearer ${t}` } })).status).toBe(200);
    const forged = craftHs256(AT_HEADER, standardClaims({ name: 'given', clientId: 'given-id', now: Math.floor(Date.now() / 1000) - 100_000 }), GIVEN_SECRET);
    tokens.push(forged);
    expect((await gw('/app/expired', { headers: { authorization: `Bearer ${forged}` } })).status).toBe(401);
    expect((await gw('/app/tampered', { headers: { authorization: `Bearer ${tokens[0]}x` } })).status).toBe(401);
    expect((await gw(`/app/query?access_token=${tokens[0]}`)).status).toBe(401);
    expect((await gw('/app/upstream-fail/__status/500', { headers: { authorization: `Bearer ${tokens[1]}` } })).status).toBe(500);
    // A rotation while tokens are cached, then a shutdown, so reload and stop paths log too.
    await call('POST', '/v1/consumers/given/rotate-secret', { client_secret: 'post-rotation-secret-0123456789abcdef' });
    secrets.push('post-rotation-secret-0123456789abcdef');
    await gateway.waitForRevision((await call('GET', '/v1/revision')).json.revision);
    expect((await gw('/app/after-rotation', { headers: { authorization: `Bearer ${tokens[0]}` } })).status).toBe(401);
    expect(await gateway.stop()).toBe(0);
    expect(await admin.stop()).toBe(0);
  });

  it('no log line of either process holds a secret, the admin token or an access token', () => {
    expect(gateway.logs.some((l) => l.includes('"msg":"request"'))).toBe(true); // the access log was on
    const lines = [...admin.logs.map((l) => `admin: ${l}`), ...gateway.logs.map((l) => `gateway: ${l}`)];
    expect(lines.length).toBeGreaterThan(10);
    const needles = new Map<string, string>();
    for (const sct of secrets) {
      needles.set(sct, 'client secret');
      needles.set(encodeURIComponent(sct), 'client secret (url-encoded)');
      needles.set(new URLSearchParams({ s: sct }).toString().slice(2), 'client secret (form-encoded)');
    }
    needles.set(admin.token, 'admin token');
    for (const t of tokens) {
      needles.set(t, 'access token');
      needles.set(t.split('.')[2], 'access token signature');
    }
    needles.set(Buffer.from(`given-id:${encodeURIComponent(GIVEN_SECRET)}`).toString('base64'), 'Basic credentials');
    const leaks: string[] = [];
    for (const line of lines) for (const [needle, what] of needles) if (line.includes(needle)) leaks.push(`${what} in ${line.slice(0, 300)}`);
    expect(leaks).toEqual([]);
  });
});

describe('file modes', () => {
  const modeOf = (f: string) => fs.statSync(f).mode & 0o777;

  it.each<['admin first' | 'gateway first']>([['admin first'], ['gateway first']])('%s, under umask 000: master.key, admin.token and the database files are 0600', async (order) => {
    const dir = makeTempDir('oauth2-modes-');
    const oldMask = process.umask(0); // children inherit it: a file created with default modes would be 0666
    let admin: AdminProcess | undefined;
    let gateway: GatewayProcess | undefined;
    try {
      if (order === 'gateway first') gateway = await spawnGateway({ dataDir: dir.path });
      admin = await spawnAdmin({ token: false, env: { OAUTH2_DATA_DIR: dir.path } });
      if (!gateway) gateway = await spawnGateway({ dataDir: dir.path });
      process.umask(oldMask);
      await admin.api('POST', '/v1/consumers', { name: 'mode-check' }); // so the WAL exists
      const files = ['master.key', 'admin.token', 'oauth2.db', 'oauth2.db-wal', 'oauth2.db-shm'].map((f) => path.join(dir.path, f)).filter((f) => fs.existsSync(f));
      expect(files.map((f) => path.basename(f))).toEqual(expect.arrayContaining(['master.key', 'admin.token', 'oauth2.db']));
      expect(Object.fromEntries(files.map((f) => [path.basename(f), modeOf(f).toString(8)]))).toEqual(Object.fromEntries(files.map((f) => [path.basename(f), '600'])));
    } finally {
      process.umask(oldMask);
      await gateway?.stop();
      await admin?.stop();
      dir.cleanup();
    }
  });
});
