'use strict';
// The load generator, run as its own process (`node bench/load.js '<json>'`) so it never shares
// an event loop with a target. Prints one JSON line: throughput, latency percentiles, status counts.
// Args: { url, connections, duration (s), method?, headers?, body?, expectStatus? }
const autocannon = require('autocannon');

async function main() {
  const a = JSON.parse(process.argv[2] || '{}');
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
  process.stdout.write(
    JSON.stringify({
      rps: result.requests.average,
      total: result.requests.total,
      p50: result.latency.p50,
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
    }) + '\n',
  );
}

main().catch((e) => {
  process.stderr.write(`load: ${e.message}\n`);
  process.exit(1);
});
