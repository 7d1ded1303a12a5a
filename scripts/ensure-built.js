#!/usr/bin/env node
// Builds dist/ when it is missing or older than any source file, so `npm start` works on a fresh clone.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { execSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const stamp = path.join(root, 'dist', '.tsbuildinfo');
const entries = ['apps/gateway/src/main.js', 'apps/admin-api/src/main.js', 'apps/cli/src/main.js'].map((p) => path.join(root, 'dist', p));
// The web console (apps/console, built by esbuild into dist/console) is judged by its own output.
const consoleDir = path.join(root, 'apps', 'console');
const consoleIndex = path.join(root, 'dist', 'console', 'index.html');

function newestSource(dir, skip = null, ext = /\.ts$/) {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (p === skip) continue;
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p, skip, ext));
    else if (ext.test(e.name)) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

const built = fs.existsSync(stamp) && entries.every((p) => fs.existsSync(p)) && fs.existsSync(consoleIndex);
const stale =
  !built ||
  ['apps', 'libs'].some((d) => newestSource(path.join(root, d), consoleDir) > fs.statSync(stamp).mtimeMs) ||
  newestSource(consoleDir, null, /\.(ts|tsx|css|mjs)$/) > fs.statSync(consoleIndex).mtimeMs;
if (stale) {
  process.stderr.write('building (tsc) ...\n');
  execSync('npm run build --silent', { cwd: root, stdio: 'inherit' });
}
