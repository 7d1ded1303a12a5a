#!/usr/bin/env node
// `npm start`: runs the admin API and the gateway together on one data dir (default ./data), prints
// where they listen and where the admin token is, forwards SIGINT/SIGTERM to both, and exits when
// either one dies (taking the other down with it), with that one's exit code.
'use strict';
const path = require('node:path');
const { spawn } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const dataDir = path.resolve(process.env.OAUTH2_DATA_DIR || path.join(root, 'data'));
const env = { ...process.env, OAUTH2_DATA_DIR: dataDir };
const apps = {
  admin: 'dist/apps/admin-api/src/main.js',
  gateway: 'dist/apps/gateway/src/main.js',
};

const children = {};
const urls = {};
let exiting = false;

function summary() {
  if (!urls.admin || !urls.gateway) return;
  const token = process.env.OAUTH2_ADMIN_TOKEN ? 'from OAUTH2_ADMIN_TOKEN' : path.join(dataDir, 'admin.token');
  process.stderr.write(
    [
      '',
      `  gateway     ${urls.gateway.url}   (status ${urls.gateway.status_url})`,
      `  admin API   ${urls.admin.url}`,
      `  console     ${urls.admin.url}/console/   (sign in with the admin token)`,
      `  admin token ${token}`,
      `  data dir    ${dataDir}`,
      '',
      '',
    ].join('\n'),
  );
}

function pipeLines(name, stream, out) {
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    buf += chunk;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      out.write(line + '\n');
      if (!urls[name] && line.includes('"listening"')) {
        try {
          const j = JSON.parse(line);
          if (j.msg === 'listening') {
            urls[name] = j;
            summary();
          }
        } catch {
          /* not a JSON line */
        }
      }
    }
  });
}

function stopAll(signal) {
  for (const c of Object.values(children)) if (c.exitCode === null && c.signalCode === null) c.kill(signal);
}

for (const [name, entry] of Object.entries(apps)) {
  const child = spawn(process.execPath, [path.join(root, entry)], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children[name] = child;
  pipeLines(name, child.stdout, process.stdout);
  pipeLines(name, child.stderr, process.stderr);
  child.on('exit', (code, signal) => {
    if (!exiting) {
      exiting = true;
      process.exitCode = code ?? 1;
      if (code !== 0) process.stderr.write(`${name} exited (${code ?? signal}); stopping the other app\n`);
      stopAll('SIGTERM');
    }
    if (Object.values(children).every((c) => c.exitCode !== null || c.signalCode !== null)) process.exit(process.exitCode);
  });
}

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    exiting = true;
    process.exitCode = 0;
    stopAll(sig);
  });
}
