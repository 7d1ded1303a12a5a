#!/usr/bin/env node
// @ts-check
'use strict';
// `npm run bench`: starts every target as a child process on loopback, runs the load scenarios in
// interleaved rounds, measures config propagation and a big config, prints a table and writes
// bench/results/latest.json. Env knobs: BENCH_DURATION (s per round, default 3), BENCH_ROUNDS (3),
// BENCH_WARMUP (2), BENCH_CONNECTIONS (50), BENCH_ONLY (comma list of scenario ids and/or
// "propagation", "big"), BENCH_SKIP_BIG=1, BENCH_BIG_CONSUMERS/ROUTES/RULES, BENCH_OUT (json path),
// BENCH_DIST (run a copy of dist/), BENCH_BASE_DIST (another build's dist/: its 1-worker gateway on
// gw1's store gets rows auth1_base, reject_base, token_get_base, interleaved; the report prints now/base),
// BENCH_BASE_ENV (NAME=value,... for the base gateway only: BENCH_BASE_DIST=dist with
// BENCH_BASE_ENV=GATEWAY_ACCESS_LOG=true compares one build without and with its access log).
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { installCleanup, stopAll, oneLine } = require('./procs');
const T = require('./targets');
const { defineScenarios, runScenarios, baseRatios, baseRatiosText } = require('./scenarios');
const { measurePropagation } = require('./propagation');
const { setupBig, finishBig } = require('./big');
const { pickGenerator } = require('./load');
const { startNginx } = require('./nginx');
const { startHaproxy } = require('./haproxy');
const { makeBenchCert } = require('./tls');
const { judgeScenarios, scenarioTable, propagationText, bigText, bigTable } = require('./report');

const num = (name, dflt) => {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) {
    process.stderr.write(`bench: ${name} must be a positive number, got "${v}"\n`);
    process.exit(2);
  }
  return n;
};

const opts = {
  duration: num('BENCH_DURATION', 3),
  rounds: num('BENCH_ROUNDS', 3),
  warmup: num('BENCH_WARMUP', 2),
  connections: num('BENCH_CONNECTIONS', 50),
  only: process.env.BENCH_ONLY
    ? process.env.BENCH_ONLY.split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : null,
  skipBig: process.env.BENCH_SKIP_BIG === '1',
  big: {
    consumers: num('BENCH_BIG_CONSUMERS', 100000),
    routes: num('BENCH_BIG_ROUTES', 10000),
    rules: num('BENCH_BIG_RULES', 10000),
    routeBudgetMs: num('BENCH_BIG_ROUTE_BUDGET_S', 90) * 1000,
    oneChangeWrites: num('BENCH_BIG_WRITES', 30),
    goals: { load_ms: 1000, rss: 300e6, cold_ms: null, apply_ms: null, delta_p99_ms: 100 },
  },
  // BENCH_BIG=1m: also the SPEC §11 size (1,000,000 consumers, 100,000 routes, 100,000 rules), after the
  // rest (~10 minutes more on 2 cores). Routes are seeded into the store file (bench/seed-routes.js).
  big1m:
    process.env.BENCH_BIG === '1m'
      ? {
          consumers: num('BENCH_BIG1M_CONSUMERS', 1_000_000),
          routes: num('BENCH_BIG1M_ROUTES', 100_000),
          rules: num('BENCH_BIG1M_RULES', 100_000),
          seedRoutes: true,
          oneChangeWrites: num('BENCH_BIG_WRITES', 30),
          fullWrites: num('BENCH_BIG1M_FULL_WRITES', 5),
          goals: { load_ms: null, rss: 1.5e9, cold_ms: 5000, apply_ms: 60000, delta_p99_ms: null },
        }
      : null,
  out: process.env.BENCH_OUT || path.join(__dirname, 'results', 'latest.json'),
};
const wanted = (id) => !opts.only || opts.only.includes(id);
const log = (msg) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

async function main() {
  installCleanup();
  const started = Date.now();
  const loadavgAtStart = os.loadavg();
  const generator = pickGenerator();
  const { token, bad } = T.tokens();
  // auth1_big comes with the big config: asked for by "big" or by its own id, dropped by BENCH_SKIP_BIG.
  const scenarios = defineScenarios({ token, bad, consumer: T.CONSUMER }).filter((s) =>
    s.needs === 'gwBase' ? !!T.BASE_GATEWAY_MAIN && wanted(s.id) : s.id === 'auth1_big' ? !opts.skipBig && (wanted('big') || wanted('auth1_big')) : wanted(s.id),
  );
  const needs = new Set(scenarios.map((s) => s.needs));
  const doPropagation = wanted('propagation');
  const doBig = !opts.skipBig && (wanted('big') || wanted('auth1_big'));
  if (doBig) needs.add('gwBig');
  const targets = {};

  log(`starting upstream${needs.has('peer') ? ', peer' : ''}${needs.has('bare') ? ', bare' : ''}; load generator: ${generator}`);
  targets.upstream = await T.attempt(T.startUpstream);
  if (targets.upstream.error) throw new Error(`upstream: ${targets.upstream.error}`);
  const upstreamUrl = targets.upstream.url;
  if (needs.has('peer')) targets.peer = await T.attempt(() => T.startPeer(upstreamUrl));
  if (needs.has('bare')) targets.bare = await T.attempt(() => T.startBare(upstreamUrl));
  if (needs.has('nginxPlain')) targets.nginxPlain = await T.attempt(() => startNginx('plain', { upstreamUrl }));
  const jwtCheck = { upstreamUrl, secret: T.CONSUMER.client_secret, clientId: T.CONSUMER.client_id };
  if (needs.has('haproxy')) targets.haproxy = await T.attempt(() => startHaproxy(jwtCheck));
  const tlsPair = needs.has('gwTls') || needs.has('haproxyTls') ? makeBenchCert() : undefined;
  if (needs.has('haproxyTls')) targets.haproxyTls = await T.attempt(() => startHaproxy({ ...jwtCheck, tls: tlsPair }));

  let small;
  if (['gw1', 'gw2', 'gwBase', 'authz1', 'nginxChain', 'gwTls'].some((k) => needs.has(k)) || doPropagation) {
    log('starting admin API and gateways (small config)');
    const our = T.makeOurEnv();
    const admin = await T.attempt(() => T.startAdmin(our));
    if (admin.error) {
      targets.gw1 = targets.gw2 = { error: `admin-api: ${admin.error}` };
    } else {
      targets.admin = admin;
      small = await T.attempt(() => T.configureSmall(admin, upstreamUrl));
      if (small.error) targets.gw1 = targets.gw2 = { error: `config: ${small.error}` };
      else {
        // gw1 also serves the authz listener (docs/external-authz.md): its decisions are measured on their own.
        [targets.gw1, targets.gw2] = await Promise.all([T.attempt(() => T.startGateway(our, 1, { GATEWAY_AUTHZ_PORT: '0' })), T.attempt(() => T.startGateway(our, 2))]);
        for (const k of ['gw1', 'gw2']) {
          if (targets[k].error) continue;
          const w = await T.attempt(() => T.waitRevision([targets[k]], small.revision));
          if (w && w.error) targets[k] = { error: w.error };
        }
        if (needs.has('gwBase')) targets.gwBase = await T.attempt(() => startBase(upstreamUrl));
        targets.authz1 = targets.gw1.error ? targets.gw1 : { ...targets.gw1, url: targets.gw1.authzUrl, name: 'authz(1w)' };
        if (needs.has('gwTls') && tlsPair) {
          const gw = await T.attempt(() => T.startGateway(our, 1, { GATEWAY_TLS_CERT: tlsPair.cert, GATEWAY_TLS_KEY: tlsPair.key }, 'gateway(1w,tls)'));
          const w = gw.error ? gw : await T.attempt(() => T.waitRevision([gw], small.revision));
          targets.gwTls = w && w.error ? w : gw;
        }
        if (needs.has('nginxChain')) {
          const gw1 = targets.gw1;
          targets.nginxChain = gw1.error ? gw1 : await T.attempt(() => startNginx('chain', { upstreamUrl, gatewayUrl: gw1.url, authzUrl: gw1.authzUrl, authzPid: gw1.child.pid }));
        }
      }
    }
  }

  let big;
  if (doBig) {
    log('setting up the big config');
    big = await setupBig(upstreamUrl, { ...opts.big, token }, log);
    targets.gwBig = big.gw || { error: big.report.error || 'big config not loaded' };
  }

  const rows = await runScenarios(scenarios, targets, opts, log);
  judgeScenarios(rows, scenarios);
  const ratios = baseRatios(rows);
  if (big) finishBig(big.gw, big.report);

  let big1m;
  if (doBig && opts.big1m) {
    log(`setting up the 1M big config (${opts.big1m.consumers} consumers)`);
    big1m = await setupBig(upstreamUrl, { ...opts.big1m, token }, log);
  }

  let propagation;
  if (doPropagation) {
    const gws = ['gw1', 'gw2'].map((k) => targets[k]).filter((g) => g && !g.error);
    if (!targets.admin || !gws.length || !small || small.error) propagation = { error: (targets.gw1 && targets.gw1.error) || 'no gateway running' };
    else {
      log('measuring config propagation (50 writes)');
      propagation = await measurePropagation({
        admin: targets.admin,
        gateways: gws,
        enforceGw: gws[0],
        ruleId: small.ruleId,
        consumer: T.CONSUMER,
        authRoute: 'bench-auth',
        writes: 50,
      });
    }
  }

  log('stopping children');
  await stopAll();

  const doc = {
    when: new Date().toISOString(),
    commit: gitHead(),
    // Load averages show how busy the machine was with other work: the figures depend on it.
    machine: { cpus: os.cpus().length, cpu: os.cpus()[0] && os.cpus()[0].model, node: process.version, loadavg_at_start: loadavgAtStart, loadavg_at_end: os.loadavg() },
    settings: {
      duration_s: opts.duration,
      rounds: opts.rounds,
      warmup_s: opts.warmup,
      connections: opts.connections,
      generator,
      wrk_threads: generator === 'wrk' ? Number(process.env.BENCH_WRK_THREADS || 1) : undefined,
    },
    notes: [
      'All processes share this machine: the load generator, the target and the upstream compete for the same cores.',
      `Load generator: ${generator}${generator === 'wrk' ? ' (latencies in µs resolution; "unexpected" from its count of status >= 400)' : ' (latencies are whole milliseconds)'}. Figures are medians over interleaved rounds.`,
      '"unexpected" counts responses whose status was not the expected one (2xx, or 401 for the rejection scenario).',
    ],
    scenarios: rows,
    base_ratios: ratios.length ? ratios : undefined,
    propagation,
    big: big && big.report,
    big_1m: big1m && big1m.report,
    elapsed_s: (Date.now() - started) / 1000,
  };
  const text = [
    scenarioTable(rows, generator),
    baseRatiosText(ratios),
    propagationText(propagation),
    bigText(big && big.report),
    bigText(big1m && big1m.report),
    bigTable([big && big.report, big1m && big1m.report]),
  ]
    .filter(Boolean)
    .join('\n\n');
  const la = (xs) => xs.map((x) => x.toFixed(1)).join('/');
  process.stdout.write(
    `\n${text}\n\nelapsed ${doc.elapsed_s.toFixed(0)} s; ${opts.rounds} rounds x ${opts.duration} s, ${opts.connections} connections (${generator}); ${os.cpus().length} CPUs, load average ${la(loadavgAtStart)} at start, ${la(os.loadavg())} at end\n`,
  );
  fs.mkdirSync(path.dirname(opts.out), { recursive: true });
  fs.writeFileSync(opts.out, JSON.stringify({ ...doc, table: text.split('\n') }, null, 2) + '\n');
  log(`wrote ${path.relative(process.cwd(), opts.out)}`);
}

/** The base build's admin API + 1-worker gateway on their own data dir (store schemas differ between builds), same small config. */
async function startBase(upstreamUrl) {
  const { BASE_GATEWAY_MAIN: gwMain, BASE_ADMIN_MAIN: adminMain } = T;
  if (!gwMain || !adminMain) throw new Error('BENCH_BASE_DIST not set');
  const our = T.makeOurEnv();
  const admin = await T.startAdmin(our, adminMain, 'base-admin-api');
  const cfg = await T.configureSmall(admin, upstreamUrl);
  const gw = await T.startGateway(our, 1, T.BASE_ENV, 'base-gateway(1w)', [], gwMain);
  await T.waitRevision([gw], cfg.revision);
  return gw;
}

function gitHead() {
  try {
    return require('node:child_process')
      .execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: __dirname, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return null;
  }
}

main().catch(async (e) => {
  process.stderr.write(`bench: error: ${oneLine(e)}\n`);
  await stopAll();
  process.exit(1);
});
