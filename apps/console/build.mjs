#!/usr/bin/env node
// Builds the web console (docs/console.md) into dist/console: one esbuild bundle (React + our TSX) and an
// index.html naming its hashed files, type-checked by tsc alongside. `--watch` rebuilds on change
// (reload the page; the admin API reads the files per request). `--no-check` skips tsc.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const out = path.join(root, 'dist', 'console');
const watch = process.argv.includes('--watch');
const check = !process.argv.includes('--no-check');

// Everything in the bundle must be ours (the console, @oauth2/core's pure code) or React: API types
// come from @oauth2/contracts as `import type`, so its decorators must never be bundled.
const ALLOWED = [/^apps\/console\/src\//, /^libs\/core\/src\//, /^node_modules\/(react|react-dom|scheduler)\//];

function typecheck() {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [tsc, '-p', path.join(here, 'tsconfig.json')], { stdio: 'inherit' });
    p.on('exit', (code) => resolve(code === 0));
  });
}

function html(js, css) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>oauth2-gateway console</title>
<link rel="icon" href="/console/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/console/${css}">
<script type="module" src="/console/${js}"></script>
</head>
<body>
<div id="root"></div>
<noscript>The oauth2-gateway console needs JavaScript. The same actions are in the oauth2ctl CLI and the /v1 REST API.</noscript>
</body>
</html>
`;
}

const FAVICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#1d4ed8"/><path d="M10 15v-3a6 6 0 0 1 12 0v3" fill="none" stroke="#fff" stroke-width="3"/><rect x="7" y="15" width="18" height="11" rx="2" fill="#fff"/></svg>\n`;

/** Writes index.html for the outputs of one build, after checking what went into the bundle. */
const writeIndex = {
  name: 'index-html',
  setup(build) {
    build.onEnd((result) => {
      if (result.errors.length || !result.metafile) return;
      const foreign = Object.keys(result.metafile.inputs).filter((f) => !ALLOWED.some((re) => re.test(f)));
      if (foreign.length) {
        result.errors.push({ text: `console bundle pulls in ${foreign.slice(0, 5).join(', ')}: import API types with \`import type\`` });
        return;
      }
      const outs = Object.keys(result.metafile.outputs).map((f) => path.relative(out, path.resolve(root, f)).split(path.sep).join('/'));
      const js = outs.find((f) => f.endsWith('.js'));
      const css = outs.find((f) => f.endsWith('.css'));
      writeFileSync(path.join(out, 'index.html'), html(js, css));
      writeFileSync(path.join(out, 'favicon.svg'), FAVICON);
      const id = createHash('sha256')
        .update(js + css)
        .digest('hex')
        .slice(0, 8);
      if (watch) process.stderr.write(`console: rebuilt (${id})\n`);
    });
  },
};

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const options = {
  absWorkingDir: root,
  entryPoints: ['apps/console/src/main.tsx'],
  outdir: path.join(out, 'assets'),
  entryNames: '[name]-[hash]',
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome109', 'firefox115', 'safari16'],
  jsx: 'automatic',
  tsconfig: path.join(here, 'tsconfig.json'),
  minify: !watch,
  sourcemap: watch ? 'linked' : false,
  define: { 'process.env.NODE_ENV': watch ? '"development"' : '"production"' },
  metafile: true,
  logLevel: 'warning',
  logLimit: 5,
  plugins: [writeIndex],
};

if (watch) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
  process.stderr.write(`console: watching apps/console/src, writing ${path.relative(root, out)}\n`);
} else {
  const [built, typed] = await Promise.all([
    esbuild.build(options).then(
      () => true,
      () => false,
    ),
    check ? typecheck() : true,
  ]);
  if (!built || !typed) {
    process.stderr.write('console: build failed\n');
    process.exit(1);
  }
}
