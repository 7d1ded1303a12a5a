// @ts-check
'use strict';
// Config propagation: admin writes alternate between adding a consumer (a token of that consumer
// goes from 401 unknown_client to 403 not allowed) and adding it to the allow-list (403 -> 200).
// For each write we time, from the write's HTTP response, (a) each gateway's /revision reaching the
// store revision and (b) the gateway actually enforcing the change — polled tightly, no sleeps.
const { request } = require('./http');
const { craftToken, randomSecret } = require('./jwt');
const { gatewayRevision } = require('./targets');
const { median } = require('./scenarios');
const { oneLine } = require('./procs');

const TIMEOUT_MS = 5000;

function pct(xs, p) {
  const v = [...xs].sort((a, b) => a - b);
  if (!v.length) return NaN;
  return v[Math.min(v.length - 1, Math.ceil((p / 100) * v.length) - 1)];
}

/** Polls `probe` back to back until it returns true; resolves elapsed ms since t0, or NaN on timeout. */
async function pollUntil(t0, probe) {
  for (;;) {
    const elapsed = Number(process.hrtime.bigint() - t0) / 1e6;
    if (elapsed > TIMEOUT_MS) return NaN;
    if (await probe()) return Number(process.hrtime.bigint() - t0) / 1e6;
  }
}

/**
 * ctx: { admin, gateways: [gw...], enforceGw, ruleId, consumer, authRoute, writes }.
 * Returns { writes, series: { 'revision <gw>': stats, 'enforced <gw>': stats } }.
 */
async function measurePropagation(ctx) {
  const c = ctx.admin.client;
  const samples = {};
  const add = (k, v) => (samples[k] = samples[k] || []).push(v);
  const allowed = [ctx.consumer.name];
  const url = `${ctx.enforceGw.url}/auth/x`;
  let current;
  for (let i = 0; i < ctx.writes; i++) {
    let expectStatus;
    let t0;
    if (i % 2 === 0) {
      const secret = randomSecret();
      const name = `prop-${i}-${Date.now()}`;
      current = { name, token: craftToken({ secret, sub: name, clientId: `${name}-id` }) };
      await c.call('POST', '/v1/consumers', { name, client_id: `${name}-id`, client_secret: secret });
      t0 = process.hrtime.bigint();
      expectStatus = 403; // known consumer, not on the allow-list yet
    } else {
      allowed.push(current.name);
      await c.call('PUT', `/v1/rules/${ctx.ruleId}`, { routes: [ctx.authRoute], allow: allowed });
      t0 = process.hrtime.bigint();
      expectStatus = 200;
    }
    const revision = await c.revision();
    const headers = { authorization: `Bearer ${current.token}` };
    const results = await Promise.all([
      ...ctx.gateways.map((gw) => pollUntil(t0, async () => (await gatewayRevision(gw)) >= revision)),
      pollUntil(t0, async () => (await request(url, { headers, timeoutMs: 5000 })).status === expectStatus),
    ]);
    ctx.gateways.forEach((gw, k) => add(`revision ${gw.name}`, results[k]));
    add(`enforced ${ctx.enforceGw.name}`, results[results.length - 1]);
  }
  const series = {};
  for (const [k, xs] of Object.entries(samples)) {
    const ok = xs.filter(Number.isFinite);
    series[k] = { n: xs.length, timeouts: xs.length - ok.length, p50: median(ok), p99: pct(ok, 99), max: Math.max(...ok) };
    // A timed-out write counts as a miss at the p99: report it as Infinity rather than hide it.
    if (series[k].timeouts) series[k].p99 = Infinity;
  }
  return { writes: ctx.writes, series };
}

async function safeMeasurePropagation(ctx) {
  try {
    return await measurePropagation(ctx);
  } catch (e) {
    return { error: oneLine(e) };
  }
}

module.exports = { measurePropagation: safeMeasurePropagation, pct };
