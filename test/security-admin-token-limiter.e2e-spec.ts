import * as http from 'node:http';
import { spawnAdmin, type AdminProcess } from '@oauth2/testing';

// Guessing the admin token (issue 11): wrong tokens are counted per source address; past the
// budget that address gets 429 + Retry-After (even with the right token), other addresses do not.
// Through the real admin API process; a second source address is 127.0.0.2 (loopback is 127/8).
jest.setTimeout(60_000);

let admin: AdminProcess;
beforeAll(async () => {
  admin = await spawnAdmin({ env: { OAUTH2_ADMIN_MAX_AUTH_FAILURES: '5' } });
});
afterAll(async () => {
  await admin?.stop();
});

function get(token: string, localAddress: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  const u = new URL(admin.url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path: '/v1/revision', localAddress, agent: false, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

it('after 5 wrong tokens from one address: 429 + Retry-After with a {code,msg} body, also for the right token; another address is unaffected', async () => {
  for (let i = 0; i < 5; i++) expect((await get(`wrong-${i}`, '127.0.0.1')).status).toBe(401);
  const locked = await get('wrong-again', '127.0.0.1');
  expect(locked.status).toBe(429);
  expect(Number(locked.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  expect(JSON.parse(locked.text)).toEqual({ code: 429, msg: expect.stringMatching(/too many wrong admin tokens/) });
  expect(locked.text).not.toContain('\n');
  const right = await get(admin.token, '127.0.0.1');
  expect(right.status).toBe(429);
  expect(right.text).not.toContain(admin.token);
  expect((await get(admin.token, '127.0.0.2')).status).toBe(200);
  expect((await get('wrong', '127.0.0.2')).status).toBe(401);
});
