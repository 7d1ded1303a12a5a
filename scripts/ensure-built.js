#!/usr/bin/env node
// Builds dist/ when it is missing or older than any source file, so `npm start` works on a fresh clone.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { execSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const stamp = path.join(root, 'dist', '.tsbuildinfo');
const entries = ['apps/gateway/src/main.js', 'apps/admin-api/src/main.js', 'apps/cli/src/main.js'].map((p) => path.join(root, 'dist', p));

function newestSource(dir) {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

const built = fs.existsSync(stamp) && entries.every((p) => fs.existsSync(p));
const stale = !built || ['apps', 'libs'].some((d) => newestSource(path.join(root, d)) > fs.statSync(stamp).mtimeMs);
if (stale) {
  process.stderr.write('building (tsc) ...\n');
  execSync('npm run build --silent', { cwd: root, stdio: 'inherit' });
}
