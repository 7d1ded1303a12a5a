// @ts-check
'use strict';
// HAProxy (Debian's package) as the reference proxy: one thread, checking the same HS256 token with
// its jwt_verify converter (signature, alg pinned, exp, client_id) before proxying to the same
// upstream — plain (`haproxy`), and terminating TLS with the same certificate our TLS gateway
// serves (`haproxyTls`, ALPN h2 and http/1.1). A row error when haproxy is not installed
// (apt-get install -y haproxy).
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { spawn, spawnSync } = require('node:child_process');
const { trackChild, trackTempDir } = require('./procs');

const HAPROXY_BIN = ['/usr/sbin/haproxy', '/usr/bin/haproxy'].find((p) => fs.existsSync(p));

/** @returns {Promise<number>} */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = /** @type {net.AddressInfo} */ (s.address());
      s.close(() => resolve(addr.port));
    });
  });
}

/** @param {number} port */
function connects(port) {
  return new Promise((resolve) => {
    const c = net.connect({ host: '127.0.0.1', port });
    c.once('connect', () => (c.destroy(), resolve(true)));
    c.once('error', () => resolve(false));
  });
}

/**
 * The configuration: every request needs `Authorization: Bearer <HS256 JWT>` signed with `secret`,
 * unexpired, for `clientId`; anything else is 401.
 * @param {{ port: number, upstream: string, secret: string, clientId: string, tlsPem?: string }} o
 */
function config(o) {
  const bind = o.tlsPem ? `bind 127.0.0.1:${o.port} ssl crt ${o.tlsPem} alpn h2,http/1.1 ssl-min-ver TLSv1.2` : `bind 127.0.0.1:${o.port}`;
  if (/["\\\s]/.test(o.secret) || /["\\\s]/.test(o.clientId)) throw new Error('secret and client_id must not need quoting');
  return `global
  nbthread 1
  maxconn 4000
defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s
  option http-keep-alive
frontend fe
  ${bind}
  http-request set-var(txn.bearer) http_auth_bearer
  http-request set-var(txn.alg) var(txn.bearer),jwt_header_query('$.alg')
  http-request set-var(txn.now) date
  http-request set-var(txn.exp) var(txn.bearer),jwt_payload_query('$.exp','int')
  http-request set-var(txn.client) var(txn.bearer),jwt_payload_query('$.client_id')
  http-request deny deny_status 401 unless { var(txn.alg) -m str HS256 }
  http-request deny deny_status 401 unless { var(txn.bearer),jwt_verify(txn.alg,"${o.secret}") -m int 1 }
  http-request deny deny_status 401 unless { var(txn.exp),sub(txn.now) -m int gt 0 }
  http-request deny deny_status 403 unless { var(txn.client) -m str ${o.clientId} }
  default_backend app
backend app
  http-reuse always
  server up ${o.upstream}
`;
}

/**
 * Starts one haproxy process in the foreground; resolves a bench target ({ url, name, child }).
 * @param {{ upstreamUrl: string, secret: string, clientId: string, tls?: { cert: string, key: string } }} v
 */
async function startHaproxy(v) {
  if (!HAPROXY_BIN) throw new Error('haproxy is not installed (apt-get install -y haproxy)');
  const dir = trackTempDir(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-haproxy-')));
  const port = await freePort();
  let tlsPem;
  if (v.tls) {
    // HAProxy reads the certificate and its key from one PEM file.
    tlsPem = path.join(dir, 'server.pem');
    fs.writeFileSync(tlsPem, fs.readFileSync(v.tls.cert, 'utf8') + fs.readFileSync(v.tls.key, 'utf8'), { mode: 0o600 });
  }
  const file = path.join(dir, 'haproxy.cfg');
  fs.writeFileSync(file, config({ port, upstream: new URL(v.upstreamUrl).host, secret: v.secret, clientId: v.clientId, tlsPem }));
  const check = spawnSync(HAPROXY_BIN, ['-c', '-q', '-f', file], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`haproxy -c: ${(check.stderr || check.stdout).trim().split('\n')[0]}`);
  const child = trackChild(spawn(HAPROXY_BIN, ['-db', '-f', file], { stdio: ['ignore', 'ignore', 'pipe'] }));
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-1000)));
  const deadline = Date.now() + 10000;
  while (!(await connects(port))) {
    if (child.exitCode !== null) throw new Error(`haproxy exited: ${stderr.trim()}`);
    if (Date.now() > deadline) throw new Error(`haproxy not listening after 10 s: ${stderr.trim()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return { url: `${v.tls ? 'https' : 'http'}://127.0.0.1:${port}`, name: v.tls ? 'haproxy(tls,1t)' : 'haproxy(1t)', child };
}

module.exports = { startHaproxy, HAPROXY_BIN };
