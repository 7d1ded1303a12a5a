// @ts-check
'use strict';
// Starts and configures the targets: upstream, peer, admin API and gateways, each its own process,
// on loopback port 0 with a temp data dir. A target that fails to start is recorded as an error
// (one line) so the scenarios that need it report it and the rest of the run goes on.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');
const { startNode, oneLine, trackTempDir } = require('./procs');
const { request, adminClient, waitFor } = require('./http');
const { craftToken, badSignature } = require('./jwt');

const root = path.resolve(__dirname, '..');
// BENCH_DIST runs a copy of dist/ (e.g. a snapshot taken while others rebuild the tree); NODE_PATH
// then lets that copy resolve the repo's node_modules.
const DIST = path.resolve(process.env.BENCH_DIST || path.join(root, 'dist'));
if (process.env.BENCH_DIST) process.env.NODE_PATH = [path.join(root, 'node_modules'), process.env.NODE_PATH].filter(Boolean).join(path.delimiter);
const GATEWAY_MAIN = path.join(DIST, 'apps/gateway/src/main.js');
const ADMIN_MAIN = path.join(DIST, 'apps/admin-api/src/main.js');
// BENCH_BASE_DIST: another build's dist/ (e.g. the code before a refactor); its one-worker gateway
// runs with its own admin API on its own data dir (the two trees' store migrations differ), configured
// by the same configureSmall, and its rows (*_base) run in the same interleaved rounds.
const BASE_DIST = process.env.BENCH_BASE_DIST ? path.resolve(process.env.BENCH_BASE_DIST) : null;
if (BASE_DIST && !process.env.BENCH_DIST) process.env.NODE_PATH = [path.join(root, 'node_modules'), process.env.NODE_PATH].filter(Boolean).join(path.delimiter);
const BASE_GATEWAY_MAIN = BASE_DIST ? path.join(BASE_DIST, 'apps/gateway/src/main.js') : null;
const BASE_ADMIN_MAIN = BASE_DIST ? path.join(BASE_DIST, 'apps/admin-api/src/main.js') : null;
/** BENCH_BASE_ENV=NAME=value,...: extra environment of the base gateway only (e.g. GATEWAY_ACCESS_LOG=true). */
const BASE_ENV = Object.fromEntries(
  (process.env.BENCH_BASE_ENV || '')
    .split(',')
    .map((kv) => kv.trim())
    .filter(Boolean)
    .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
);

const CONSUMER = { name: 'bench', client_id: 'bench-client', client_secret: crypto.randomBytes(32).toString('base64url') };

/** Shared environment of our two apps: one data dir, one master key, one admin token. */
function makeOurEnv() {
  const dataDir = trackTempDir(fs.mkdtempSync(path.join(os.tmpdir(), 'oauth2-bench-')));
  return {
    dataDir,
    env: {
      OAUTH2_DATA_DIR: dataDir,
      OAUTH2_MASTER_KEY: crypto.randomBytes(32).toString('hex'),
      OAUTH2_ADMIN_TOKEN: crypto.randomBytes(24).toString('hex'),
      ADMIN_HOST: '127.0.0.1',
      ADMIN_PORT: '0',
      GATEWAY_HOST: '127.0.0.1',
      GATEWAY_PORT: '0',
      GATEWAY_STATUS_PORT: '0',
    },
  };
}

async function startUpstream() {
  const { child, info } = await startNode('upstream', [path.join(__dirname, 'upstream.js')], {});
  return { child, url: info.url };
}

async function startPeer(upstreamUrl) {
  const { child, info } = await startNode('peer', [path.join(__dirname, 'peer.js')], {
    UPSTREAM_URL: upstreamUrl,
    JWT_SECRET: CONSUMER.client_secret,
    ALLOW: CONSUMER.name,
  });
  return { child, url: info.url };
}

/** BARE: node:http + undici Pool + an HS256 HMAC check, the one-process proxy ceiling. */
async function startBare(upstreamUrl) {
  const { child, info } = await startNode('bare', [path.join(__dirname, 'bare.js')], { UPSTREAM_URL: upstreamUrl, JWT_SECRET: CONSUMER.client_secret });
  return { child, url: info.url };
}

async function startAdmin(our, main = ADMIN_MAIN, name = 'admin-api') {
  if (!fs.existsSync(main)) throw new Error(`admin API not built (${path.relative(root, main)} missing)`);
  const { child, info } = await startNode(name, [main], our.env);
  const client = adminClient(info.url, our.env.OAUTH2_ADMIN_TOKEN);
  await waitFor('admin /healthz', async () => (await request(info.url + '/healthz')).status === 200, 15000);
  return { child, url: info.url, client };
}

/**
 * Starts a gateway with `workers` workers. nodeArgs go before the script (Node 20 refuses
 * --cpu-prof inside NODE_OPTIONS, so profiling passes it here).
 */
async function startGateway(our, workers, extraEnv = {}, name = `gateway(${workers}w)`, nodeArgs = [], main = GATEWAY_MAIN) {
  if (!fs.existsSync(main)) throw new Error(`gateway not built (${path.relative(root, main)} missing)`);
  const { child, info, firstLoadMs } = await startNode(name, [...nodeArgs, main], { ...our.env, GATEWAY_WORKERS: String(workers), ...extraEnv });
  if (!info.status_url) throw new Error(`${name}: "listening" line has no status_url`);
  const gw = { child, url: info.url, statusUrl: info.status_url, authzUrl: info.authz_url, name, firstLoadMs };
  await waitFor(`${name} /readyz`, async () => (await request(gw.statusUrl + '/readyz')).status === 200, 20000);
  return gw;
}

async function gatewayRevision(gw) {
  const res = await request(gw.statusUrl + '/revision', { timeoutMs: 5000 });
  return res.status === 200 && res.json ? res.json.revision : -1;
}

/** The small config every OURS scenario uses: one consumer, a pass-through and an allow-listed route. */
async function configureSmall(admin, upstreamUrl) {
  const c = admin.client;
  await c.call('PATCH', '/v1/settings', { global_auth: false });
  await c.call('POST', '/v1/consumers', CONSUMER);
  await c.call('POST', '/v1/routes', { name: 'bench-pass', path_prefix: '/pass', upstream: upstreamUrl });
  await c.call('POST', '/v1/routes', { name: 'bench-auth', path_prefix: '/auth', upstream: upstreamUrl });
  const rule = await c.call('POST', '/v1/rules', { routes: ['bench-auth'], allow: [CONSUMER.name] });
  return { ruleId: rule.id, revision: await c.revision() };
}

/** Resolves once every gateway enforces at least `revision`. */
async function waitRevision(gateways, revision, timeoutMs = 30000) {
  await Promise.all(gateways.map((gw) => waitFor(`${gw.name} revision ${revision}`, async () => (await gatewayRevision(gw)) >= revision, timeoutMs, 10)));
}

function tokens() {
  // The gateway refuses a token whose exp - iat exceeds token_ttl (default 7200 s; bad_lifetime), so
  // the bench token lives just under it: long enough for any run, valid for every gateway build.
  const token = craftToken({ secret: CONSUMER.client_secret, sub: CONSUMER.name, clientId: CONSUMER.client_id, ttl: 7000 });
  return { token, bad: badSignature(token) };
}

/** Wraps a start so a failure becomes { error } instead of aborting the run. */
async function attempt(fn) {
  try {
    return await fn();
  } catch (e) {
    return { error: oneLine(e) };
  }
}

module.exports = {
  CONSUMER,
  makeOurEnv,
  startUpstream,
  startPeer,
  startBare,
  startAdmin,
  startGateway,
  gatewayRevision,
  configureSmall,
  waitRevision,
  tokens,
  attempt,
  GATEWAY_MAIN,
  BASE_GATEWAY_MAIN,
  BASE_ADMIN_MAIN,
  BASE_ENV,
  DIST,
};
