#!/usr/bin/env node
// `npm test`: says once, before jest starts, which tests will skip themselves on this machine.
'use strict';
if (!process.env.OAUTH2_TEST_POSTGRES_URL || !process.env.OAUTH2_TEST_POSTGRES_URL.trim()) {
  process.stdout.write('note: the PostgreSQL tests are skipped: OAUTH2_TEST_POSTGRES_URL is not set ' + '(`. scripts/ci-postgres.sh` starts a throwaway PostgreSQL and sets it; .ci/run does)\n');
}
