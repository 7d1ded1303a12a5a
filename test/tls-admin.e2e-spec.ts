import * as fs from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { Agent, fetch as undiciFetch, setGlobalDispatcher, getGlobalDispatcher, type Dispatcher } from 'undici';
import { ADMIN_ENTRY, certSerial, makeTempDir, makeTestPki, runOauth2ctl, runToExit, spawnAdmin, type AdminProcess, type TempDir, type TestPki } from '@oauth2/testing';

// The admin API over TLS (ADMIN_TLS_CERT / ADMIN_TLS_KEY, docs/tls.md), with certificate rotation.
let dir: TempDir;
let pki: TestPki;
let admin: AdminProcess;
let certFile: string;
let keyFile: string;
let ca: Buffer;
let previous: Dispatcher;
const nodeFetch = globalThis.fetch;

function servedSerial(): Promise<string> {
  const u = new URL(admin.url);
  return new Promise((resolve, reject) => {
    const sock = tlsConnect({ host: u.hostname, port: Number(u.port), ca, servername: 'localhost' }, () => {
      const serial = sock.getPeerCertificate().serialNumber;
      sock.destroy();
      resolve(serial);
    });
    sock.on('error', reject);
  });
}

beforeAll(async () => {
  dir = makeTempDir('tls-admin-');
  pki = makeTestPki(dir.path);
  ca = fs.readFileSync(pki.ca.cert);
  // fetch() in this process (the readiness poll, admin.api) trusts the test CA.
  previous = getGlobalDispatcher();
  setGlobalDispatcher(new Agent({ connect: { ca } }));
  globalThis.fetch = undiciFetch as unknown as typeof fetch;
  certFile = `${dir.path}/live.pem`;
  keyFile = `${dir.path}/live.key`;
  fs.copyFileSync(pki.server.cert, certFile);
  fs.copyFileSync(pki.server.key, keyFile);
  admin = await spawnAdmin({ env: { ADMIN_TLS_CERT: certFile, ADMIN_TLS_KEY: keyFile } });
}, 60_000);
afterAll(async () => {
  await admin?.stop();
  setGlobalDispatcher(previous);
  globalThis.fetch = nodeFetch;
  dir?.cleanup();
}, 30_000);

describe('admin API over TLS', () => {
  it('logs an https url and answers /v1 over TLS', async () => {
    expect(admin.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const r = await admin.api('GET', '/v1/revision');
    expect(r.status).toBe(200);
    expect(await servedSerial()).toBe(certSerial(pki.server.cert));
  });

  it('plain HTTP on the TLS port gets no admin answer', async () => {
    const r = await fetch(admin.url.replace('https:', 'http:') + '/v1/revision', { headers: { authorization: `Bearer ${admin.token}` } }).then(
      (res) => res.status,
      () => 'refused',
    );
    expect(r).not.toBe(200);
  });

  it('rotation: a rewritten pair is served to new connections; a bad one is logged and the old stays', async () => {
    const next = pki.issue('admin-2', { cn: 'localhost', serverNames: true });
    fs.writeFileSync(keyFile, fs.readFileSync(next.key));
    fs.writeFileSync(certFile, fs.readFileSync(next.cert));
    const want = certSerial(next.cert);
    const until = Date.now() + 10_000;
    while ((await servedSerial()) !== want) {
      if (Date.now() > until) throw new Error('rotated certificate not served');
      await new Promise((r) => setTimeout(r, 50));
    }
    const bad = admin.logs.filter((l) => /keeping the previous certificate/.test(l)).length;
    fs.writeFileSync(certFile, 'garbage');
    await new Promise<void>((resolve, reject) => {
      const stopAt = Date.now() + 10_000;
      const tick = setInterval(() => {
        if (admin.logs.filter((l) => /keeping the previous certificate/.test(l)).length > bad) {
          clearInterval(tick);
          resolve();
        } else if (Date.now() > stopAt) {
          clearInterval(tick);
          reject(new Error('bad pair not logged'));
        }
      }, 20);
    });
    expect(await servedSerial()).toBe(want);
    expect((await admin.api('GET', '/v1/revision')).status).toBe(200);
  });

  it('ADMIN_TLS_KEY without ADMIN_TLS_CERT is one line, exit 1', async () => {
    const r = await runToExit(ADMIN_ENTRY, { ADMIN_TLS_KEY: pki.server.key, ADMIN_PORT: '0', OAUTH2_DATA_DIR: dir.path });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('admin-api: invalid environment: ADMIN_TLS_CERT and ADMIN_TLS_KEY must be set together (only ADMIN_TLS_KEY is set)');
  });
});

describe('oauth2ctl against the https admin API', () => {
  const env = () => ({ OAUTH2_SERVER: admin.url, OAUTH2_ADMIN_TOKEN: admin.token });

  it('--ca FILE: commands work over https', async () => {
    const add = await runOauth2ctl(['--ca', pki.ca.cert, 'route', 'add', 'tls-r', '--upstream', 'http://127.0.0.1:9'], { env: env() });
    expect([add.code, add.stderr]).toEqual([0, '']);
    const ls = await runOauth2ctl(['--ca', pki.ca.cert, '-o', 'json', 'route', 'get', 'tls-r'], { env: env() });
    expect(ls.code).toBe(0);
    expect(JSON.parse(ls.stdout)).toMatchObject({ name: 'tls-r' });
  });

  it('OAUTH2_CA_FILE does the same', async () => {
    const r = await runOauth2ctl(['status'], { env: { ...env(), OAUTH2_CA_FILE: pki.ca.cert } });
    expect([r.code, r.stderr]).toEqual([0, '']);
  });

  it('without the CA: one clear line, exit 5', async () => {
    const r = await runOauth2ctl(['route', 'list'], { env: env() });
    expect(r.code).toBe(5);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.stderr).toMatch(/^oauth2ctl: TLS certificate of the admin API at https:\/\/127\.0\.0\.1:\d+ is not trusted \([A-Z_]+\): pass --ca FILE or set OAUTH2_CA_FILE to trust its CA\n$/);
  });

  it('a CA that did not issue the certificate: one line naming the file, exit 5', async () => {
    const other = makeTestPki(`${dir.path}/other`);
    const r = await runOauth2ctl(['--ca', other.ca.cert, 'route', 'list'], { env: env() });
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(
      new RegExp(`^oauth2ctl: TLS certificate of the admin API at \\S+ is not trusted \\([A-Z_]+\\): the CA file ${other.ca.cert.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} does not vouch for it\\n$`),
    );
  });

  it('a certificate that does not name the host: one line, exit 5', async () => {
    const other = pki.issue('other-host', { cn: 'other.example', serverNames: true, san: 'DNS:other.example' });
    const server = createHttpsServer({ cert: fs.readFileSync(other.cert), key: fs.readFileSync(other.key) }, (_q, res) => res.end('{}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const r = await runOauth2ctl(['--ca', pki.ca.cert, 'route', 'list'], { env: { OAUTH2_SERVER: `https://127.0.0.1:${port}`, OAUTH2_ADMIN_TOKEN: admin.token } });
      expect(r.code).toBe(5);
      expect(r.stderr).toBe(`oauth2ctl: TLS certificate of the admin API at https://127.0.0.1:${port} does not name host 127.0.0.1 (ERR_TLS_CERT_ALTNAME_INVALID)\n`);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('a client certificate served as a server one: one line, exit 5', async () => {
    const server = createHttpsServer({ cert: fs.readFileSync(pki.clientB.cert), key: fs.readFileSync(pki.clientB.key) }, (_q, res) => res.end('{}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const r = await runOauth2ctl(['--ca', pki.ca.cert, 'route', 'list'], { env: { OAUTH2_SERVER: `https://127.0.0.1:${port}`, OAUTH2_ADMIN_TOKEN: admin.token } });
      expect(r.code).toBe(5);
      expect(r.stderr).toBe(`oauth2ctl: TLS certificate of the admin API at https://127.0.0.1:${port} is not a server certificate (INVALID_PURPOSE)\n`);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('an unreadable --ca file is a usage error (exit 2)', async () => {
    const r = await runOauth2ctl(['--ca', `${dir.path}/missing.pem`, 'route', 'list'], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^oauth2ctl: cannot read the CA file .*missing\.pem \(ENOENT\)\n$/);
  });

  it('https:// to a plain-HTTP server: one line, exit 5', async () => {
    const plain = await spawnAdmin();
    try {
      const r = await runOauth2ctl(['--ca', pki.ca.cert, 'route', 'list'], { env: { OAUTH2_SERVER: plain.url.replace('http:', 'https:'), OAUTH2_ADMIN_TOKEN: plain.token } });
      expect(r.code).toBe(5);
      expect(r.stderr).toMatch(/^oauth2ctl: TLS handshake with the admin API at \S+ failed \(\w+\); is it serving plain http:\/\/\?\n$/);
    } finally {
      await plain.stop();
    }
  }, 30_000);
});
