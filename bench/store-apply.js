// @ts-check
'use strict';
// Fallback writer for the big config: the admin API refuses bodies over 1 MiB (docs/admin-api.md), and a
// 100,000-consumer document is ~10 MB, so the bench applies it through the store lib itself — the
// same code path /v1/apply calls — in its own process. The gateway sees it exactly as it sees an
// admin write: a new revision in the SQLite file.
// Usage: OAUTH2_DATA_DIR=... OAUTH2_MASTER_KEY=... node bench/store-apply.js <document.json>
// Prints one JSON line: { revision, warnings, applied, ms }.
const fs = require('node:fs');
const path = require('node:path');

async function main() {
  const { openStore } = require(path.join(process.env.BENCH_DIST || path.join(__dirname, '../dist'), 'libs/store/src'));
  const text = fs.readFileSync(process.argv[2], 'utf8');
  const store = await openStore({ dataDir: process.env.OAUTH2_DATA_DIR, masterKey: process.env.OAUTH2_MASTER_KEY });
  const t0 = process.hrtime.bigint();
  const res = await store.apply(text, { dryRun: false });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  await store.close();
  process.stdout.write(JSON.stringify({ revision: res.revision, warnings: res.warnings.length, applied: res.applied, ms }) + '\n');
}

main().catch((e) => {
  process.stderr.write(`store-apply: ${String(e && e.message).split('\n')[0]}\n`);
  process.exit(1);
});
