// @ts-check
'use strict';
// Big config: its own admin API + 1-worker gateway on a separate data dir (so the small-config
// targets stay untouched and the two can be benchmarked in interleaved rounds). Routes go through
// POST /v1/routes (apply does not touch routes); consumers and rules through one
// POST /v1/apply of a generated WasmPlugin JSON document. The bench's own allow rule comes LAST,
// so a first-match scan over every rule is the worst case.
const { startAdmin, startGateway, configureSmall, waitRevision, gatewayRevision, makeOurEnv, CONSUMER } = require('./targets');
const { request, waitFor } = require('./http');
const { rssTree, oneLine } = require('./procs');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn, execFileSync } = require('node:child_process');

const pad = (i) => String(i).padStart(6, '0');

function buildDocument(nConsumers, nRules, nRoutes) {
  const consumers = [{ name: CONSUMER.name, client_id: CONSUMER.client_id, client_secret: CONSUMER.client_secret }];
  for (let i = 0; i < nConsumers; i++) {
    // Deterministic 43-char secrets: generating 100k random ones would only slow the bench.
    consumers.push({ name: `c-${pad(i)}`, client_id: `cid-${pad(i)}`, client_secret: `s${pad(i)}-${'x'.repeat(36)}` });
  }
  const matchRules = [];
  for (let i = 0; i < nRules; i++) {
    const allow = [`c-${pad(i % nConsumers)}`, `c-${pad((i * 7 + 1) % nConsumers)}`];
    matchRules.push(i % 2 === 0 && nRoutes > 0 ? { ingress: [`r-${pad(i % nRoutes)}`], config: { allow } } : { domain: [`*.d${pad(i)}.example.org`], config: { allow } });
  }
  matchRules.push({ ingress: ['bench-auth'], config: { allow: [CONSUMER.name] } });
  return {
    apiVersion: 'extensions.higress.io/v1alpha1',
    kind: 'WasmPlugin',
    metadata: { name: 'oauth2-bench' },
    spec: { defaultConfig: { global_auth: false, consumers }, matchRules },
  };
}

/** Creates routes through the admin API, `concurrency` at a time; stops early past budgetMs. */
async function createRoutes(client, n, upstreamUrl, budgetMs, concurrency = 8) {
  const t0 = Date.now();
  let next = 0;
  let made = 0;
  const worker = async () => {
    while (next < n && Date.now() - t0 < budgetMs) {
      const i = next++;
      const hosts = i % 2 === 0 ? [`h${pad(i)}.example.com`] : [];
      await client.call('POST', '/v1/routes', { name: `r-${pad(i)}`, hosts, path_prefix: `/svc/${pad(i)}`, upstream: upstreamUrl });
      made++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { made, ms: Date.now() - t0 };
}

/** Runs bench/store-apply.js on the document; resolves its result and the time its line arrived. */
function storeApply(our, doc) {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'oauth2-bench-doc-')), 'big.json');
  fs.writeFileSync(file, doc);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, 'store-apply.js'), file], { env: { ...process.env, ...our.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let done = false;
    child.stdout.on('data', (d) => {
      out += d;
      if (!done && out.includes('\n')) {
        done = true;
        const t0 = process.hrtime.bigint();
        try {
          resolve({ t0, result: JSON.parse(out.split('\n')[0]) });
        } catch (e) {
          reject(e);
        }
      }
    });
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => {
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
      if (!done) reject(new Error(`store-apply exited ${code}: ${err.trim().split('\n').pop() || ''}`));
    });
  });
}

/** Revision -> when the gateway logged "consumer secrets verified" for it (hrtime). */
function watchVerified(child) {
  const seen = new Map();
  let buf = '';
  child.stdout.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (!line.includes('consumer secrets verified')) continue;
      try {
        seen.set(JSON.parse(line).revision, process.hrtime.bigint());
      } catch {
        // not JSON
      }
    }
  });
  return seen;
}

/**
 * Sends one request at a time to `url` until stop(); stop() resolves { max_ms, n, failed } (any
 * answer but 200 counts as failed).
 */
function probeLatency(url, headers) {
  let running = true;
  const stats = { max_ms: 0, n: 0, failed: 0 };
  const loop = (async () => {
    while (running) {
      const t = process.hrtime.bigint();
      const res = await request(url, { headers, timeoutMs: 30000 }).catch(() => ({ status: 0 }));
      stats.max_ms = Math.max(stats.max_ms, Number(process.hrtime.bigint() - t) / 1e6);
      stats.n++;
      if (res.status !== 200) stats.failed++;
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return stats;
    },
  };
}

/**
 * Returns { gw, report }: gw is the loaded gateway (for the auth1_big scenario) or undefined.
 * report goes into the JSON and the printed summary.
 */
async function setupBig(upstreamUrl, opts, log) {
  const report = { consumers: opts.consumers, routes: opts.routes, rules: opts.rules, goals: opts.goals, steps: [] };
  let gw;
  let probe;
  try {
    const our = makeOurEnv();
    const admin = await startAdmin(our);
    await configureSmall(admin, upstreamUrl);
    gw = await startGateway(our, 1, {}, 'gateway-big(1w)', opts.gatewayArgs || []);
    const verified = watchVerified(gw.child);
    await waitRevision([gw], await admin.client.revision());
    report.rss_small = rssTree(gw.child.pid);

    let rr;
    if (opts.seedRoutes) {
      // 100,000 routes one POST each take minutes here: written in one transaction instead (bench/seed-routes.js).
      log(`big: seeding ${opts.routes} routes into the store file`);
      const out = JSON.parse(execFileSync(process.execPath, [path.join(__dirname, 'seed-routes.js'), path.join(our.dataDir, 'oauth2.db'), String(opts.routes), upstreamUrl]).toString());
      rr = { made: opts.routes, ms: out.ms };
      report.steps.push(`${rr.made} routes seeded in one transaction (bench/seed-routes.js): ${(rr.ms / 1000).toFixed(1)} s`);
    } else {
      log(`big: creating ${opts.routes} routes via POST /v1/routes`);
      rr = await createRoutes(admin.client, opts.routes, upstreamUrl, opts.routeBudgetMs);
      report.steps.push(
        `${rr.made} routes via POST /v1/routes (8 concurrent): ${(rr.ms / 1000).toFixed(1)} s (${((rr.made / rr.ms) * 1000).toFixed(0)} writes/s)${rr.made < opts.routes ? ' — stopped at the time budget' : ''}`,
      );
    }
    report.routes_created = rr.made;
    await waitRevision([gw], await admin.client.revision(), 60000);

    let doc = JSON.stringify(buildDocument(opts.consumers, opts.rules, rr.made));
    // Requests through the gateway for as long as the apply and the reload last: the longest one
    // is how long the reload held the gateway's event loop (the snapshot load runs in slices).
    probe = probeLatency(`${gw.url}/auth/x`, { authorization: `Bearer ${opts.token}` });
    const mbText = `${(doc.length / 1048576).toFixed(1)} MB JSON`;
    log(`big: POST /v1/apply (${mbText})`);
    const tApply = process.hrtime.bigint();
    const res = await request(`${admin.url}/v1/apply`, {
      method: 'POST',
      body: doc,
      headers: { authorization: `Bearer ${our.env.OAUTH2_ADMIN_TOKEN}`, 'content-type': 'application/json' },
      timeoutMs: 600000,
      // Building a 100 MB document takes longer than the server's keep-alive: a pooled socket may be gone.
      fresh: true,
    });
    report.rss_admin_after_apply = rssTree(admin.child.pid);
    let t0 = process.hrtime.bigint();
    let applied;
    if (res.status === 200) {
      applied = res.json;
      report.apply_ms = Number(t0 - tApply) / 1e6;
      report.apply_via = 'POST /v1/apply';
      report.steps.push(`POST /v1/apply (${mbText}, ${applied.applied.consumers} consumers, ${applied.applied.rules} rules, ${applied.warnings.length} warnings): ${report.apply_ms.toFixed(0)} ms`);
    } else if (res.status === 413) {
      // The admin API caps bodies at 1 MiB; apply the same document through the store lib instead.
      report.steps.push(`POST /v1/apply refused the ${mbText} document (413, the admin API's 1 MiB body limit): applied through the store lib (bench/store-apply.js) instead`);
      log('big: 413 from /v1/apply; applying through the store lib');
      const out = await storeApply(our, doc);
      doc = '';
      t0 = out.t0;
      applied = { revision: out.result.revision };
      report.apply_ms = out.result.ms;
      report.apply_via = 'store lib apply()';
      report.steps.push(
        `store apply() (${out.result.applied.consumers} consumers, ${out.result.applied.rules} rules, ${out.result.warnings} warnings): ${out.result.ms.toFixed(0)} ms in the transaction`,
      );
    } else {
      report.error = `POST /v1/apply of a ${mbText} document -> ${res.status} ${res.text.slice(0, 150)}`;
      await probe.stop();
      return { gw: undefined, report };
    }
    doc = '';
    const target = applied.revision;
    await waitFor('big gateway revision', async () => (await gatewayRevision(gw)) >= target, 120000, 5);
    report.load_ms = Number(process.hrtime.bigint() - t0) / 1e6;
    report.stall = await probe.stop();
    probe = undefined;
    report.rss_big = rssTree(gw.child.pid);
    // The background pass that opens every sealed secret after a load (docs/scale.md) takes CPU for
    // a while: the cold start below is measured once it is done, not against it.
    const tLoaded = process.hrtime.bigint();
    await waitFor('big gateway secrets verified', async () => verified.has(target), 300000, 20);
    report.verify_after_load_ms = Number(verified.get(target) - tLoaded) / 1e6;
    report.rss_big_verified = rssTree(gw.child.pid);
    report.one_change = await oneChangePropagation(our, admin, gw, opts, log);
    // The bench consumer must still pass: its rule is the last of ~10k.
    const check = await request(`${gw.url}/auth/x`, { headers: { authorization: `Bearer ${opts.token}` } });
    if (check.status !== 200) throw new Error(`auth on the big config answered ${check.status}`);
    return { gw, report };
  } catch (e) {
    if (probe) await probe.stop();
    report.error = oneLine(e);
    return { gw: report.load_ms ? gw : undefined, report };
  }
}

const pct = (xs, p) => {
  const a = [...xs].sort((x, y) => x - y);
  return a[Math.min(a.length - 1, Math.ceil((p / 100) * a.length) - 1)];
};
const summary = (xs) => ({ n: xs.length, p50: pct(xs, 50), p95: pct(xs, 95), p99: pct(xs, 99), max: Math.max(...xs) });

/**
 * One-consumer writes on the big config (SPEC §11: p99 <= 100 ms at 100,000 consumers): each
 * `POST /v1/consumers`, from its HTTP response until the gateway's /revision reaches it, for the
 * big gateway (incremental reload) and a second gateway on the same store with the full path
 * forced (GATEWAY_INCREMENTAL_RELOAD=false), whose start is also the cold-load figure.
 */
async function oneChangePropagation(our, admin, gw, opts, log) {
  const writes = opts.oneChangeWrites || 30;
  // Each write makes the full-load gateway load everything again: at 1M, seconds each.
  const fullWrites = opts.fullWrites || writes;
  /** `n` one-consumer writes, each timed from its response until `g` enforces it. */
  const series = async (g, tag, n = writes) => {
    const out = [];
    for (let i = 0; i < n; i++) {
      await admin.client.call('POST', '/v1/consumers', { name: `one-change-${tag}-${i}`, client_secret: `one-change-secret-${i}-${'y'.repeat(32)}` });
      const t0 = process.hrtime.bigint();
      const rev = await admin.client.revision();
      await waitFor(`${g.name} revision`, async () => (await gatewayRevision(g)) >= rev, 60000, 2);
      out.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    return out;
  };
  log(`big: cold start of a full-reload gateway, ${fullWrites} one-consumer writes on it, then ${writes} on the incremental one alone`);
  // What the cold gateway reads besides the database file: pages a checkpoint has not yet copied
  // back are read from the WAL (outside the load's memory map).
  const walBytes = fs.statSync(path.join(our.dataDir, 'oauth2.db-wal'), { throwIfNoEntry: false })?.size ?? 0;
  const tStart = process.hrtime.bigint();
  const full = await startGateway(our, 1, { GATEWAY_INCREMENTAL_RELOAD: 'false' }, 'gateway-big-full(1w)');
  const coldMs = Number(process.hrtime.bigint() - tStart) / 1e6;
  const rssFull = rssTree(full.child.pid);
  let fullTimes;
  try {
    fullTimes = await series(full, 'full', fullWrites);
  } finally {
    full.child.kill('SIGTERM');
  }
  // The full-reload gateway gone (its reloads would take CPU from this one's), and caught up first.
  await new Promise((r) => (full.child.exitCode !== null ? r(undefined) : full.child.once('exit', r)));
  await waitFor('big gateway revision', async () => (await gatewayRevision(gw)) >= (await admin.client.revision()), 60000, 5);
  const deltaTimes = await series(gw, 'delta');
  return { cold_start_ms: coldMs, cold_load_ms: full.firstLoadMs(), wal_bytes_at_cold_start: walBytes, rss_full_gateway: rssFull, delta: summary(deltaTimes), full: summary(fullTimes) };
}

/** RSS again once the throughput rounds ran (caches and JIT grown under load). */
function finishBig(gw, report) {
  if (gw && gw.child.exitCode === null) report.rss_big_after_load = rssTree(gw.child.pid);
}

module.exports = { setupBig, finishBig, buildDocument };
