#!/usr/bin/env node
// @ts-check
'use strict';
// Profiles the gateway under load: runs one scenario (default auth1, env PROFILE_SCENARIO) against
// a 1-worker gateway started with `node --cpu-prof`, stops it with SIGTERM so V8 writes the
// profile, then prints the top self-time functions (bench/profile-summary.js).
// Usage: npm run build && node bench/profile.js    (BENCH_DURATION seconds of load, default 10)
const fs = require('node:fs');
const path = require('node:path');
const { installCleanup, stop, stopAll, oneLine } = require('./procs');
const T = require('./targets');
const { defineScenarios, runLoad } = require('./scenarios');
const { summarize, render } = require('./profile-summary');
const { setupBig } = require('./big');

async function main() {
  installCleanup();
  const id = process.env.PROFILE_SCENARIO || 'auth1';
  const duration = Number(process.env.BENCH_DURATION || 10);
  const dir = path.join(__dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  const before = new Set(fs.readdirSync(dir));

  const { token, bad } = T.tokens();
  const s = defineScenarios({ token, bad, consumer: T.CONSUMER }).find((x) => x.id === id);
  if (!s || !['gw1', 'gwBig'].includes(s.needs)) {
    throw new Error(`PROFILE_SCENARIO must be a 1-worker gateway scenario (pass, auth1, token_get, token_post, reject, auth1_big), got "${id}"`);
  }
  const upstream = await T.startUpstream();
  const profArgs = ['--cpu-prof', `--cpu-prof-dir=${dir}`];
  const spawnedAt = Date.now();
  let gw;
  if (s.needs === 'gwBig') {
    const log = (m) => process.stderr.write(`${m}\n`);
    const big = await setupBig(upstream.url, { consumers: 100000, routes: 10000, rules: 10000, routeBudgetMs: 90000, token, gatewayArgs: profArgs }, log);
    if (!big.gw) throw new Error(`big config: ${big.report.error}`);
    gw = big.gw;
  } else {
    const our = T.makeOurEnv();
    const admin = await T.startAdmin(our);
    const small = await T.configureSmall(admin, upstream.url);
    gw = await T.startGateway(our, 1, {}, 'gateway(profiled)', profArgs);
    await T.waitRevision([gw], small.revision);
  }
  process.stderr.write(`profiling ${id} for ${duration} s ...\n`);
  // Samples before the load started are start-up; the summary leaves them out.
  const skipMs = Date.now() - spawnedAt;
  const res = await runLoad({ ...s.req(gw), connections: Number(process.env.BENCH_CONNECTIONS || 50), duration, expectStatus: s.expectStatus });
  process.stderr.write(`${Math.round(res.rps)} req/s, p50 ${res.p50} ms, p99 ${res.p99} ms, unexpected ${res.unexpected}\n`);
  await stop(gw.child);
  await stopAll();
  const fresh = fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile') && !before.has(f));
  if (!fresh.length) throw new Error('the gateway wrote no .cpuprofile (did it exit cleanly on SIGTERM?)');
  // The gateway process itself has the most samples; a forked helper (if any) has few.
  const profiles = fresh.map((f) => path.join(dir, f)).sort((a, b) => fs.statSync(b).size - fs.statSync(a).size);
  const file = path.join(dir, `gateway-${id}.cpuprofile`);
  fs.renameSync(profiles[0], file);
  const sum = summarize(JSON.parse(fs.readFileSync(file, 'utf8')), 25, { skipMs });
  process.stdout.write(`${path.relative(process.cwd(), file)} (first ${skipMs} ms of start-up left out): ${render(sum, 25, true)}\n`);
}

main().catch(async (e) => {
  process.stderr.write(`profile: error: ${oneLine(e)}\n`);
  await stopAll();
  process.exit(1);
});
