// @ts-check
'use strict';
// Seeds N routes straight into a SQLite store in ONE transaction that also bumps the revision, the
// way a config write would (the change-log triggers record every row). For the 1,000,000-consumer
// big config only: 100,000 routes through POST /v1/routes (one transaction each) take minutes on a
// 2-core machine, and the route write path is not what the bench measures.
// Usage: node bench/seed-routes.js <oauth2.db> <count> <upstream url>   Prints { revision, ms }.
const path = require('node:path');
const Database = require(require.resolve('better-sqlite3', { paths: [path.join(__dirname, '..')] }));

const pad = (i) => String(i).padStart(6, '0');

function main() {
  const [file, countText, upstream] = process.argv.slice(2);
  const n = Number(countText);
  const db = new Database(file);
  db.pragma('busy_timeout = 30000');
  const t0 = process.hrtime.bigint();
  const insert = db.prepare('INSERT INTO "route" ("name", "hosts", "path_prefix", "upstream", "strip_prefix", "created_at") VALUES (?, ?, ?, ?, 0, ?)');
  const now = new Date().toISOString();
  const run = db.transaction(() => {
    db.prepare('UPDATE "revision" SET "value" = "value" + 1 WHERE "id" = 1').run();
    for (let i = 0; i < n; i++) insert.run(`r-${pad(i)}`, JSON.stringify(i % 2 === 0 ? [`h${pad(i)}.example.com`] : []), `/svc/${pad(i)}`, upstream, now);
    return db.prepare('SELECT "value" FROM "revision" WHERE "id" = 1').get();
  });
  const rev = /** @type {{ value: number }} */ (run.immediate());
  db.close();
  process.stdout.write(JSON.stringify({ revision: rev.value, ms: Number(process.hrtime.bigint() - t0) / 1e6 }) + '\n');
}

main();
