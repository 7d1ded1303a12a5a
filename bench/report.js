// @ts-check
'use strict';
// Turns measured rows into the printed table and the JSON document, with each goal shown as
// pass/miss beside the figure it judges.

const fmt = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : '-');
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : NaN);
const verdict = (ok) => (ok === undefined ? '' : ok ? 'pass' : 'MISS');

/** Adds ratios and goal verdicts to scenario rows (mutates and returns them). */
function judgeScenarios(rows, scenarios) {
  const by = Object.fromEntries(rows.map((r) => [r.id, r]));
  const direct = by.direct && !by.direct.error ? by.direct : null;
  const peer = by.peer && !by.peer.error ? by.peer : null;
  const bare = by.bare && !by.bare.error ? by.bare : null;
  const hap = by.haproxy && !by.haproxy.error ? by.haproxy : null;
  for (const row of rows) {
    if (row.error) continue;
    row.x_direct = direct ? ratio(row.rps, direct.rps) : NaN;
    row.x_peer = peer ? ratio(row.rps, peer.rps) : NaN;
    // OURS vs the one-process ceiling (BARE): how much of what one Node process can proxy we keep.
    row.x_bare = bare ? ratio(row.rps, bare.rps) : NaN;
    // vs HAProxy on one thread checking the same token (bench/haproxy.js): the reference proxy.
    row.x_haproxy = hap ? ratio(row.rps, hap.rps) : NaN;
    const goal = (scenarios.find((s) => s.id === row.id) || {}).goal;
    if (!goal) continue;
    const checks = [];
    if (goal.ratio !== undefined && direct) checks.push({ what: `>= ${goal.ratio}x direct`, ok: row.x_direct >= goal.ratio });
    if (goal.p99x !== undefined && direct) {
      const x = ratio(row.p99, Math.max(direct.p99, 1));
      checks.push({ what: `p99 <= ${goal.p99x}x direct (${fmt(x, 1)}x)`, ok: x <= goal.p99x });
    }
    if (goal.vsSmall !== undefined && by.auth1 && !by.auth1.error) {
      row.x_small = ratio(row.rps, by.auth1.rps);
      checks.push({ what: `>= ${goal.vsSmall}x small config (${fmt(row.x_small, 2)}x)`, ok: row.x_small >= goal.vsSmall });
    }
    row.goals = checks;
  }
  return rows;
}

function pad(s, n, right) {
  s = String(s);
  return right ? s.padStart(n) : s.padEnd(n);
}

function scenarioTable(rows, generator = 'autocannon') {
  const head = [`scenario (load: ${generator})`, 'req/s', 'p50 ms', 'p99 ms', 'unexpected', 'x direct', 'x peer', 'x bare', 'x hap', 'cpu us/req', 'gen us', 'goals'];
  const widths = [34, 9, 7, 7, 11, 9, 7, 7, 7, 10, 7, 0];
  const R = 11; // columns 1..10 are numbers, right-aligned
  const dp = generator === 'wrk' ? 2 : 1; // wrk reports µs, autocannon whole ms
  const lines = [head.map((h, i) => pad(h, widths[i], i > 0 && i < R)).join(' ')];
  for (const r of rows) {
    if (r.error) {
      lines.push(`${pad(r.label, widths[0])} error: ${r.error}`);
      continue;
    }
    const goals = (r.goals || []).map((g) => `${verdict(g.ok)} ${g.what}`).join('; ');
    const cpu = `${fmt(r.cpu_us_per_req)}${Number.isFinite(r.upstream_cpu_us_per_req) ? `+${fmt(r.upstream_cpu_us_per_req)}` : ''}`;
    const cells = [
      r.label,
      fmt(r.rps),
      fmt(r.p50, dp),
      fmt(r.p99, dp),
      `${r.unexpected}${r.errors ? ` +${r.errors}err` : ''}`,
      fmt(r.x_direct, 2),
      fmt(r.x_peer, 2),
      fmt(r.x_bare, 2),
      fmt(r.x_haproxy, 2),
      cpu,
      fmt(r.loadgen_cpu_us_per_req),
      goals,
    ];
    lines.push(cells.map((c, i) => pad(c, widths[i], i > 0 && i < R)).join(' '));
  }
  lines.push('cpu us/req: CPU time per request of the target process(es) + of the upstream behind it (/proc; steadier than req/s on a busy machine).');
  lines.push(`gen us: CPU per request of the load generator (${generator}, one process); near 1e6/(req/s) it, not the target, is the limit.`);
  lines.push('x hap: req/s relative to HAPROXY (HAProxy 2.6, one thread, jwt_verify on the same token, same upstream). h2 rows (h2load) print no percentiles.');
  lines.push("x bare: req/s relative to BARE (node:http + undici + HMAC only): the share of one Node process's proxy ceiling kept with every token check on.");
  return lines.join('\n');
}

function propagationText(p) {
  if (!p) return '';
  if (p.error) return `config propagation: error: ${p.error}`;
  const lines = [`config propagation (${p.writes} admin writes; ms from the write's HTTP response; goal p99 <= 250 ms):`];
  for (const [k, s] of Object.entries(p.series)) {
    if (s.error) {
      lines.push(`  ${pad(k, 34)} error: ${s.error}`);
      continue;
    }
    const ok = k.startsWith('revision') || k.startsWith('enforced') ? ` ${verdict(s.p99 <= 250)}` : '';
    lines.push(
      `  ${pad(k, 34)} p50 ${pad(fmt(s.p50, 1), 6, true)}  p99 ${pad(fmt(s.p99, 1), 6, true)}  max ${pad(fmt(s.max, 1), 6, true)}  n=${s.n}${s.timeouts ? ` timeouts=${s.timeouts}` : ''}${ok}`,
    );
  }
  return lines.join('\n');
}

/** "pass"/"MISS" against a goal, nothing when the size has no goal for it. */
const against = (x, goal, label) => (goal == null || !Number.isFinite(x) ? '' : ` ${verdict(x <= goal)} (goal <= ${label})`);

function bigText(b) {
  if (!b) return '';
  if (b.error && !b.steps) return `big config: error: ${b.error}`;
  const g = b.goals || { load_ms: 1000, rss: 300e6, delta_p99_ms: 100 };
  // Decimal MB (10^6 bytes), the stricter reading of the issue's "300 MB".
  const mb = (x) => (Number.isFinite(x) ? `${(x / 1e6).toFixed(0)} MB` : '-');
  const lines = [`big config (${b.consumers} consumers, ${b.routes} routes, ${b.rules} rules):`];
  for (const s of b.steps || []) lines.push(`  ${s}`);
  if (Number.isFinite(b.apply_ms) && g.apply_ms) lines.push(`  apply of the document:${against(b.apply_ms, g.apply_ms, `${g.apply_ms / 1000} s`)}`);
  if (b.rss_admin_after_apply) lines.push(`  admin API RSS after the apply: ${mb(b.rss_admin_after_apply.total)}`);
  if (Number.isFinite(b.load_ms)) lines.push(`  snapshot load (apply response -> gateway /revision): ${fmt(b.load_ms)} ms${against(b.load_ms, g.load_ms, `${g.load_ms} ms`)}`);
  if (b.stall) lines.push(`  longest request through the gateway during apply + reload: ${fmt(b.stall.max_ms)} ms (${b.stall.n} requests, one at a time, ${b.stall.failed} not 200)`);
  if (b.rss_small) lines.push(`  gateway RSS small config: ${mb(b.rss_small.total)}`);
  if (b.rss_big) lines.push(`  gateway RSS big config:   ${mb(b.rss_big.total)}${against(b.rss_big.total, g.rss, mb(g.rss))}`);
  if (Number.isFinite(b.verify_after_load_ms))
    lines.push(`  background pass over the sealed secrets done ${fmt(b.verify_after_load_ms)} ms after the load (RSS then ${mb(b.rss_big_verified && b.rss_big_verified.total)})`);
  if (b.rss_big_after_load) lines.push(`  gateway RSS big config after the load rounds: ${mb(b.rss_big_after_load.total)}${against(b.rss_big_after_load.total, g.rss, mb(g.rss))}`);
  const oc = b.one_change;
  if (oc) {
    lines.push(
      `  cold start to ready of a second gateway on this store: ${fmt(oc.cold_start_ms)} ms (RSS ${mb(oc.rss_full_gateway && oc.rss_full_gateway.total)})${against(oc.cold_start_ms, g.cold_ms, `${g.cold_ms} ms`)}`,
    );
    if (Number.isFinite(oc.cold_load_ms))
      lines.push(`    of which its snapshot load (its log's ms): ${fmt(oc.cold_load_ms)} ms; WAL at its start: ${(oc.wal_bytes_at_cold_start / 1e6).toFixed(1)} MB`);
    for (const k of ['delta', 'full']) {
      const s = oc[k];
      if (s && s.n)
        lines.push(
          `  one-consumer write -> gateway /revision, ${k === 'delta' ? 'incremental reload' : 'full load forced'} (${s.n} writes): p50 ${fmt(s.p50)} / p95 ${fmt(s.p95)} / p99 ${fmt(s.p99)} / max ${fmt(s.max)} ms${k === 'delta' ? against(s.p99, g.delta_p99_ms, `${g.delta_p99_ms} ms p99`) : ''}`,
        );
    }
  }
  if (b.error) lines.push(`  error: ${b.error}`);
  return lines.join('\n');
}

/** One table over the big-config sizes measured (100k, and 1M with BENCH_BIG=1m). */
function bigTable(reports) {
  const rs = reports.filter((r) => r && r.steps);
  if (!rs.length) return '';
  const ms = (x) => (Number.isFinite(x) ? `${fmt(x)} ms` : '-');
  const mb = (x) => (x && Number.isFinite(x.total) ? `${(x.total / 1e6).toFixed(0)} MB` : '-');
  const pq = (s) => (s && s.n ? `${fmt(s.p50)} / ${fmt(s.p99)} ms (${s.n})` : '-');
  const rows = [
    ['apply through POST /v1/apply', (r) => ms(r.apply_ms)],
    ['gateway reload after the apply', (r) => ms(r.load_ms)],
    ['cold start to ready', (r) => ms(r.one_change && r.one_change.cold_start_ms)],
    ['  of which the snapshot load', (r) => ms(r.one_change && r.one_change.cold_load_ms)],
    ['gateway RSS (loaded)', (r) => mb(r.rss_big)],
    ['gateway RSS (every secret opened)', (r) => mb(r.rss_big_verified)],
    ['one-consumer write, delta: p50 / p99', (r) => pq(r.one_change && r.one_change.delta)],
    ['one-consumer write, full load forced: p50 / p99', (r) => pq(r.one_change && r.one_change.full)],
  ];
  const head = ['big config', ...rs.map((r) => `${r.consumers} consumers / ${r.routes_created ?? r.routes} routes / ${r.rules} rules`)];
  const body = rows.map(([label, f]) => [label, ...rs.map(f)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), ...body.map(line)].join('\n');
}

module.exports = { judgeScenarios, scenarioTable, propagationText, bigText, bigTable, fmt };
