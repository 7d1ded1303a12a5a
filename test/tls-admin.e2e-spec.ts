import * as fs from 'node:fs';
import { connect as tlsConnect } from 'node:tls';
import { Agent, fetch as undiciFetch, setGlobalDispatcher, getGlobalDispatcher, type Dispatcher } from 'undici';
import { ADMIN_ENTRY, certSerial, makeTempDir, makeTestPki, runToExit, spawnAdmin, type AdminProcess, type TempDir, type TestPki } from '@oauth2/testing';

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
