#!/usr/bin/env node
// @ts-check
'use strict';
// Where a proxied request's CPU goes, beyond --cpu-prof (issue 18): for our gateway, the bare
// node:http + undici proxy and HAProxy on one thread, in one run and against one upstream, the
// user/kernel split of the target's CPU per request (/proc utime/stime over a wrk run) and the
// system calls per request (`strace -c -f` attached for a second run: strace slows the target, so
// only its counts are used, never its times).
// Usage: npm run build && node bench/syscalls.js   (BENCH_DURATION seconds per run, default 5;
// needs wrk, strace and haproxy: apt-get install -y wrk strace haproxy)
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn, spawnSync } = require('node:child_process');
const { installCleanup, stopAll, oneLine, procTimes } = require('./procs');
const T = require('./targets');
const { startHaproxy } = require('./haproxy');
const { runLoad } = require('./scenarios');

/** Parses `strace -c` output: syscall name -> calls. */
function parseStraceSummary(text) {
  const calls = new Map();
  for (const line of text.split('\n')) {
    const m = /^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?([a-z_0-9]+)\s*$/.exec(line);
    if (m && m[2] !== 'total') calls.set(m[2], (calls.get(m[2]) || 0) + Number(m[1]));
  }
  return calls;
}

/** Runs `fn` with strace counting the system calls of `pid` and its threads; resolves fn's result and the counts. */
async function withStrace(pid, fn) {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-strace-')), 'summary.txt');
  const st = spawn('strace', ['-c', '-f', '-o', out, '-p', String(pid)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  st.stderr.on('data', (d) => (err += d));
  // strace says "attached" per thread on stderr once it is in place.
  const deadline = Date.now() + 5000;
  while (!/attached/.test(err)) {
    if (st.exitCode !== null || Date.now() > deadline) throw new Error(`strace did not attach: ${err.trim().split('\n').pop() || ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const res = await fn();
  const done = new Promise((r) => st.on('close', r));
  st.kill('SIGINT');
  await done;
  const calls = parseStraceSummary(fs.readFileSync(out, 'utf8'));
  fs.rmSync(path.dirname(out), { recursive: true, force: true });
  return { res, calls };
}

async function main() {
  installCleanup();
  for (const bin of ['wrk', 'strace', 'haproxy']) {
    if (spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0) throw new Error(`${bin} is not installed (apt-get install -y ${bin})`);
  }
  const duration = Number(process.env.BENCH_DURATION || 5);
  const { token } = T.tokens();
  const headers = { authorization: `Bearer ${token}` };
  const upstream = await T.startUpstream();
  const our = T.makeOurEnv();
  const admin = await T.startAdmin(our);
  const small = await T.configureSmall(admin, upstream.url);
  const gw = await T.startGateway(our, 1, {}, 'gateway(1w)');
  await T.waitRevision([gw], small.revision);
  const bare = await T.startBare(upstream.url);
  const hap = await startHaproxy({ upstreamUrl: upstream.url, secret: T.CONSUMER.client_secret, clientId: T.CONSUMER.client_id });
  const targets = [
    { name: 'OURS auth+allow, 1w', t: gw },
    { name: 'BARE http+undici+HMAC', t: bare },
    { name: 'HAPROXY jwt_verify, 1t', t: hap },
    { name: 'DIRECT upstream', t: upstream },
  ];
  const rows = [];
  for (const { name, t } of targets) {
    const pid = t.child.pid;
    const url = `${t.url}/auth/x`;
    // Warm-up, then the timed run, then the run under strace.
    await runLoad({ url, headers, connections: 50, duration: 1 });
    const a = procTimes(pid);
    const timed = await runLoad({ url, headers, connections: 50, duration });
    const b = procTimes(pid);
    const { res: traced, calls } = await withStrace(pid, () => runLoad({ url, headers, connections: 50, duration }));
    const per = (n) => (traced.total ? n / traced.total : NaN);
    const total = [...calls.values()].reduce((x, y) => x + y, 0);
    const top = [...calls.entries()].sort((x, y) => y[1] - x[1]).slice(0, 5);
    rows.push({
      name,
      rps: timed.rps,
      unexpected: timed.unexpected,
      user_us: ((b.userMs - a.userMs) * 1000) / timed.total,
      sys_us: ((b.sysMs - a.sysMs) * 1000) / timed.total,
      syscalls: per(total),
      top: top.map(([k, v]) => `${k} ${per(v).toFixed(2)}`).join(', '),
    });
    process.stderr.write(`[syscalls] ${name}: ${Math.round(timed.rps)} req/s, ${per(total).toFixed(2)} syscalls/req\n`);
  }
  await stopAll();
  const f = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');
  const lines = [
    '| target | req/s | user µs/req | kernel µs/req | syscalls/req | top syscalls per request |',
    '|---|---:|---:|---:|---:|---|',
    ...rows.map((r) => `| ${r.name} | ${Math.round(r.rps).toLocaleString('en-US')} | ${f(r.user_us)} | ${f(r.sys_us)} | ${f(r.syscalls, 2)} | ${r.top} |`),
    '',
    `_wrk, 50 connections, ${duration} s per run; CPU from /proc of the target process only (10 ms ticks); syscalls from \`strace -c -f\` over a second run of the same length; ${os.cpus().length} CPUs, load average ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join('/')} at the end._`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
  if (rows.some((r) => r.unexpected > 0)) process.stderr.write('[syscalls] some answers were not 2xx: the figures above are not comparable\n');
}

main().catch(async (e) => {
  process.stderr.write(`syscalls: ${oneLine(e)}\n`);
  await stopAll();
  process.exit(1);
});
