// A real nginx (Debian's package) for the external-authorization tests, started from the config
// the repo ships (deploy/authz/nginx.conf) with its placeholders filled in, on a free loopback port.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { REPO_ROOT } from './processes';
import { makeTempDir } from './temp-dir';

export const NGINX_BIN = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => fs.existsSync(p));

export interface NginxProcess {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect({ host: '127.0.0.1', port });
    c.once('connect', () => (c.destroy(), resolve(true)));
    c.once('error', () => resolve(false));
  });
}

/** Renders deploy/authz/nginx.conf (placeholders: host:port values) and runs nginx in the foreground. */
export async function startNginx(values: { upstream: string; gateway: string; authz: string }): Promise<NginxProcess> {
  if (NGINX_BIN === undefined) throw new Error('nginx is not installed: apt-get install -y nginx-light (.ci/run installs it when missing)');
  const dir = makeTempDir('oauth2-nginx-');
  const port = await freePort();
  const conf = fs
    .readFileSync(path.join(REPO_ROOT, 'deploy/authz/nginx.conf'), 'utf8')
    .replaceAll('@PREFIX@', dir.path)
    .replaceAll('@LISTEN@', `127.0.0.1:${port}`)
    .replaceAll('@UPSTREAM@', values.upstream)
    .replaceAll('@GATEWAY@', values.gateway)
    .replaceAll('@AUTHZ@', values.authz);
  const file = path.join(dir.path, 'nginx.conf');
  // One process, no user switch: the test runs as whoever runs the suite (root in CI).
  fs.writeFileSync(file, `daemon off;\nmaster_process off;\n${conf}`);
  const check = spawnSync(NGINX_BIN, ['-t', '-q', '-p', dir.path, '-c', file], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`nginx -t failed: ${check.stderr.trim()}`);
  const child: ChildProcess = spawn(NGINX_BIN, ['-p', dir.path, '-c', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const deadline = Date.now() + 10_000;
  while (!(await connects(port))) {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${stderr.trim()}`);
    if (Date.now() > deadline) throw new Error(`nginx not listening on ${port} after 10 s: ${stderr.trim()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGQUIT');
        await new Promise((r) => child.once('exit', r));
      }
      dir.cleanup();
    },
  };
}
