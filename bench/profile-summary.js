#!/usr/bin/env node
// @ts-check
'use strict';
// Reads a V8 .cpuprofile (node --cpu-prof) and prints the top functions by self time, plus self
// time grouped by origin (our libs/apps, each npm package, node internals, GC, idle).
// Usage: node bench/profile-summary.js <file.cpuprofile> [topN=25] [--callers] [--skip-ms=N] [--until-ms=N] [--json]
// --skip-ms / --until-ms keep only samples in that window (e.g. leave start-up out).
const fs = require('node:fs');
const path = require('node:path');

function origin(url, name) {
  if (!url) return name.startsWith('(') ? name : '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0];
  const m = /\/dist[^/]*\/((?:libs|apps)\/[^/]+)\//.exec(url);
  if (m) return m[1];
  return path.basename(url);
}

const short = (cf) => `${cf.functionName || '(anonymous)'}${cf.url ? `@${cf.url.split('/').pop()}:${cf.lineNumber + 1}` : ''}`;

function summarize(profile, topN, { callerDepth = 4, skipMs = 0, untilMs = Infinity } = {}) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);
  const selfUs = new Map();
  const { samples, timeDeltas } = profile;
  let at = 0;
  for (let i = 0; i < samples.length; i++) {
    at += timeDeltas[i] || 0;
    // Start-up (module loading, JIT of cold code) is not the steady state the bench asks about.
    if (at < skipMs * 1000 || at > untilMs * 1000) continue;
    // timeDeltas[i] is the time before sample i; attribute the following delta to the sample.
    const dt = timeDeltas[i + 1] !== undefined ? timeDeltas[i + 1] : 0;
    selfUs.set(samples[i], (selfUs.get(samples[i]) || 0) + Math.max(dt, 0));
  }
  let total = 0;
  const fns = new Map();
  const origins = new Map();
  for (const [id, us] of selfUs) {
    const n = byId.get(id);
    const cf = n.callFrame;
    const name = cf.functionName || '(anonymous)';
    const where = cf.url ? `${cf.url.replace(/^file:\/\//, '').replace(process.cwd() + '/', '')}:${cf.lineNumber + 1}` : '';
    const key = `${name} ${where}`;
    const f = fns.get(key) || { name, where, us: 0, callers: new Map() };
    f.us += us;
    // Who calls it: the nearest few frames up the stack, so native self time (writev, GC...) can be
    // charged to the JS that caused it.
    const chain = [];
    let user = null;
    for (let p = parent.get(id); p !== undefined; p = parent.get(p)) {
      const pf = byId.get(p).callFrame;
      if (pf.functionName === '(root)') break;
      if (chain.length < callerDepth) chain.push(short(pf));
      else if (pf.url && !pf.url.startsWith('node:')) {
        // Beyond the nearest frames, name the first one outside node's internals: the code that asked.
        user = short(pf);
        break;
      }
    }
    if (user) chain.push(`... ${user}`);
    const ck = chain.join(' < ') || '(top)';
    f.callers.set(ck, (f.callers.get(ck) || 0) + us);
    fns.set(key, f);
    const o = origin(cf.url, name);
    origins.set(o, (origins.get(o) || 0) + us);
    total += us;
  }
  const busy = total - (origins.get('(idle)') || 0);
  const top = [...fns.values()]
    .filter((f) => f.name !== '(idle)')
    .sort((a, b) => b.us - a.us)
    .slice(0, topN)
    .map(({ callers, ...f }) => ({
      ...f,
      callers: [...callers.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 2)
        .map(([chain, us]) => ({ chain, ms: us / 1000 })),
    }));
  const groups = [...origins.entries()].sort((a, b) => b[1] - a[1]).map(([o, us]) => ({ origin: o, ms: us / 1000 }));
  return { total_ms: total / 1000, busy_ms: busy / 1000, top: top.map((f) => ({ ...f, ms: f.us / 1000 })), groups };
}

function main() {
  const args = process.argv.slice(2);
  const file = args.find((a) => !a.startsWith('--') && !/^\d+$/.test(a));
  const topN = Number(args.find((a) => /^\d+$/.test(a)) || 25);
  if (!file) {
    process.stderr.write('usage: node bench/profile-summary.js <file.cpuprofile> [topN] [--callers] [--skip-ms=N] [--until-ms=N] [--json]\n');
    process.exit(2);
  }
  const skip = args.find((a) => a.startsWith('--skip-ms='));
  const until = args.find((a) => a.startsWith('--until-ms='));
  const s = summarize(JSON.parse(fs.readFileSync(file, 'utf8')), topN, {
    skipMs: skip ? Number(skip.split('=')[1]) : 0,
    untilMs: until ? Number(until.split('=')[1]) : Infinity,
  });
  if (args.includes('--json')) {
    process.stdout.write(JSON.stringify(s, null, 2) + '\n');
    return;
  }
  process.stdout.write(`${path.basename(file)}: ${render(s, topN, args.includes('--callers'))}\n`);
}

/** The printed form: top functions by self time (optionally with their callers), then origins. */
function render(s, topN, callers) {
  const pct = (ms) => ((100 * ms) / s.busy_ms).toFixed(1).padStart(5);
  const out = [`${s.total_ms.toFixed(0)} ms sampled, ${s.busy_ms.toFixed(0)} ms not idle (percentages of the latter)`, ''];
  out.push(`top ${topN} by self time:`);
  for (const f of s.top) {
    out.push(`${f.ms.toFixed(1).padStart(9)} ms ${pct(f.ms)}%  ${f.name}  ${f.where}`);
    if (callers) for (const c of f.callers) out.push(`${' '.repeat(20)}${c.ms.toFixed(0).padStart(6)} ms  < ${c.chain}`);
  }
  out.push('', 'self time by origin:');
  for (const g of s.groups.slice(0, 20)) out.push(`${g.ms.toFixed(1).padStart(9)} ms ${g.origin === '(idle)' ? '   - ' : pct(g.ms)}%  ${g.origin}`);
  return out.join('\n');
}

if (require.main === module) main();
module.exports = { summarize, render };
