// @ts-check
'use strict';
// The load generator, run as its own process (`node bench/load.js '<json>'`) so it never shares
// an event loop with a target. Prints one JSON line: throughput, latency percentiles, status counts.
// Args: { url, connections, duration (s), method?, headers?, body?, expectStatus? }
// Uses wrk (a C generator: a few µs of CPU per request) when it is on PATH, else autocannon
// (~40 µs/request in JS, enough to starve a target on a 2-core machine). BENCH_LOAD=wrk|autocannon
// forces one; BENCH_WRK_THREADS sets wrk's threads (default 1: on 2 cores a second generator
// thread takes CPU from the target for little gain).
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn, execFileSync } = require('node:child_process');

/** 'wrk' or 'autocannon': what this run uses (BENCH_LOAD, else wrk when on PATH). */
function pickGenerator() {
  const forced = process.env.BENCH_LOAD;
  if (forced === 'wrk' || forced === 'autocannon') return forced;
  if (forced) throw new Error(`BENCH_LOAD must be "wrk" or "autocannon", got "${forced}"`);
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return 'wrk';
  } catch (e) {
    // wrk --version exits 1 after printing its banner: that still means it is installed.
    return e && e.code === 'ENOENT' ? 'autocannon' : 'wrk';
  }
}

/** A Lua 5.1 string literal for any string (\ddd escapes: Lua 5.1 has no \u). */
function luaString(s) {
  let out = '"';
  for (const b of Buffer.from(String(s), 'utf8')) {
    out += b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c ? String.fromCharCode(b) : `\\${b}`;
  }
  return out + '"';
}

/** The wrk script: request shape, then one JSON line from done() (latency in µs). */
function wrkScript(a) {
  const lines = [`wrk.method = ${luaString(a.method || 'GET')}`];
  if (a.body !== undefined) lines.push(`wrk.body = ${luaString(a.body)}`);
  for (const [k, v] of Object.entries(a.headers || {})) lines.push(`wrk.headers[${luaString(k)}] = ${luaString(v)}`);
  lines.push(
    'done = function(s, lat, req)',
    '  local e = s.errors',
    '  io.write(string.format(\'WRKJSON {"requests":%d,"duration_us":%d,"bytes":%d,"p50":%.1f,"p90":%.1f,"p99":%.1f,"max":%.1f,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}\\n\',',
    '    s.requests, s.duration, s.bytes, lat:percentile(50), lat:percentile(90), lat:percentile(99), lat.max, e.connect, e.read, e.write, e.status, e.timeout))',
    'end',
  );
  return lines.join('\n') + '\n';
}

/** CPU (ms) of this process's waited-for children, from /proc/self/stat cutime + cstime. */
function childrenCpuMs() {
  const stat = fs.readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) * 10; // fields 16, 17; USER_HZ = 100
}

function runWrk(a) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-wrk-'));
  const script = path.join(dir, 'load.lua');
  fs.writeFileSync(script, wrkScript(a));
  const connections = a.connections || 50;
  const threads = Math.min(Number(process.env.BENCH_WRK_THREADS || 1), connections);
  const args = ['-t', String(threads), '-c', String(connections), '-d', `${a.duration || 5}s`, '--timeout', '10s', '-s', script, a.url];
  const cpu0 = childrenCpuMs();
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      fs.rmSync(dir, { recursive: true, force: true });
      const line = out.split('\n').find((l) => l.startsWith('WRKJSON '));
      if (code !== 0 || !line) return reject(new Error(`wrk failed (${code}): ${(err || out).trim().split('\n').pop() || ''}`));
      const w = JSON.parse(line.slice(8));
      const cpuMs = childrenCpuMs() - cpu0;
      const seconds = w.duration_us / 1e6;
      // wrk counts responses with status >= 400 as errors.status; it does not tell codes apart.
      const bad = w.status;
      const expected = a.expectStatus ? (a.expectStatus >= 400 ? bad : w.requests - bad) : w.requests - bad;
      const socketErrors = w.connect + w.read + w.write;
      resolve({
        generator: 'wrk',
        rps: w.requests / seconds,
        total: w.requests,
        p50: w.p50 / 1000,
        p90: w.p90 / 1000,
        p99: w.p99 / 1000,
        max: w.max / 1000,
        status: a.expectStatus >= 400 ? { [`${a.expectStatus} (any >=400)`]: bad, other: w.requests - bad } : { '<400': w.requests - bad, '>=400': bad },
        non2xx: bad,
        expected,
        unexpected: w.requests - expected,
        errors: socketErrors,
        timeouts: w.timeout,
        duration: seconds,
        loadgen_cpu_us_per_req: w.requests ? (cpuMs * 1000) / w.requests : null,
      });
    });
  });
}

async function runAutocannon(a) {
  const autocannon = require('autocannon');
  const cpu0 = process.cpuUsage();
  const result = await autocannon({
    url: a.url,
    connections: a.connections || 50,
    duration: a.duration || 5,
    method: a.method || 'GET',
    headers: a.headers || {},
    body: a.body,
    pipelining: 1,
    timeout: 10,
  });
  const cpu = process.cpuUsage(cpu0);
  const statusCounts = {};
  for (const [code, v] of Object.entries(result.statusCodeStats || {})) statusCounts[code] = v.count;
  const expect = a.expectStatus || null;
  const expected = expect ? statusCounts[String(expect)] || 0 : result['2xx'];
  return {
    generator: 'autocannon',
    rps: result.requests.average,
    total: result.requests.total,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    status: statusCounts,
    non2xx: result.non2xx,
    expected,
    // Requests that did not get the expected status: non-2xx normally, non-<expect> otherwise.
    unexpected: result.requests.total - expected,
    errors: result.errors,
    timeouts: result.timeouts,
    duration: result.duration,
    // The generator's own CPU per request: when it nears 1e6/rps, the generator is the bottleneck.
    loadgen_cpu_us_per_req: result.requests.total ? (cpu.user + cpu.system) / result.requests.total : null,
  };
}

/**
 * HTTP/2 load with h2load (Debian's nghttp2-client): `a.connections` connections, one stream in
 * flight on each (like one HTTP/1.1 request per connection), for `a.duration` seconds. h2load prints
 * no percentiles (only min / max / mean / sd), so p50/p90/p99 are left out; `mean` is kept.
 */
function runH2load(a) {
  const args = ['-c', String(a.connections || 50), '-m', '1', '-t', '1', '-D', String(a.duration || 5)];
  if (a.method && a.method !== 'GET') throw new Error('h2load scenarios are GET only');
  for (const [k, v] of Object.entries(a.headers || {})) args.push('-H', `${k}: ${v}`);
  args.push(a.url);
  const cpu0 = childrenCpuMs();
  return new Promise((resolve, reject) => {
    const child = spawn('h2load', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', (e) => reject(e && /** @type {any} */ (e).code === 'ENOENT' ? new Error('h2load is not installed (apt-get install -y nghttp2-client)') : e));
    child.on('close', (code) => {
      const r = code === 0 ? readH2load(out) : { missing: 'exit status 0' };
      if ('missing' in r) return reject(new Error(`h2load failed (${code}): no ${r.missing} in its output: ${(err || out).trim().split('\n').pop() || ''}`));
      const cpuMs = childrenCpuMs() - cpu0;
      resolve({ ...r, loadgen_cpu_us_per_req: r.total ? (cpuMs * 1000) / r.total : null });
    });
  });
}

/** h2load's durations carry their unit: `999.87ms`, `1.00s`, `812us` (a run shorter than 1 s says ms). */
const H2_TIME = String.raw`([\d.]+)(us|ms|s)`;
const h2ms = (/** @type {string} */ n, /** @type {string} */ unit) => Number(n) * (unit === 'us' ? 1e-3 : unit === 'ms' ? 1 : 1e3);

/**
 * The figures of one h2load report, or which of its lines is missing.
 * @param {string} out h2load's stdout
 */
function readH2load(out) {
  const fin = new RegExp(String.raw`finished in ${H2_TIME}, ([\d.]+) req/s`).exec(out);
  const req = /requests: (\d+) total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout/.exec(out);
  const st = /status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx/.exec(out);
  const lat = new RegExp(String.raw`time for request:\s+${H2_TIME}\s+${H2_TIME}\s+${H2_TIME}`).exec(out);
  if (!fin) return { missing: '"finished in" line' };
  if (!req) return { missing: '"requests:" line' };
  if (!st) return { missing: '"status codes:" line' };
  const done = Number(req[2]);
  const ok2xx = Number(st[1]);
  // A status counted for a request still in flight when -D ended is not in `done`: unexpected
  // is what came back with another status, not done minus 2xx (which went negative).
  const other = Number(st[2]) + Number(st[3]) + Number(st[4]);
  return {
    generator: 'h2load',
    rps: Number(fin[3]),
    total: done,
    p50: NaN,
    p90: NaN,
    p99: NaN,
    mean: lat ? h2ms(lat[5], lat[6]) : NaN,
    max: lat ? h2ms(lat[3], lat[4]) : NaN,
    status: { '2xx': ok2xx, '3xx': Number(st[2]), '4xx': Number(st[3]), '5xx': Number(st[4]) },
    non2xx: other,
    expected: ok2xx,
    unexpected: other,
    errors: Number(req[4]) + Number(req[5]),
    timeouts: Number(req[6]),
    duration: h2ms(fin[1], fin[2]) / 1000,
  };
}

async function main() {
  const a = JSON.parse(process.argv[2] || '{}');
  const gen = a.generator === 'h2load' ? 'h2load' : pickGenerator();
  const res = gen === 'h2load' ? await runH2load(a) : gen === 'wrk' ? await runWrk(a) : await runAutocannon(a);
  process.stdout.write(JSON.stringify(res) + '\n');
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`load: ${e.message}\n`);
    process.exit(1);
  });
}

module.exports = { pickGenerator, readH2load };
