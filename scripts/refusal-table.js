#!/usr/bin/env node
'use strict';
// Prints the refusal table of docs/request-flow.md from the built failure table (npm run build
// first): `node scripts/refusal-table.js`. libs/core/src/failures.spec.ts fails when the doc lacks
// a code, so a new refusal is one FAILURES row, then this, pasted into the doc.
const { FAILURES } = require('../dist/libs/core/src/failures.js');
console.log('| code | status | metrics outcome | message |\n|---|---|---|---|');
for (const [code, f] of Object.entries(FAILURES)) {
  const a = f.answerAs ? FAILURES[f.answerAs] : f;
  const msg = a.msg.replace(/\|/g, '\\|') + (f.answerAs ? ` (answered as \`${f.answerAs}\`)` : '');
  console.log(`| \`${code}\` | ${a.status} | ${f.outcome} | ${msg} |`);
}
