import * as fs from 'node:fs';
import { connect as h2connect, type ClientHttp2Session } from 'node:http2';
import { Agent, request as httpsRequest } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import { certSerial, makeTempDir, makeTestPki, runToExit, GATEWAY_ENTRY, startGatewayStack, type GatewayStack, type TempDir, type TestPki } from '@oauth2/testing';

// End-to-end over real TLS (docs/tls.md): the gateway's proxy listener with GATEWAY_TLS_CERT/KEY,
// HTTP/1.1 and HTTP/2 through the same decision, certificate rotation by rewriting the files.
const ID = 'tls-client';
const SECRET = 'tls-client-secret-0123456789abcdef';

let dir: TempDir;
let pki: TestPki;
let s: GatewayStack;
let certFile: string;
let keyFile: string;
let ca: Buffer;

interface Res {
  status: number;
  headers: Record<string, unknown>;
  text: string;
  json: any;
}

function h1(path: string, opts: { method?: string; headers?: Record<string, string>; body?: string; agent?: Agent } = {}): Promise<Res> {
  const u = new URL(s.gateway.url);
  return new Promise((resolve, reject) => {
    const r = httpsRequest({ host: u.hostname, port: u.port, path, method: opts.method ?? 'GET', headers: opts.headers, ca, agent: opts.agent ?? false, servername: 'localhost' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    r.on('error', reject);
    r.end(opts.body);
  });
}

function h2(session: ClientHttp2Session, path: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Res> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':method': opts.method ?? 'GET', ':path': path, ...opts.headers }, { endStream: opts.body === undefined });
    let status = 0;
    let headers: Record<string, unknown> = {};
    stream.on('response', (h) => {
      status = Number(h[':status']);
      headers = h;
    });
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      resolve({ status, headers, text, json });
    });
    stream.on('error', reject);
    if (opts.body !== undefined) stream.end(opts.body);
  });
}

/** The serial number of the certificate a fresh TLS connection is shown. */
function servedSerial(): Promise<string> {
  const u = new URL(s.gateway.url);
  return new Promise((resolve, reject) => {
    const sock = tlsConnect({ host: u.hostname, port: Number(u.port), ca, servername: 'localhost' }, () => {
      const serial = sock.getPeerCertificate().serialNumber;
      sock.destroy();
      resolve(serial);
    });
    sock.on('error', reject);
  });
}

async function waitForSerial(serial: string, withinMs = 10_000): Promise<void> {
  const until = Date.now() + withinMs;
  for (;;) {
    if ((await servedSerial()) === serial) return;
    if (Date.now() > until) throw new Error(`certificate ${serial} not served within ${withinMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Resolves on the next log line matching `pattern` written after this call. */
function nextLog(pattern: RegExp, timeoutMs = 10_000): Promise<void> {
  const count = () => s.gateway.logs.filter((l) => pattern.test(l)).length;
  const seen = count();
  return new Promise((resolve, reject) => {
    const until = Date.now() + timeoutMs;
    const tick = setInterval(() => {
      if (count() > seen) {
        clearInterval(tick);
        resolve();
      } else if (Date.now() > until) {
        clearInterval(tick);
        reject(new Error(`no new log line matching ${pattern} within ${timeoutMs} ms`));
      }
    }, 20);
  });
}

const tokenQuery = `/oauth2/token?${new URLSearchParams({ grant_type: 'client_credentials', client_id: ID, client_secret: SECRET })}`;

beforeAll(async () => {
  dir = makeTempDir('tls-');
  pki = makeTestPki(dir.path);
  ca = fs.readFileSync(pki.ca.cert);
  // The served files are copies, rewritten in place by the rotation tests.
  certFile = `${dir.path}/live.pem`;
  keyFile = `${dir.path}/live.key`;
  fs.copyFileSync(pki.server.cert, certFile);
  fs.copyFileSync(pki.server.key, keyFile);
  s = await startGatewayStack({ gatewayEnv: { GATEWAY_TLS_CERT: certFile, GATEWAY_TLS_KEY: keyFile, GATEWAY_ACCESS_LOG: 'true' } });
  await s.call('POST', '/v1/consumers', { name: 'tc', client_id: ID, client_secret: SECRET });
  await s.call('POST', '/v1/routes', { name: 'r1', upstream: s.echo.url });
  await s.sync();
}, 60_000);
afterAll(async () => {
  await s?.stop();
  dir?.cleanup();
}, 30_000);

describe('gateway TLS listener', () => {
  it('logs an https url and serves the configured certificate', async () => {
    expect(s.gateway.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(await servedSerial()).toBe(certSerial(pki.server.cert));
  });

  it('HTTP/1.1 over TLS: token request and proxied call; the upstream sees X-Forwarded-Proto: https', async () => {
    const t = await h1(tokenQuery);
    expect(t.status).toBe(200);
    const r = await h1('/anything', { headers: { authorization: `Bearer ${t.json.access_token}` } });
    expect(r.status).toBe(200);
    expect(r.json.headers['x-mse-consumer']).toBe('tc');
    expect(r.json.headers['x-forwarded-proto']).toBe('https');
    expect((await h1('/anything')).status).toBe(401);
  });

  it('HTTP/2 (ALPN h2): POST token request with a form body, then a proxied call with a body', async () => {
    const session = h2connect(s.gateway.url, { ca, servername: 'localhost' });
    try {
      await new Promise<void>((resolve, reject) => session.once('connect', () => resolve()).once('error', reject));
      expect(session.alpnProtocol).toBe('h2');
      const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: ID, client_secret: SECRET }).toString();
      const t = await h2(session, '/oauth2/token', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
      expect(t.status).toBe(200);
      const r = await h2(session, '/anything?x=1', { method: 'POST', headers: { authorization: `Bearer ${t.json.access_token}`, 'content-type': 'text/plain' }, body: 'hello over h2' });
      expect(r.status).toBe(200);
      expect(r.json.url).toBe('/anything?x=1');
      expect(r.json.bodyLength).toBe('hello over h2'.length);
      expect(r.json.headers.host).toBeDefined();
      expect(r.json.headers['x-forwarded-host']).toMatch(/^(localhost|127\.0\.0\.1):\d+$/);
      expect(r.json.headers['x-forwarded-proto']).toBe('https');
      // No pseudo-header reaches the HTTP/1.1 upstream.
      expect((r.json.rawHeaders as string[]).filter((n, i) => i % 2 === 0 && n.startsWith(':'))).toEqual([]);
      // The same decision: no token, 401 with the same body as HTTP/1.1.
      const no = await h2(session, '/anything');
      expect(no.status).toBe(401);
      expect(no.json).toEqual((await h1('/anything')).json);
    } finally {
      session.close();
    }
  });

  it('refuses TLS 1.1', async () => {
    const u = new URL(s.gateway.url);
    const err = await new Promise<Error | null>((resolve) => {
      const sock = tlsConnect({ host: u.hostname, port: Number(u.port), ca, servername: 'localhost', minVersion: 'TLSv1', maxVersion: 'TLSv1.1' }, () => {
        sock.destroy();
        resolve(null);
      });
      sock.on('error', (e) => resolve(e));
    });
    expect(err).not.toBeNull();
  });

  it('rotation: a rewritten certificate is served to new connections, requests keep succeeding meanwhile', async () => {
    const next = pki.issue('server-2', { cn: 'localhost', serverNames: true });
    const agent = new Agent({ keepAlive: true, maxSockets: 2 });
    let stop = false;
    const statuses: number[] = [];
    const load = (async () => {
      while (!stop) statuses.push((await h1('/oauth2/token?grant_type=client_credentials', { agent })).status);
    })();
    try {
      // Key first, then certificate: in between the pair does not match and the old one stays.
      fs.writeFileSync(keyFile, fs.readFileSync(next.key));
      fs.writeFileSync(certFile, fs.readFileSync(next.cert));
      await waitForSerial(certSerial(next.cert));
    } finally {
      stop = true;
      await load;
      agent.destroy();
    }
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.every((c) => c === 400)).toBe(true); // every request answered (params missing), none dropped
    expect((await h1(tokenQuery)).status).toBe(200);
  });

  it('a bad new pair is logged and the previous certificate stays', async () => {
    const before = await servedSerial();
    const other = pki.issue('server-3', { cn: 'localhost', serverNames: true });
    const logged = nextLog(/cannot be used, keeping the previous certificate/);
    fs.writeFileSync(certFile, fs.readFileSync(other.cert)); // new certificate, old key: mismatch
    await logged;
    expect(await servedSerial()).toBe(before);
    expect((await h1(tokenQuery)).status).toBe(200);
    const garbage = nextLog(/cannot be used, keeping the previous certificate/);
    fs.writeFileSync(certFile, 'not a certificate');
    await garbage;
    expect(await servedSerial()).toBe(before);
    // The log names the file, never the key's contents.
    expect(s.gateway.logs.join('\n')).not.toContain('PRIVATE KEY');
  });
});

describe('gateway TLS with GATEWAY_WORKERS=2', () => {
  it('every worker serves TLS (h1 and h2) with the same certificate', async () => {
    const c = await startGatewayStack({ gatewayEnv: { GATEWAY_TLS_CERT: pki.server.cert, GATEWAY_TLS_KEY: pki.server.key, GATEWAY_WORKERS: '2' } });
    try {
      await c.call('POST', '/v1/consumers', { name: 'tc', client_id: ID, client_secret: SECRET });
      await c.sync();
      expect(c.gateway.url).toMatch(/^https:/);
      const u = new URL(c.gateway.url);
      // Fresh connections are spread over the workers: several in a row all succeed over TLS.
      for (let i = 0; i < 6; i++) {
        const st = await new Promise<number>((resolve, reject) => {
          httpsRequest({ host: u.hostname, port: u.port, path: tokenQuery, ca, agent: false, servername: 'localhost' }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          })
            .on('error', reject)
            .end();
        });
        expect(st).toBe(200);
      }
      const session = h2connect(c.gateway.url, { ca, servername: 'localhost' });
      try {
        expect((await h2(session, tokenQuery)).status).toBe(200);
      } finally {
        session.close();
      }
    } finally {
      await c.stop();
    }
  }, 60_000);
});

describe('gateway TLS start-up errors', () => {
  it('a certificate without its key is one line, exit 1', async () => {
    const r = await runToExit(GATEWAY_ENTRY, { GATEWAY_TLS_CERT: pki.server.cert, GATEWAY_TLS_KEY: '', OAUTH2_DATA_DIR: dir.path, GATEWAY_PORT: '0', GATEWAY_STATUS_PORT: '0' });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('gateway: invalid environment: GATEWAY_TLS_CERT and GATEWAY_TLS_KEY must be set together (only GATEWAY_TLS_CERT is set)');
  });

  it('a key that does not match the certificate is one line, exit 1', async () => {
    const r = await runToExit(GATEWAY_ENTRY, { GATEWAY_TLS_CERT: pki.server.cert, GATEWAY_TLS_KEY: pki.clientA.key, OAUTH2_DATA_DIR: s.admin.dataDir, GATEWAY_PORT: '0', GATEWAY_STATUS_PORT: '0' });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^gateway: bad TLS certificate\/key pair .*key values mismatch/);
  });
});
