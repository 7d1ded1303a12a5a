import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { connect as h2connect } from 'node:http2';
import { request as httpsRequest } from 'node:https';
import * as path from 'node:path';
import {
  certThumbprint,
  craftHs256,
  AT_HEADER,
  makeTempDir,
  makeTestPki,
  rawRequest,
  runOauth2ctl,
  spawnGateway,
  standardClaims,
  startGatewayStack,
  type CertPair,
  type GatewayProcess,
  type GatewayStack,
  type TempDir,
  type TestPki,
} from '@oauth2/testing';

// RFC 8705 §2 client authentication at the token endpoint, and the certificate-bound tokens it
// issues (SPEC §13, docs/tls.md), on real processes over real TLS; certificates made at test time.
// Tokens the gateway issued are decoded here by hand; the one crafted token uses node:crypto.
let dir: TempDir;
let pki: TestPki;
let ca: Buffer;
let s: GatewayStack;
/** The same store behind a plain-HTTP gateway (no TLS, so no certificate authentication). */
let plainGw: GatewayProcess;
/** A TLS gateway without GATEWAY_TLS_CLIENT_CA (no client certificates requested). */
let noCaGw: GatewayProcess;
/** A TLS gateway with the CA that trusts loopback as a proxy forwarding client certificates. */
let proxiedGw: GatewayProcess;
/** Not chaining to the CA: another CA's certificate with client-a's subject and SAN. */
let foreign: CertPair;
/** Self-signed certificates: the registered one, and another with the same subject. */
let selfA: CertPair;
let selfTwin: CertPair;
let m2mSecret: string;
const PLAIN_SECRET = 'plain-client-secret-0123456789abcdef';

function selfSigned(name: string, cn: string): CertPair {
  const cert = path.join(dir.path, `${name}.pem`);
  const key = path.join(dir.path, `${name}.key`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-subj', `/CN=${cn}`, '-days', '1'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return { cert, key };
}

type Answer = { status: number; json: any; headers: Record<string, string | string[] | undefined> };

/** One HTTPS request on a fresh connection (agent: false), with the client certificate when given. */
function https(base: string, method: string, pathAndQuery: string, opts: { cert?: CertPair; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: u.hostname,
        port: u.port,
        method,
        path: pathAndQuery,
        headers: { ...(opts.body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...opts.headers },
        ca,
        agent: false,
        servername: 'localhost',
        ...(opts.cert ? { cert: fs.readFileSync(opts.cert.cert), key: fs.readFileSync(opts.cert.key) } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, json: text === '' ? null : JSON.parse(text), headers: res.headers });
        });
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

const tokenQuery = (p: Record<string, string>) => `/oauth2/token?${new URLSearchParams({ grant_type: 'client_credentials', ...p })}`;
const askToken = (p: Record<string, string>, cert?: CertPair) => https(s.gateway.url, 'GET', tokenQuery(p), { cert });
const callApi = (token: string, cert?: CertPair) => https(s.gateway.url, 'GET', '/x', { cert, headers: { authorization: `Bearer ${token}` } });
const payload = (jwt: string): Record<string, any> => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
/** The certificate-authentication refusal: one body whatever went wrong. */
const CERT_REFUSAL = { code: 401, error: 'invalid_client', reason: 'invalid_client_certificate' };

beforeAll(async () => {
  dir = makeTempDir('tls-mtls-auth-');
  pki = makeTestPki(dir.path);
  ca = fs.readFileSync(pki.ca.cert);
  const otherDir = path.join(dir.path, 'other');
  fs.mkdirSync(otherDir);
  foreign = makeTestPki(otherDir).issue('client-a', { san: 'DNS:client-a.example' });
  selfA = selfSigned('self-a', 'self-a');
  selfTwin = selfSigned('self-a-twin', 'self-a');
  s = await startGatewayStack({
    gatewayEnv: {
      GATEWAY_TLS_CERT: pki.server.cert,
      GATEWAY_TLS_KEY: pki.server.key,
      GATEWAY_TLS_CLIENT_CA: pki.ca.cert,
      GATEWAY_REVOCATION_ENDPOINT: 'true',
      // Certificate failures count against a client_id like wrong secrets; this file makes many on purpose.
      GATEWAY_TOKEN_MAX_FAILURES: '1000',
    },
  });
  m2mSecret = (await s.call('POST', '/v1/consumers', { name: 'm2m', client_id: 'm2m-id', auth_method: 'tls_client_auth', tls_subject: 'CN=client-a' })).client_secret;
  await s.call('POST', '/v1/consumers', { name: 'm2m-san', client_id: 'm2m-san-id', auth_method: 'tls_client_auth', tls_subject: 'san:dns:client-a.example' });
  await s.call('POST', '/v1/consumers', { name: 'self', client_id: 'self-id', auth_method: 'self_signed_tls_client_auth', tls_thumbprint: certThumbprint(selfA.cert) });
  await s.call('POST', '/v1/consumers', { name: 'plain', client_id: 'plain-id', client_secret: PLAIN_SECRET });
  await s.call('POST', '/v1/routes', { name: 'r1', upstream: s.echo.url });
  const rev = await s.sync();
  plainGw = await spawnGateway({ dataDir: s.admin.dataDir, env: { GATEWAY_TRUSTED_PROXIES: '10.0.0.0/8' } });
  noCaGw = await spawnGateway({ dataDir: s.admin.dataDir, env: { GATEWAY_TLS_CERT: pki.server.cert, GATEWAY_TLS_KEY: pki.server.key } });
  proxiedGw = await spawnGateway({
    dataDir: s.admin.dataDir,
    env: { GATEWAY_TLS_CERT: pki.server.cert, GATEWAY_TLS_KEY: pki.server.key, GATEWAY_TLS_CLIENT_CA: pki.ca.cert, GATEWAY_TRUSTED_PROXIES: '127.0.0.1/32,::1/128' },
  });
  await plainGw.waitForRevision(rev);
  await noCaGw.waitForRevision(rev);
  await proxiedGw.waitForRevision(rev);
}, 90_000);
afterAll(async () => {
  await plainGw?.stop();
  await noCaGw?.stop();
  await proxiedGw?.stop();
  await s?.stop();
  dir?.cleanup();
}, 30_000);

describe('tls_client_auth: a certificate under GATEWAY_TLS_CLIENT_CA carrying the registered subject', () => {
  let token: string;

  it('gets a token with the certificate and no secret; the token carries cnf.x5t#S256 of that certificate', async () => {
    const r = await askToken({ client_id: 'm2m-id' }, pki.clientA);
    expect(r.status).toBe(200);
    token = r.json.access_token;
    expect(payload(token)).toMatchObject({ sub: 'm2m', client_id: 'm2m-id', cnf: { 'x5t#S256': certThumbprint(pki.clientA.cert) } });
  });

  it('the token works only over a connection with that certificate', async () => {
    const ok = await callApi(token, pki.clientA);
    expect([ok.status, ok.json.headers['x-mse-consumer']]).toEqual([200, 'm2m']);
    for (const cert of [undefined, pki.clientB, foreign]) {
      const r = await callApi(token, cert);
      expect([r.status, r.json.reason]).toEqual([401, 'certificate_mismatch']);
    }
  });

  it('a SAN subject (san:dns:) matches the certificate carrying it', async () => {
    const r = await askToken({ client_id: 'm2m-san-id' }, pki.clientA);
    expect(r.status).toBe(200);
    expect(payload(r.json.access_token).cnf).toEqual({ 'x5t#S256': certThumbprint(pki.clientA.cert) });
    expect((await askToken({ client_id: 'm2m-san-id' }, pki.clientB)).json).toMatchObject(CERT_REFUSAL);
  });

  it('refused (401 invalid_client, one body) without a certificate, with another one, with one not chaining to the CA', async () => {
    for (const cert of [undefined, pki.clientB, foreign]) {
      const r = await askToken({ client_id: 'm2m-id' }, cert);
      expect([r.status, r.json]).toEqual([401, expect.objectContaining(CERT_REFUSAL)]);
      expect(r.headers['cache-control']).toBe('no-store');
    }
  });

  it('no oracle: an unknown client_id or a client_secret consumer without its secret gets the very same answer', async () => {
    const bodies = await Promise.all([
      askToken({ client_id: 'm2m-id' }, pki.clientB),
      askToken({ client_id: 'nobody' }, pki.clientA),
      askToken({ client_id: 'plain-id' }, pki.clientA),
      askToken({ client_id: 'nobody' }),
    ]);
    for (const b of bodies) expect([b.status, b.json]).toEqual([bodies[0].status, bodies[0].json]);
  });

  it('a client_secret sent for it is refused like a wrong secret (its stored secret is no credential), even with the right certificate', async () => {
    const wrong = await askToken({ client_id: 'plain-id', client_secret: 'x'.repeat(40) });
    const r = await askToken({ client_id: 'm2m-id', client_secret: m2mSecret }, pki.clientA);
    expect([r.status, r.json]).toEqual([wrong.status, wrong.json]);
    expect(r.json).toMatchObject({ error: 'invalid_client', reason: 'invalid_client' });
    const basic = await https(s.gateway.url, 'GET', tokenQuery({}), { cert: pki.clientA, headers: { authorization: `Basic ${Buffer.from(`m2m-id:${m2mSecret}`).toString('base64')}` } });
    expect([basic.status, basic.json.error, basic.json.reason]).toEqual([401, 'invalid_client', 'invalid_client_basic']);
  });

  it('a token for it without cnf (signed with its stored secret) is refused: its tokens are always bound', async () => {
    const forged = craftHs256(AT_HEADER, standardClaims({ name: 'm2m', clientId: 'm2m-id', now: Math.floor(Date.now() / 1000) }), m2mSecret);
    const r = await callApi(forged, pki.clientA);
    expect([r.status, r.json.reason]).toEqual([401, 'certificate_mismatch']);
  });

  it('revocation (RFC 7009) authenticates it by certificate too', async () => {
    const t = (await askToken({ client_id: 'm2m-id' }, pki.clientA)).json.access_token as string;
    const form = new URLSearchParams({ client_id: 'm2m-id', token: t }).toString();
    for (const cert of [undefined, pki.clientB]) {
      const r = await https(s.gateway.url, 'POST', '/oauth2/revoke', { cert, body: form });
      expect([r.status, r.json]).toEqual([401, expect.objectContaining(CERT_REFUSAL)]);
    }
    const withSecret = await https(s.gateway.url, 'POST', '/oauth2/revoke', { cert: pki.clientA, body: `${form}&client_secret=${m2mSecret}` });
    expect([withSecret.status, withSecret.json.reason]).toEqual([401, 'invalid_client_basic']);
    expect((await callApi(t, pki.clientA)).status).toBe(200);
    const ok = await https(s.gateway.url, 'POST', '/oauth2/revoke', { cert: pki.clientA, body: form });
    expect(ok.status).toBe(200);
    expect([(await callApi(t, pki.clientA)).status]).toEqual([401]);
  });
});

describe('other ways the certificate arrives', () => {
  it('HTTP/2: a token with the certificate, bound to it', async () => {
    const session = h2connect(s.gateway.url, { ca, servername: 'localhost', cert: fs.readFileSync(pki.clientA.cert), key: fs.readFileSync(pki.clientA.key) });
    try {
      const body = await new Promise<string>((resolve, reject) => {
        const st = session.request({ ':path': tokenQuery({ client_id: 'm2m-id' }) });
        let text = '';
        st.on('data', (c: Buffer) => (text += c));
        st.on('end', () => resolve(text));
        st.on('error', reject);
      });
      expect(payload(JSON.parse(body).access_token).cnf).toEqual({ 'x5t#S256': certThumbprint(pki.clientA.cert) });
    } finally {
      session.close();
    }
  });

  it('forwarded by a trusted proxy: a PEM issued by the CA authenticates tls_client_auth, a hash only self_signed; another CA never', async () => {
    const ask = (clientId: string, headers: Record<string, string>) => https(proxiedGw.url, 'GET', tokenQuery({ client_id: clientId }), { headers });
    const pemOf = (c: CertPair) => encodeURIComponent(fs.readFileSync(c.cert, 'utf8'));
    const hashOf = (c: CertPair) => Buffer.from(certThumbprint(c.cert), 'base64url').toString('hex');
    const viaNginx = await ask('m2m-id', { 'x-ssl-client-cert': pemOf(pki.clientA) });
    expect(viaNginx.status).toBe(200);
    expect(payload(viaNginx.json.access_token).cnf).toEqual({ 'x5t#S256': certThumbprint(pki.clientA.cert) });
    expect((await ask('m2m-id', { 'x-forwarded-client-cert': `Hash=${hashOf(pki.clientA)};Cert="${pemOf(pki.clientA)}"` })).status).toBe(200);
    expect((await ask('self-id', { 'x-forwarded-client-cert': `Hash=${hashOf(selfA)}` })).status).toBe(200);
    for (const [id, h] of [
      ['m2m-id', { 'x-forwarded-client-cert': `Hash=${hashOf(pki.clientA)}` }],
      ['m2m-id', { 'x-ssl-client-cert': pemOf(foreign) }],
      ['self-id', { 'x-ssl-client-cert': pemOf(selfTwin) }],
    ] as [string, Record<string, string>][]) {
      expect((await ask(id, h)).json).toMatchObject(CERT_REFUSAL);
    }
    // The same headers from an untrusted peer count for nothing (s.gateway trusts no proxy).
    expect((await https(s.gateway.url, 'GET', tokenQuery({ client_id: 'm2m-id' }), { headers: { 'x-ssl-client-cert': pemOf(pki.clientA) } })).json).toMatchObject(CERT_REFUSAL);
  });

  it('certificate failures lock a client_id like wrong secrets (default 10): then 429, even with the right certificate', async () => {
    const pem = encodeURIComponent(fs.readFileSync(pki.clientA.cert, 'utf8'));
    for (let i = 0; i < 10; i++) expect((await https(proxiedGw.url, 'GET', tokenQuery({ client_id: 'm2m-san-id' }))).status).toBe(401);
    const locked = await https(proxiedGw.url, 'GET', tokenQuery({ client_id: 'm2m-san-id' }), { headers: { 'x-ssl-client-cert': pem } });
    expect([locked.status, locked.json.reason]).toEqual([429, 'too_many_attempts']);
  });

  it('refusals are counted under their own reason on /metrics', async () => {
    const text = await (await fetch(`${s.gateway.statusUrl}/metrics`)).text();
    expect(text).toMatch(/gateway_requests_total\{[^}]*outcome="token_refused"[^}]*reason="invalid_client_certificate"[^}]*\} [1-9]/);
  });
});

describe('self_signed_tls_client_auth: the certificate with the registered thumbprint', () => {
  it('gets a bound token with it, and only with it', async () => {
    const r = await askToken({ client_id: 'self-id' }, selfA);
    expect(r.status).toBe(200);
    const t = r.json.access_token as string;
    expect(payload(t).cnf).toEqual({ 'x5t#S256': certThumbprint(selfA.cert) });
    expect((await callApi(t, selfA)).status).toBe(200);
    expect((await callApi(t, selfTwin)).json.reason).toBe('certificate_mismatch');
  });

  it('a certificate with the same subject but another key is refused, and so is a CA-issued one', async () => {
    for (const cert of [selfTwin, pki.clientA, undefined]) expect((await askToken({ client_id: 'self-id' }, cert)).json).toMatchObject(CERT_REFUSAL);
  });
});

describe('client_secret consumers are unaffected', () => {
  it('with or without a certificate: a token without cnf, usable with or without a certificate', async () => {
    for (const cert of [undefined, pki.clientA]) {
      const r = await askToken({ client_id: 'plain-id', client_secret: PLAIN_SECRET }, cert);
      expect(r.status).toBe(200);
      expect(payload(r.json.access_token).cnf).toBeUndefined();
      expect((await callApi(r.json.access_token)).status).toBe(200);
      expect((await callApi(r.json.access_token, pki.clientB)).status).toBe(200);
    }
  });
});

describe('where certificate authentication is not offered', () => {
  it('the plain-HTTP listener: no certificate can count, a client_id without secret is client_secret_missing as in Higress (a forged forwarded-certificate header too)', async () => {
    const pem = encodeURIComponent(fs.readFileSync(pki.clientA.cert, 'utf8'));
    for (const headers of [{}, { 'x-ssl-client-cert': pem }] as Record<string, string>[]) {
      const r = await rawRequest(plainGw.url, tokenQuery({ client_id: 'm2m-id' }), { headers });
      expect([r.status, JSON.parse(r.text).reason]).toEqual([400, 'client_secret_missing']);
    }
  });

  it('RFC 8414 metadata lists the mTLS fields only with GATEWAY_TLS_CLIENT_CA', async () => {
    const meta = await https(s.gateway.url, 'GET', '/.well-known/oauth-authorization-server');
    expect(meta.json.token_endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/oauth2\/token$/);
    expect(meta.json).toMatchObject({
      tls_client_certificate_bound_access_tokens: true,
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'tls_client_auth', 'self_signed_tls_client_auth'],
      mtls_endpoint_aliases: { token_endpoint: meta.json.token_endpoint },
    });
    for (const other of [
      await https(noCaGw.url, 'GET', '/.well-known/oauth-authorization-server'),
      { json: JSON.parse((await rawRequest(plainGw.url, '/.well-known/oauth-authorization-server')).text) },
    ]) {
      expect(other.json.token_endpoint_auth_methods_supported).toEqual(['client_secret_basic', 'client_secret_post']);
      expect(other.json).not.toHaveProperty('tls_client_certificate_bound_access_tokens');
      expect(other.json).not.toHaveProperty('mtls_endpoint_aliases');
    }
    // Without a CA no certificate is requested: a client_id without secret is client_secret_missing there too.
    expect((await https(noCaGw.url, 'GET', tokenQuery({ client_id: 'm2m-id' }), { cert: pki.clientA })).json.reason).toBe('client_secret_missing');
  });
});

describe("the explainer shows the TLS facts (POST /v1/explain, oauth2ctl explain --client-cert): the decision's own trace", () => {
  let bound: string;
  const pem = (c: CertPair) => fs.readFileSync(c.cert, 'utf8');
  const step = (r: { json: { verification: { step: string; ok: boolean; detail: string }[] } }) => r.json.verification.find((x) => x.step === 'certificate binding');
  beforeAll(async () => {
    bound = (await askToken({ client_id: 'm2m-id' }, pki.clientA)).json.access_token;
  });

  it('a bound token with its certificate, with another, with none, not over TLS', async () => {
    const x5t = certThumbprint(pki.clientA.cert);
    const ok = await s.admin.api('POST', '/v1/explain', { host: 'api.test', path: '/x', token: bound, client_cert: pem(pki.clientA) });
    expect(ok.json.outcome).toMatchObject({ status: 200, reason: 'forwarded' });
    expect(step(ok)).toEqual({
      step: 'certificate binding',
      ok: true,
      detail: expect.stringMatching(new RegExp(`^over TLS, client certificate x5t#S256 ${x5t}; the token is bound to x5t#S256 ${x5t}.*the certificate matches$`)),
    });
    const other = await s.admin.api('POST', '/v1/explain', { host: 'api.test', path: '/x', token: bound, client_cert: pem(pki.clientB) });
    expect(other.json.outcome).toMatchObject({ status: 401, reason: 'certificate_mismatch' });
    expect(step(other)).toMatchObject({ ok: false, detail: expect.stringContaining(`client certificate x5t#S256 ${certThumbprint(pki.clientB.cert)}`) });
    const none = await s.admin.api('POST', '/v1/explain', { host: 'api.test', path: '/x', token: bound, secure: false });
    expect(step(none)).toMatchObject({ ok: false, detail: expect.stringMatching(/^not over TLS, no client certificate; .*\(none presented\)$/) });
    // A consumer that authenticates with a certificate, assumed: its hypothetical token is bound too.
    const assumed = await s.admin.api('POST', '/v1/explain', { host: 'api.test', path: '/x', consumer: 'self', client_cert: pem(selfA) });
    expect([assumed.json.outcome.status, step(assumed)?.ok]).toEqual([200, true]);
    const bad = await s.admin.api('POST', '/v1/explain', { host: 'api.test', path: '/x', token: bound, client_cert: 'not a certificate' });
    expect([bad.status, bad.json.msg]).toEqual([400, expect.stringMatching(/^client_cert must be a PEM certificate/)]);
  });

  it('oauth2ctl explain --client-cert FILE', async () => {
    const env = { OAUTH2_SERVER: s.admin.url, OAUTH2_ADMIN_TOKEN: s.admin.token };
    const ok = await runOauth2ctl(['explain', '--host', 'api.test', '--path', '/x', '--access-token', bound, '--client-cert', pki.clientA.cert], { env });
    expect({ code: ok.code, stderr: ok.stderr }).toEqual({ code: 0, stderr: '' });
    expect(ok.stdout).toMatch(/✓ certificate binding +over TLS, client certificate x5t#S256 /);
    const other = await runOauth2ctl(['explain', '--host', 'api.test', '--path', '/x', '--access-token', bound, '--client-cert', pki.clientB.cert], { env });
    expect(other.stdout).toMatch(/✗ certificate binding/);
    expect(other.stdout).toMatch(/^outcome: +401 .*\(certificate_mismatch\)$/m);
  });
});

describe('oauth2ctl consumer add/update --auth', () => {
  const env = () => ({ OAUTH2_SERVER: s.admin.url, OAUTH2_ADMIN_TOKEN: s.admin.token });
  it('adds and switches a consumer, shows the method; a wrong combination is one line naming the field', async () => {
    const add = await runOauth2ctl(['consumer', 'add', 'cli-m2m', '--auth', 'tls_client_auth', '--tls-subject', 'CN=cli-m2m'], { env: env() });
    expect({ code: add.code, stderr: add.stderr }).toEqual({ code: 0, stderr: '' });
    expect(add.stdout).toMatch(/^auth_method:? +tls_client_auth$/m);
    expect(add.stdout).toMatch(/^tls_subject:? +CN=cli-m2m$/m);
    expect(add.stdout).not.toMatch(/^client_secret/m);
    const upd = await runOauth2ctl(['-o', 'json', 'consumer', 'update', 'cli-m2m', '--auth', 'self_signed_tls_client_auth', '--tls-thumbprint', certThumbprint(selfA.cert)], { env: env() });
    expect(JSON.parse(upd.stdout)).toMatchObject({ auth_method: 'self_signed_tls_client_auth', tls_subject: null, tls_thumbprint: certThumbprint(selfA.cert) });
    const bad = await runOauth2ctl(['consumer', 'add', 'cli-bad', '--auth', 'tls_client_auth'], { env: env() });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/^oauth2ctl: [^\n]*tls_subject[^\n]*is required for auth_method tls_client_auth[^\n]*\n$/);
    const method = await runOauth2ctl(['consumer', 'add', 'cli-bad', '--auth', 'mtls'], { env: env() });
    expect(method.stderr).toMatch(/--auth.*must be one of client_secret, tls_client_auth, self_signed_tls_client_auth/);
  });
});
