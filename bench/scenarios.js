// @ts-check
'use strict';
// The load scenarios and the interleaved round runner. Every scenario gets the same connections
// and duration; rounds go A B C ... A B C ... and each figure is the median over rounds, so one
// noisy moment on a shared machine cannot decide a result.
const path = require('node:path');
const { spawn } = require('node:child_process');
const { request } = require('./http');
const { oneLine, cpuTree } = require('./procs');

/**
 * id, label, target key it needs in ctx, request builder, expected status, and the pass/miss goal
 * (ratio = minimum req/s relative to DIRECT; p99x = maximum p99 relative to DIRECT's p99).
 */
function defineScenarios(ctx) {
  const { token, bad, consumer } = ctx;
  const bearer = { authorization: `Bearer ${token}` };
  const form = `grant_type=client_credentials&client_id=${encodeURIComponent(consumer.client_id)}&client_secret=${encodeURIComponent(consumer.client_secret)}`;
  const list = [
    { id: 'direct', label: 'DIRECT upstream (ceiling)', needs: 'upstream', req: (t) => ({ url: `${t.url}/auth/x` }) },
    { id: 'peer', label: 'PEER fastify+jwt+proxy', needs: 'peer', req: (t) => ({ url: `${t.url}/auth/x`, headers: bearer }) },
    { id: 'bare', label: 'BARE http+undici+HMAC (ceiling)', needs: 'bare', req: (t) => ({ url: `${t.url}/auth/x`, headers: bearer }) },
    { id: 'pass', label: 'OURS pass-through, 1w', needs: 'gw1', goal: { ratio: 0.35 }, req: (t) => ({ url: `${t.url}/pass/x` }) },
    {
      id: 'auth1',
      label: 'OURS auth+allow, 1w',
      needs: 'gw1',
      goal: { ratio: 0.33, p99x: 3 },
      req: (t) => ({ url: `${t.url}/auth/x`, headers: bearer }),
    },
    { id: 'auth2', label: 'OURS auth+allow, 2w', needs: 'gw2', goal: { ratio: 0.45 }, req: (t) => ({ url: `${t.url}/auth/x`, headers: bearer }) },
    { id: 'token_get', label: 'OURS token GET', needs: 'gw1', goal: { ratio: 0.6 }, req: (t) => ({ url: `${t.url}/oauth2/token?${form}` }) },
    {
      id: 'token_post',
      label: 'OURS token POST form',
      needs: 'gw1',
      req: (t) => ({
        url: `${t.url}/oauth2/token`,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form,
      }),
    },
    {
      id: 'reject',
      label: 'OURS bad signature -> 401',
      needs: 'gw1',
      expectStatus: 401,
      goal: { ratio: 0.8 },
      req: (t) => ({ url: `${t.url}/auth/x`, headers: { authorization: `Bearer ${bad}` } }),
    },
    {
      // A forward-auth check (Traefik/APISIX/Higress shape) with a valid token: the decision alone, no upstream hop.
      id: 'authz_forward',
      label: 'OURS authz /forward check, 1w',
      needs: 'authz1',
      req: (t) => ({ url: `${t.url}/forward`, headers: { ...bearer, 'x-forwarded-host': 'bench.test', 'x-forwarded-uri': '/auth/x', 'x-forwarded-method': 'GET' } }),
    },
    // HAProxy 2.6 on one thread with jwt_verify (bench/haproxy.js): the reference proxy.
    { id: 'haproxy', label: 'HAPROXY jwt_verify+proxy, 1t', needs: 'haproxy', req: (t) => ({ url: `${t.url}/auth/x`, headers: bearer }) },
    // TLS on the listener, the same certificate for us and HAProxy; h2 load from h2load.
    { id: 'tls_auth1', label: 'OURS TLS h1 auth+allow, 1w', needs: 'gwTls', req: (t) => ({ url: `${t.url}/auth/x`, headers: bearer }) },
    { id: 'tls_auth1_h2', label: 'OURS TLS h2 auth+allow, 1w', needs: 'gwTls', generator: 'h2load', req: (t) => ({ url: `${t.url}/auth/x`, headers: bearer }) },
    { id: 'haproxy_tls', label: 'HAPROXY TLS h1, 1t', needs: 'haproxyTls', req: (t) => ({ url: `${t.url}/auth/x`, headers: bearer }) },
    { id: 'haproxy_tls_h2', label: 'HAPROXY TLS h2, 1t', needs: 'haproxyTls', generator: 'h2load', req: (t) => ({ url: `${t.url}/auth/x`, headers: bearer }) },
    // With nginx installed: the shipped deploy/authz/nginx.conf (auth_request to gw1's authz
    // listener) in front of the upstream, beside the same nginx proxying alone.
    { id: 'nginx_proxy', label: 'NGINX proxy alone (1 process)', needs: 'nginxPlain', req: (t) => ({ url: `${t.url}/auth/x` }) },
    {
      id: 'nginx_authz',
      label: 'NGINX auth_request -> OURS authz',
      needs: 'nginxChain',
      req: (t) => ({ url: `${t.url}/auth/x`, headers: bearer }),
    },
    {
      id: 'auth1_big',
      label: 'OURS auth+allow, 1w, big config',
      needs: 'gwBig',
      goal: { vsSmall: 0.9 },
      req: (t) => ({ url: `${t.url}/auth/x`, headers: bearer }),
    },
  ];
  // BENCH_BASE_DIST: the same request on the base build's 1-worker gateway, in the same rounds.
  const base = ['auth1', 'reject', 'token_get'].map((id) => {
    const s = list.find((x) => x.id === id);
    return { ...s, id: `${id}_base`, label: s.label.replace(/^OURS/, 'BASE'), needs: 'gwBase', goal: undefined, baseOf: id };
  });
  return [...list, ...base];
}

/** For each *_base row: now/base ratio of the medians and the spread of the per-round ratios (round i of both). */
function baseRatios(rows) {
  const out = [];
  for (const b of rows) {
    const m = /^(.*)_base$/.exec(b.id);
    if (!m || b.error) continue;
    const a = rows.find((r) => r.id === m[1]);
    if (!a || a.error || !a.rounds || !b.rounds) continue;
    const per = a.rounds.map((x, i) => (b.rounds[i] ? x.rps / b.rounds[i].rps : NaN)).filter(Number.isFinite);
    out.push({
      id: m[1],
      now_rps: a.rounds.map((x) => x.rps),
      base_rps: b.rounds.map((x) => x.rps),
      now_median: a.rps,
      base_median: b.rps,
      ratio: a.rps / b.rps,
      round_ratios: per,
      min: Math.min(...per),
      max: Math.max(...per),
      now_cpu_us_per_req: a.cpu_us_per_req,
      base_cpu_us_per_req: b.cpu_us_per_req,
    });
  }
  return out;
}

/** Text block of baseRatios(): per-round req/s, medians, ratio now/base and the min..max of the per-round ratios. */
function baseRatiosText(ratios) {
  if (!ratios.length) return '';
  const f = (x) => String(Math.round(x));
  const lines = ['now vs base (BENCH_BASE_DIST), req/s per round (interleaved), median, ratio now/base [per-round min..max], cpu us/req now/base:'];
  for (const r of ratios) {
    lines.push(
      `  ${r.id.padEnd(10)} now ${r.now_rps.map(f).join(' ')} (median ${f(r.now_median)}); base ${r.base_rps.map(f).join(' ')} (median ${f(r.base_median)}); ` +
        `ratio ${r.ratio.toFixed(3)} [${r.min.toFixed(3)}..${r.max.toFixed(3)}]; cpu ${r.now_cpu_us_per_req.toFixed(0)}/${r.base_cpu_us_per_req.toFixed(0)}`,
    );
  }
  return lines.join('\n');
}

/** Runs one load generator process (bench/load.js: wrk or autocannon); resolves its parsed JSON line or rejects with one line. */
function runLoad(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, 'load.js'), JSON.stringify(args)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`load generator failed (${code}): ${err.trim().split('\n').pop() || ''}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()));
      } catch (e) {
        reject(new Error(`load generator printed no JSON: ${oneLine(e)}`));
      }
    });
  });
}

/** One request before any load: a wrong status here makes the row an error instead of a fake number. */
async function sanityCheck(s, target) {
  const r = s.req(target);
  const res = await request(r.url, { method: r.method || 'GET', headers: r.headers, body: r.body, timeoutMs: 5000 });
  const want = s.expectStatus || 200;
  if (res.status !== want) throw new Error(`expected ${want}, got ${res.status} ${res.text.slice(0, 120).replace(/\s+/g, ' ')}`);
}

const median = (xs) => {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};

/**
 * Sanity check, warm-up, then `rounds` interleaved rounds. Returns one row per scenario:
 * { id, label, rps, p50, p99, unexpected, errors, rounds: [...] } or { id, label, error }.
 */
async function runScenarios(scenarios, targets, opts, log) {
  const rows = new Map();
  const live = [];
  for (const s of scenarios) {
    const t = targets[s.needs];
    if (!t || t.error) {
      rows.set(s.id, { id: s.id, label: s.label, error: t ? t.error : `${s.needs} not started` });
      continue;
    }
    try {
      await sanityCheck(s, t);
      live.push(s);
      rows.set(s.id, { id: s.id, label: s.label, rounds: [] });
    } catch (e) {
      rows.set(s.id, { id: s.id, label: s.label, error: oneLine(e) });
    }
  }
  const loadArgs = (s, duration) => ({ ...s.req(targets[s.needs]), connections: opts.connections, duration, expectStatus: s.expectStatus, generator: s.generator });
  for (const s of live) {
    log(`warm-up ${s.id} (${opts.warmup}s)`);
    try {
      await runLoad(loadArgs(s, opts.warmup));
    } catch (e) {
      rows.set(s.id, { id: s.id, label: s.label, error: `warm-up: ${oneLine(e)}` });
    }
  }
  for (let r = 1; r <= opts.rounds; r++) {
    for (const s of live) {
      const row = rows.get(s.id);
      if (row.error) continue;
      try {
        // CPU the target (and the upstream behind it) burn per request: unlike req/s, this barely
        // moves when other work on the machine steals cores.
        // A target made of several processes (nginx + our authz listener) lists them in cpuPids.
        const pids = targets[s.needs].cpuPids || [targets[s.needs].child.pid];
        const cpuOf = () => pids.reduce((a, p) => a + cpuTree(p), 0);
        const up = s.needs === 'upstream' ? null : targets.upstream.child.pid;
        const c0 = [cpuOf(), up ? cpuTree(up) : 0];
        const res = await runLoad(loadArgs(s, opts.duration));
        res.cpu_us_per_req = res.total ? ((cpuOf() - c0[0]) * 1000) / res.total : NaN;
        res.upstream_cpu_us_per_req = up && res.total ? ((cpuTree(up) - c0[1]) * 1000) / res.total : NaN;
        row.rounds.push(res);
        log(`round ${r}/${opts.rounds} ${s.id}: ${Math.round(res.rps)} req/s p50 ${res.p50} ms p99 ${res.p99} ms unexpected ${res.unexpected} cpu ${res.cpu_us_per_req.toFixed(0)} us/req`);
      } catch (e) {
        row.error = oneLine(e);
      }
    }
  }
  for (const row of rows.values()) {
    if (row.error || !row.rounds) continue;
    row.rps = median(row.rounds.map((x) => x.rps));
    row.p50 = median(row.rounds.map((x) => x.p50));
    row.p99 = median(row.rounds.map((x) => x.p99));
    row.cpu_us_per_req = median(row.rounds.map((x) => x.cpu_us_per_req));
    row.upstream_cpu_us_per_req = median(row.rounds.map((x) => x.upstream_cpu_us_per_req));
    row.loadgen_cpu_us_per_req = median(row.rounds.map((x) => x.loadgen_cpu_us_per_req));
    row.generator = row.rounds[0].generator;
    row.p90 = median(row.rounds.map((x) => x.p90));
    row.unexpected = row.rounds.reduce((a, x) => a + x.unexpected, 0);
    row.errors = row.rounds.reduce((a, x) => a + x.errors + x.timeouts, 0);
    row.total = row.rounds.reduce((a, x) => a + x.total, 0);
  }
  return [...rows.values()];
}

module.exports = { defineScenarios, runScenarios, runLoad, median, baseRatios, baseRatiosText };
