// @ts-check
'use strict';
// Prints the scenario table of a bench result (default bench/results/latest.json) as Markdown, for
// the README's Performance section: `node bench/markdown.js [result.json]`.
const path = require('node:path');

const file = path.resolve(process.argv[2] || path.join(__dirname, 'results/latest.json'));
const r = require(file);
const num = (v, d = 0) => (v === null || v === undefined ? '' : v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }));
const cpu = (s) => (s.upstream_cpu_us_per_req ? `${num(s.cpu_us_per_req)} + ${num(s.upstream_cpu_us_per_req)}` : num(s.cpu_us_per_req));

const lines = ['| scenario | req/s | p50 ms | p99 ms | × direct | × peer | × bare | CPU µs/req (target + upstream) |', '|---|---:|---:|---:|---:|---:|---:|---:|'];
for (const s of r.scenarios) {
  if (s.rps === undefined) {
    lines.push(`| ${s.label} | ${s.error || 'not run'} | | | | | | |`);
    continue;
  }
  lines.push(`| ${s.label} | ${num(s.rps)} | ${num(s.p50, 2)} | ${num(s.p99, 2)} | ${num(s.x_direct, 2)} | ${num(s.x_peer, 2)} | ${num(s.x_bare, 2)} | ${cpu(s)} |`);
}
process.stdout.write(
  `${lines.join('\n')}\n\n_${r.settings.generator}, ${r.settings.connections} connections, ${r.settings.rounds} rounds × ${r.settings.duration_s} s, medians; commit ${r.commit}, ${r.when.slice(0, 10)}._\n`,
);
