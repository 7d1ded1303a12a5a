import Database from 'better-sqlite3';
import * as path from 'node:path';
import { runConcurrent, seededStackPerBlock } from '@oauth2/testing';

// Another process holds the store's write lock for longer than the admin API waits for it (10 s):
// the write is refused with a retryable 503 (not a 500), nothing half-written, and the gateway
// serves throughout. Slow (~12 s) because the admin API's lock wait is not configurable.
jest.setTimeout(60_000);

const s = seededStackPerBlock({ echoRoutes: [{ name: 'open', path_prefix: '/open' }], settings: { global_auth: false } });

it('a write that cannot get the lock is a 503 with Retry-After; the gateway keeps serving; the write succeeds once the lock is free', async () => {
  const lock = new Database(path.join(s.admin.dataDir, 'oauth2.db'), { timeout: 5000 });
  const rev = (await s.call('GET', '/v1/revision')).revision;
  let r;
  try {
    lock.exec('BEGIN IMMEDIATE');
    const pending = s.admin.api('POST', '/v1/consumers', { name: 'blocked' });
    // The gateway answers while the admin API waits on the lock.
    for (let round = 0; round < 5; round++) {
      const st = await runConcurrent(20, 5, async () => (await s.request('/open/x')).status);
      expect(st).toEqual(Array(20).fill(200));
    }
    r = await pending;
  } finally {
    lock.exec('ROLLBACK');
    lock.close();
  }
  expect(r.status).toBe(503);
  expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(r.json).toMatchObject({ code: 503 });
  expect((await s.call('GET', '/v1/revision')).revision).toBe(rev);
  expect((await s.admin.api('POST', '/v1/consumers', { name: 'blocked' })).status).toBe(201);
});
