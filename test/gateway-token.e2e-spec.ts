import { createHmac } from 'node:crypto';
import { request } from 'node:http';
import { startGatewayStack, type GatewayStack } from '@oauth2/testing';

// End-to-end: the token endpoint of the real gateway (docs/higress-mapping.md), configured through the admin API.
const ID = 'client-1';
const SECRET = 'token-endpoint-secret-0123456789abcdef';
// A client whose credentials need form-encoding inside HTTP Basic (RFC 6749 §2.3.1).
const ODD_ID = 'odd:client';
const ODD_SECRET = 'odd+secret%with:chars/and=more-0123456789';
const TOKEN = '/oauth2/token';

const form = (p: Record<string, string>) => new URLSearchParams(p).toString();
const basic = (id: string, secret: string) => 'Basic ' + Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64');
const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

let s: GatewayStack;
const issued: string[] = [];

beforeAll(async () => {
  s = await startGatewayStack({ gatewayEnv: { GATEWAY_ACCESS_LOG: 'true' } });
  await s.call('POST', '/v1/consumers', { name: 'c1', client_id: ID, client_secret: SECRET });
  await s.call('POST', '/v1/consumers', { name: 'odd', client_id: ODD_ID, client_secret: ODD_SECRET });
  await s.call('POST', '/v1/routes', { name: 'r1', upstream: s.echo.url });
  await s.sync();
}, 30_000);
afterAll(async () => {
  await s?.stop();
}, 30_000);

describe('token endpoint: issuing', () => {
  it('GET issues an RFC 9068 token signed with the client secret', async () => {
    const r = await s.request(`${TOKEN}?${form({ grant_type: 'client_credentials', client_id: ID, client_secret: SECRET, scope: 'read write' })}`);
    expect(r.status).toBe(200);
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.headers['pragma']).toBe('no-cache');
    expect(r.json).toEqual({ token_type: 'bearer', access_token: expect.any(String), expires_in: 7200 });
    const t: string = r.json.access_token;
    issued.push(t);
    const [h, p, sig] = t.split('.');
    expect(decode(h)).toEqual({ alg: 'HS256', typ: 'application/at+jwt' });
    expect(createHmac('sha256', SECRET).update(`${h}.${p}`).digest('base64url')).toBe(sig);
    const claims = decode(p);
    expect(claims).toMatchObject({ iss: 'Higress-Gateway', sub: 'c1', aud: 'default', client_id: ID, scope: 'read write' });
    expect(claims.exp - claims.iat).toBe(7200);
    expect(claims.jti).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Math.abs(claims.iat - Date.now() / 1000)).toBeLessThan(300);
  });

  it('the issued token opens the route and names the consumer upstream', async () => {
    const t = await s.token(ID, SECRET);
    issued.push(t);
    const r = await s.request('/anything', { headers: { authorization: `Bearer ${t}` } });
    expect(r.status).toBe(200);
    expect(r.json.headers['x-mse-consumer']).toBe('c1');
  });

  it('omits scope when the request carried none', async () => {
    const t = await s.token(ID, SECRET);
    issued.push(t);
    expect(decode(t.split('.')[1]).scope).toBeUndefined();
  });

  it('POST application/x-www-form-urlencoded (with a charset parameter) issues a token', async () => {
    const r = await s.request(TOKEN, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' },
      body: form({ grant_type: 'client_credentials', client_id: ID, client_secret: SECRET }),
    });
    expect(r.status).toBe(200);
    issued.push(r.json.access_token);
  });

  it('HTTP Basic client authentication, credentials form-decoded', async () => {
    const r = await s.request(TOKEN, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(ODD_ID, ODD_SECRET) },
      body: form({ grant_type: 'client_credentials' }),
    });
    expect(r.status).toBe(200);
    issued.push(r.json.access_token);
    expect(decode(r.json.access_token.split('.')[1]).sub).toBe('odd');
  });

  it('any path ending with auth_path is a token request, with or without a route', async () => {
    const r = await s.request(`/some/prefix${TOKEN}?${form({ grant_type: 'client_credentials', client_id: ID, client_secret: SECRET })}`);
    expect(r.status).toBe(200);
    issued.push(r.json.access_token);
    expect(s.echo.count).toBe(1); // only the one proxied request above reached the upstream
  });
});

describe('token endpoint: refusals', () => {
  const ok = { grant_type: 'client_credentials', client_id: ID, client_secret: SECRET };
  it.each([
    ['no parameters at all', '', 'Authorize parameters are missing', 'invalid_request'],
    ['grant_type missing', form({ client_id: ID, client_secret: SECRET }), 'grant_type is missing', 'invalid_request'],
    ['unsupported grant type', form({ ...ok, grant_type: 'password' }), 'grant type password is not supported.', 'unsupported_grant_type'],
    ['client_id missing', form({ grant_type: 'client_credentials', client_secret: SECRET }), 'client_id is missing', 'invalid_request'],
    ['client_secret missing', form({ grant_type: 'client_credentials', client_id: ID }), 'client_secret is missing', 'invalid_request'],
    ['unknown client_id', form({ ...ok, client_id: 'nobody' }), 'invalid client_id or client_secret', 'invalid_client'],
    ['wrong secret', form({ ...ok, client_secret: SECRET + 'x' }), 'invalid client_id or client_secret', 'invalid_client'],
    ['repeated client_id', form(ok) + '&client_id=other', 'parameter client_id is repeated', 'invalid_request'],
  ])('GET %s: 400', async (_name, query, msg, error) => {
    const r = await s.request(`${TOKEN}${query ? '?' + query : ''}`);
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ code: 400, msg, error, error_description: msg });
    expect(r.headers['www-authenticate']).toBeUndefined();
    expect(r.headers['cache-control']).toBe('no-store');
  });

  it.each([
    ['application/json', 'application/json'],
    ['no content type', undefined],
    ['multipart', 'multipart/form-data; boundary=x'],
  ])('POST with %s: 400 Invalid or unsupported content-type', async (_n, ct) => {
    const r = await s.request(TOKEN, { method: 'POST', headers: ct ? { 'content-type': ct } : {}, body: form(ok) });
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ msg: 'Invalid or unsupported content-type', error: 'invalid_request' });
  });

  it('Basic and parameters at once: 400', async () => {
    const r = await s.request(`${TOKEN}?${form(ok)}`, { headers: { authorization: basic(ID, SECRET) } });
    expect(r.status).toBe(400);
    expect(r.json.error).toBe('invalid_request');
  });

  it.each([
    ['wrong secret', basic(ID, 'not-the-secret')],
    ['unknown client', basic('nobody', SECRET)],
    ['not base64', 'Basic %%%'],
    ['no colon', 'Basic ' + Buffer.from('justanid').toString('base64')],
  ])('Basic with %s: 401 invalid_client + WWW-Authenticate: Basic', async (_n, header) => {
    const r = await s.request(`${TOKEN}?grant_type=client_credentials`, { headers: { authorization: header } });
    expect(r.status).toBe(401);
    expect(r.json).toMatchObject({ code: 401, error: 'invalid_client' });
    expect(r.headers['www-authenticate']).toMatch(/^Basic/);
  });

  it.each(['PUT', 'DELETE', 'PATCH', 'HEAD'])('%s: 405 with Allow', async (method) => {
    const r = await s.request(`${TOKEN}?${form(ok)}`, { method });
    expect(r.status).toBe(405);
    expect(r.headers['allow']).toBe('GET, POST');
  });

  it('a form body over 64 KiB: 413', async () => {
    const body = form(ok) + '&pad=' + 'a'.repeat(70 * 1024);
    const r = await s.request(TOKEN, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    expect(r.status).toBe(413);
  });

  it('a chunked form body over 64 KiB (no Content-Length): 413', async () => {
    const u = new URL(s.gateway.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: u.hostname, port: u.port, method: 'POST', path: TOKEN, headers: { 'content-type': 'application/x-www-form-urlencoded' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      // The gateway may cut the connection while we still write: only the answer matters.
      req.on('error', (e) => setTimeout(() => reject(e), 1000));
      let sent = 0;
      const pump = () => {
        while (sent < 20) {
          sent++;
          if (!req.write('a'.repeat(8 * 1024))) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    expect(status).toBe(413);
  });
});

describe('token endpoint: logs', () => {
  it('never hold a client secret or an issued token (the access log omits the query string)', async () => {
    const logs = s.gateway.logs.join('\n');
    expect(logs).toContain('"msg":"request"'); // access log is on in this suite
    expect(issued.length).toBeGreaterThan(3);
    for (const secret of [SECRET, ODD_SECRET, encodeURIComponent(SECRET), 'client_secret=']) expect(logs).not.toContain(secret);
    for (const t of issued) expect(logs).not.toContain(t.split('.')[2]);
  });
});
