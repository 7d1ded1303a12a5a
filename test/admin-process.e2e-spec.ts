/** The admin API as a process: environment refusals, the admin.token file, logs, SIGTERM. */
import { ADMIN_ENTRY, makeTempDir, readAdminToken, runToExit, spawnAdmin } from '@oauth2/testing';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';

describe('start-up', () => {
  it('without OAUTH2_ADMIN_TOKEN writes admin.token 0600, logs its path (never the token), and enforces it', async () => {
    const admin = await spawnAdmin({ token: false });
    try {
      const file = path.join(admin.dataDir, 'admin.token');
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      const token = readAdminToken(admin.dataDir);
      expect(token.length).toBeGreaterThanOrEqual(32);
      const listening = admin.jsonLogs().find((l) => l.msg === 'listening')!;
      expect(listening.url).toBe(admin.url);
      expect(listening.admin_token_file).toBe(file);
      expect(admin.logs.join('\n')).not.toContain(token);
      expect((await admin.api('GET', '/v1/revision')).status).toBe(200);
      const wrong = await fetch(`${admin.url}/v1/revision`, { headers: { authorization: `Bearer ${token}x` } });
      expect(wrong.status).toBe(401);
    } finally {
      expect(await admin.stop()).toBe(0);
    }
  });

  it('a restart on the same data dir keeps the token file', async () => {
    const dir = makeTempDir('admin-restart-');
    try {
      const a = await spawnAdmin({ token: false, env: { OAUTH2_DATA_DIR: dir.path } });
      const first = a.token;
      expect(await a.stop()).toBe(0);
      const b = await spawnAdmin({ token: false, env: { OAUTH2_DATA_DIR: dir.path } });
      expect(b.token).toBe(first);
      expect((await b.api('GET', '/v1/revision')).status).toBe(200);
      expect(await b.stop()).toBe(0);
    } finally {
      dir.cleanup();
    }
  });

  it('every bad variable is named in one line on stderr, exit 1, no stack trace', async () => {
    const dir = makeTempDir('admin-env-');
    try {
      const res = await runToExit(ADMIN_ENTRY, {
        OAUTH2_DATA_DIR: dir.path,
        ADMIN_PORT: 'eighty',
        ADMIN_HOST: 'bad host',
        OAUTH2_ADMIN_TOKEN: 'short',
        OAUTH2_MASTER_KEY: 'not-a-key',
      });
      expect(res.code).toBe(1);
      const lines = res.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      for (const v of ['ADMIN_PORT', 'ADMIN_HOST', 'OAUTH2_ADMIN_TOKEN', 'OAUTH2_MASTER_KEY']) expect(lines[0]).toContain(v);
      expect(res.stderr).not.toMatch(/\n\s+at /);
      expect(res.stderr + res.stdout).not.toContain('not-a-key');
    } finally {
      dir.cleanup();
    }
  });

  it.each([
    ['port out of range', { ADMIN_PORT: '70000' }, /ADMIN_PORT/],
    ['database is a directory', { OAUTH2_DATABASE: '.' }, /database|store/i],
  ])('%s: one clear line, non-zero exit', async (_t, env, what) => {
    const dir = makeTempDir('admin-bad-');
    try {
      const e = { ...env } as Record<string, string>;
      if (e.OAUTH2_DATABASE) e.OAUTH2_DATABASE = dir.path;
      const res = await runToExit(ADMIN_ENTRY, { OAUTH2_DATA_DIR: path.join(dir.path, 'data'), ADMIN_PORT: '0', OAUTH2_ADMIN_TOKEN: undefined, ...e });
      expect(res.code).not.toBe(0);
      expect(res.stderr.trim().split('\n')).toHaveLength(1);
      expect(res.stderr).toMatch(what);
      expect(res.stderr).not.toMatch(/\n\s+at /);
    } finally {
      dir.cleanup();
    }
  });

  it('a port already in use is one clear line, non-zero exit', async () => {
    const admin = await spawnAdmin();
    try {
      const port = new URL(admin.url).port;
      const res = await runToExit(ADMIN_ENTRY, { OAUTH2_DATA_DIR: admin.dataDir, ADMIN_PORT: port, OAUTH2_ADMIN_TOKEN: admin.token });
      expect(res.code).not.toBe(0);
      expect(res.stderr).toMatch(new RegExp(`listen.*${port}`));
      expect(res.stderr).not.toMatch(/\n\s+at /);
    } finally {
      expect(await admin.stop()).toBe(0);
    }
  });
});

describe('SIGTERM', () => {
  it('finishes the request in flight, then exits 0', async () => {
    const admin = await spawnAdmin();
    const { hostname, port } = new URL(admin.url);
    const body = JSON.stringify({ name: 'in-flight' });
    // Expect: 100-continue proves the server has parsed the request before we signal it.
    const req = http.request({
      host: hostname,
      port,
      method: 'POST',
      path: '/v1/consumers',
      headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), expect: '100-continue' },
    });
    const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
      req.on('response', (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, text }));
      });
      req.on('error', reject);
    });
    await new Promise<void>((resolve) => req.on('continue', resolve));
    admin.child.kill('SIGTERM');
    await admin.waitForLog(/shutting down/);
    req.end(body);
    const res = await response;
    expect(res.status).toBe(201);
    expect(JSON.parse(res.text).name).toBe('in-flight');
    expect(await admin.exited).toBe(0);
    await admin.stop();
  });
});
