// @ts-check
'use strict';
// nginx targets for the external-authorization chain (docs/external-authz.md): the shipped
// deploy/authz/nginx.conf in front of the upstream with our authz listener deciding every request
// (auth_request), and the same nginx proxying alone, so the report shows what the check costs.
// Each runs as one nginx process (master_process off), like our 1-worker gateway. Skipped with a
// row error when nginx is not installed (apt-get install -y nginx-light).
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { spawn, spawnSync } = require('node:child_process');
const { trackChild, trackTempDir } = require('./procs');

const NGINX_BIN = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => fs.existsSync(p));
const SHIPPED_CONF = path.join(__dirname, '..', 'deploy', 'authz', 'nginx.conf');

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

const hostPort = (/** @type {string} */ url) => new URL(url).host;

/** nginx proxying to the upstream with nothing in between: the ceiling of the chain. */
function plainConf(/** @type {string} */ prefix, /** @type {number} */ port, /** @type {string} */ upstream) {
  return `pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${prefix}/client_body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  upstream app { server ${upstream}; keepalive 16; }
  server {
    listen 127.0.0.1:${port};
    location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
`;
}

/**
 * Starts one nginx: `kind` "chain" renders the shipped config (auth_request to `authzUrl`, tokens
 * to `gatewayUrl`), "plain" proxies alone. Resolves a bench target ({ url, name, child, cpuPids }).
 * @param {'chain' | 'plain'} kind
 * @param {{ upstreamUrl: string, gatewayUrl?: string, authzUrl?: string, authzPid?: number }} v
 */
async function startNginx(kind, v) {
  if (!NGINX_BIN) throw new Error('nginx is not installed (apt-get install -y nginx-light)');
  const prefix = trackTempDir(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-nginx-')));
  const port = await freePort();
  const body =
    kind === 'plain'
      ? plainConf(prefix, port, hostPort(v.upstreamUrl))
      : fs
          .readFileSync(SHIPPED_CONF, 'utf8')
          .replaceAll('@PREFIX@', prefix)
          .replaceAll('@LISTEN@', `127.0.0.1:${port}`)
          .replaceAll('@UPSTREAM@', hostPort(v.upstreamUrl))
          .replaceAll('@GATEWAY@', hostPort(/** @type {string} */ (v.gatewayUrl)))
          .replaceAll('@AUTHZ@', hostPort(/** @type {string} */ (v.authzUrl)));
  const file = path.join(prefix, 'nginx.conf');
  fs.writeFileSync(file, `daemon off;\nmaster_process off;\n${body}`);
  const check = spawnSync(NGINX_BIN, ['-t', '-q', '-p', prefix, '-c', file], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`nginx -t: ${check.stderr.trim().split('\n')[0]}`);
  const child = trackChild(spawn(NGINX_BIN, ['-p', prefix, '-c', file], { stdio: ['ignore', 'ignore', 'pipe'] }));
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-1000)));
  const deadline = Date.now() + 10000;
  while (!(await connects(port))) {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${stderr.trim()}`);
    if (Date.now() > deadline) throw new Error(`nginx not listening after 10 s: ${stderr.trim()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  // The chain's CPU per request is nginx's plus our authz decision's (the gateway process).
  const cpuPids = kind === 'chain' && v.authzPid ? [/** @type {number} */ (child.pid), v.authzPid] : [/** @type {number} */ (child.pid)];
  return { url: `http://127.0.0.1:${port}`, name: `nginx(${kind})`, child, cpuPids };
}

module.exports = { startNginx, NGINX_BIN };
