#!/usr/bin/env node
// `npm start`: runs the admin API and the gateway together on one data dir (default ./data), prints
// where they listen (as URLs a person can open) and where the admin token is, forwards
// SIGINT/SIGTERM to both, and exits when either one exits (taking the other down with it, and
// saying so in the log), with that one's exit code.
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

const NAMES = { admin: 'admin API', gateway: 'gateway' };

/**
 * A logged listen URL as one a person can open, and what it listens on: a wildcard bind
 * (`0.0.0.0`, `::`) is reachable on loopback, so the URL says 127.0.0.1 (or [::1]).
 */
function openable(logged) {
  const u = new URL(logged);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const wildcard = host === '0.0.0.0' || host === '::';
  const open = wildcard ? `${u.protocol}//${host === '::' ? '[::1]' : '127.0.0.1'}:${u.port}` : `${u.protocol}//${u.host}`;
  const where = wildcard ? `all interfaces (${host === '::' ? '[::]' : host}:${u.port}): reachable from other machines` : `${u.host} only`;
  return { open, where };
}

/** One JSON log line of this launcher, in the apps' format, so the reason for a stop is in the log. */
function logLine(level, msg, extra = {}) {
  process.stderr.write(`${JSON.stringify({ level, time: new Date().toISOString(), app: 'npm-start', msg, ...extra })}\n`);
}

function summary() {
  if (!urls.admin || !urls.gateway) return;
  const token = process.env.OAUTH2_ADMIN_TOKEN ? 'from OAUTH2_ADMIN_TOKEN' : path.join(dataDir, 'admin.token');
  const gw = openable(urls.gateway.url);
  const st = openable(urls.gateway.status_url);
  const ad = openable(urls.admin.url);
  const col = Math.max(gw.open.length, st.open.length, ad.open.length + '/console/'.length);
  const row = (name, url, what) => `  ${name.padEnd(12)}${url.padEnd(col + 3)}${what}`;
  process.stderr.write(
    [
      '',
      row('gateway', gw.open, `proxy and token endpoint; listens on ${gw.where}`),
      row('status', st.open, `/healthz /readyz /revision /metrics; listens on ${st.where}`),
      row('admin API', ad.open, `REST API (needs the admin token); listens on ${ad.where}`),
      row('console', `${ad.open}/console/`, 'web console (sign in with the admin token)'),
      row('API docs', `${ad.open}/docs`, `OpenAPI; as JSON: ${ad.open}/docs/openapi.json`),
      row('admin token', token, ''),
      row('data dir', dataDir, ''),
      '',
      '  next: bin/oauth2ctl status   (then see the Quickstart in README.md)',
      '',
      '',
    ]
      .map((l) => l.trimEnd())
      .join('\n'),
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
      // One app ended on its own (crashed, or was stopped by someone else): the pair goes down together.
      exiting = true;
      process.exitCode = code ?? 1;
      const other = name === 'admin' ? 'gateway' : 'admin';
      const how = code !== null ? `with code ${code}` : `on ${signal}`;
      logLine(code === 0 ? 30 : 50, `${NAMES[name]} exited ${how}; stopping the ${NAMES[other]} too (npm start runs them as a pair)`, { exited: NAMES[name], code, signal });
      stopAll('SIGTERM');
    }
    if (Object.values(children).every((c) => c.exitCode !== null || c.signalCode !== null)) process.exit(process.exitCode);
  });
}

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    if (!exiting) logLine(30, `npm start received ${sig}; stopping the admin API and the gateway`, { signal: sig });
    exiting = true;
    process.exitCode = 0;
    stopAll(sig);
  });
}
