import * as fs from 'node:fs';
import { connect as h2connect } from 'node:http2';
import { request as httpsRequest } from 'node:https';
import {
  AT_HEADER,
  certThumbprint,
  craftHs256,
  makeTempDir,
  makeTestPki,
  rawRequest,
  spawnGateway,
  standardClaims,
  startGatewayStack,
  type GatewayProcess,
  type GatewayStack,
  type TempDir,
  type TestPki,
} from '@oauth2/testing';

// RFC 8705 §3 certificate-bound tokens (docs/tls.md): a token with cnf.x5t#S256 is accepted only
// with that client certificate, on the TLS listener (GATEWAY_TLS_CLIENT_CA) or forwarded by a
// trusted proxy to the authz listener. Tokens are crafted with node:crypto (jwt-craft).
const ID = 'mtls-client';
const SECRET = 'mtls-client-secret-0123456789abcdef';

let dir: TempDir;
let pki: TestPki;
let ca: Buffer;
let s: GatewayStack;
let trustingAuthz: GatewayProcess;
let bound: string;
let unbound: string;

const token = (extra: Record<string, unknown> = {}) => craftHs256(AT_HEADER, { ...standardClaims({ name: 'mc', clientId: ID, now: Math.floor(Date.now() / 1000) }), ...extra }, SECRET);

function call(path: string, headers: Record<string, string>, cert?: { cert: string; key: string }): Promise<{ status: number; json: any }> {
  const u = new URL(s.gateway.url);
  return new Promise((resolve, reject) => {
    httpsRequest(
      { host: u.hostname, port: u.port, path, headers, ca, agent: false, servername: 'localhost', ...(cert ? { cert: fs.readFileSync(cert.cert), key: fs.readFileSync(cert.key) } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null') }));
      },
    )
      .on('error', reject)
      .end();
  });
}

beforeAll(async () => {
  dir = makeTempDir('tls-mtls-');
  pki = makeTestPki(dir.path);
  ca = fs.readFileSync(pki.ca.cert);
  s = await startGatewayStack({ gatewayEnv: { GATEWAY_TLS_CERT: pki.server.cert, GATEWAY_TLS_KEY: pki.server.key, GATEWAY_TLS_CLIENT_CA: pki.ca.cert, GATEWAY_AUTHZ_PORT: '0' } });
  trustingAuthz = await spawnGateway({ dataDir: s.admin.dataDir, env: { GATEWAY_AUTHZ_PORT: '0', GATEWAY_TRUSTED_PROXIES: '127.0.0.1/32,::1/128' } });
  await s.call('POST', '/v1/consumers', { name: 'mc', client_id: ID, client_secret: SECRET });
  await s.call('POST', '/v1/routes', { name: 'r1', upstream: s.echo.url });
  await trustingAuthz.waitForRevision(await s.sync());
  bound = token({ cnf: { 'x5t#S256': certThumbprint(pki.clientA.cert) } });
  unbound = token();
}, 60_000);
afterAll(async () => {
  await trustingAuthz?.stop();
  await s?.stop();
  dir?.cleanup();
}, 30_000);

describe('certificate-bound tokens on the TLS listener', () => {
  it('accepted with the certificate it is bound to', async () => {
    const r = await call('/x', { authorization: `Bearer ${bound}` }, pki.clientA);
    expect(r.status).toBe(200);
    expect(r.json.headers['x-mse-consumer']).toBe('mc');
  });

  it('refused without a client certificate, and with another one: 401 certificate_mismatch', async () => {
    for (const cert of [undefined, pki.clientB]) {
      const r = await call('/x', { authorization: `Bearer ${bound}` }, cert);
      expect(r.status).toBe(401);
      expect(r.json).toMatchObject({ reason: 'certificate_mismatch' });
    }
  });

  it('a self-signed certificate with the same subject does not pass', async () => {
    const self = `${dir.path}/self`;
    fs.mkdirSync(self);
    const other = makeTestPki(self).issue('client-a', { san: 'DNS:client-a.example' });
    const r = await call('/x', { authorization: `Bearer ${bound}` }, other);
    expect([r.status, r.json.reason]).toEqual([401, 'certificate_mismatch']);
  });

  it('a cnf it cannot check (no x5t#S256, or not an object) fails closed', async () => {
    for (const cnf of [{ jkt: 'abc' }, 'x', { 'x5t#S256': 7 }]) {
      const r = await call('/x', { authorization: `Bearer ${token({ cnf })}` }, pki.clientA);
      expect([r.status, r.json.reason]).toEqual([401, 'certificate_mismatch']);
    }
  });

  it('client certificates are requested, not required: unbound tokens work with or without one', async () => {
    expect((await call('/x', { authorization: `Bearer ${unbound}` })).status).toBe(200);
    expect((await call('/x', { authorization: `Bearer ${unbound}` }, pki.clientB)).status).toBe(200);
  });

  it('HTTP/2 with the bound certificate: accepted', async () => {
    const session = h2connect(s.gateway.url, { ca, servername: 'localhost', cert: fs.readFileSync(pki.clientA.cert), key: fs.readFileSync(pki.clientA.key) });
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const st = session.request({ ':path': '/x', authorization: `Bearer ${bound}` });
        st.on('response', (h) => resolve(Number(h[':status'])));
        st.on('error', reject);
        st.resume();
      });
      expect(status).toBe(200);
    } finally {
      session.close();
    }
  });

  it('a client cannot claim a certificate with a forwarded-certificate header (not a trusted proxy)', async () => {
    const hash = Buffer.from(certThumbprint(pki.clientA.cert), 'base64url').toString('hex');
    const r = await call('/x', { authorization: `Bearer ${bound}`, 'x-forwarded-client-cert': `Hash=${hash}` });
    expect([r.status, r.json.reason]).toEqual([401, 'certificate_mismatch']);
  });
});

describe('certificate-bound tokens through the authz listener', () => {
  const check = (headers: Record<string, string>) => ({ 'x-original-uri': '/x', 'x-original-method': 'GET', 'x-original-host': 'api.test', authorization: `Bearer ${bound}`, ...headers });
  const pemEscaped = () => encodeURIComponent(fs.readFileSync(pki.clientA.cert, 'utf8'));
  const hashHex = () => Buffer.from(certThumbprint(pki.clientA.cert), 'base64url').toString('hex');

  it('a trusted proxy forwarding the certificate: Envoy XFCC Hash= or Cert=, nginx $ssl_client_escaped_cert', async () => {
    for (const h of <Record<string, string>[]>[
      { 'x-forwarded-client-cert': `By=spiffe://x;Hash=${hashHex()};Subject="CN=client-a"` },
      { 'x-forwarded-client-cert': `Cert="${pemEscaped()}"` },
      { 'x-ssl-client-cert': pemEscaped() },
    ]) {
      const r = await rawRequest(trustingAuthz.authzUrl!, '/nginx', { headers: check(h) });
      expect(r.status).toBe(200);
    }
  });

  it('the trusted proxy forwarding another certificate, or none: 401 certificate_mismatch', async () => {
    const other = encodeURIComponent(fs.readFileSync(pki.clientB.cert, 'utf8'));
    for (const h of <Record<string, string>[]>[{ 'x-ssl-client-cert': other }, {}, { 'x-forwarded-client-cert': 'Hash=zz' }]) {
      const r = await rawRequest(trustingAuthz.authzUrl!, '/nginx', { headers: check(h) });
      expect([r.status, r.json.reason]).toEqual([401, 'certificate_mismatch']);
    }
  });

  it('an untrusted peer forwarding the right certificate is not believed', async () => {
    const r = await rawRequest(s.gateway.authzUrl!, '/nginx', { headers: check({ 'x-ssl-client-cert': pemEscaped() }) });
    expect([r.status, r.json.reason]).toEqual([401, 'certificate_mismatch']);
  });
});
