import * as net from 'node:net';
import { networkInterfaces } from 'node:os';
import { ADMIN_ENTRY, GATEWAY_ENTRY, makeTempDir, runToExit, startGatewayStack } from '@oauth2/testing';

// Start-up environment through a real process (issues 12/13: one loader, one error shape in both
// apps), and the status port's own listen address (issue 11: /metrics is not public by default).
jest.setTimeout(60_000);

const SECRET_KEY = 'not-a-master-key-but-secret';

describe('a bad environment: one stderr line, the same shape in both apps, exit 1', () => {
  it('gateway', async () => {
    const dir = makeTempDir('env-gw');
    try {
      const r = await runToExit(GATEWAY_ENTRY, { OAUTH2_DATA_DIR: dir.path, GATEWAY_PORT: 'abc', GATEWAY_STATUS_HOST: 'a b', OAUTH2_MASTER_KEY: SECRET_KEY });
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(
        'gateway: invalid environment: OAUTH2_MASTER_KEY (value hidden) must be 32 bytes as 64 hex digits, base64 or base64url; ' +
          'GATEWAY_PORT="abc" must be an integer 0-65535 (0 = any free port); GATEWAY_STATUS_HOST="a b" must be a host name or IP address\n',
      );
    } finally {
      dir.cleanup();
    }
  });

  it('admin API', async () => {
    const dir = makeTempDir('env-admin');
    try {
      const r = await runToExit(ADMIN_ENTRY, { OAUTH2_DATA_DIR: dir.path, ADMIN_PORT: 'abc', OAUTH2_ADMIN_TOKEN: 'short-secret', OAUTH2_MASTER_KEY: SECRET_KEY });
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        'admin-api: invalid environment: OAUTH2_MASTER_KEY (value hidden) must be 32 bytes as 64 hex digits, base64 or base64url; ' +
          'ADMIN_PORT="abc" must be an integer 0-65535 (0 = any free port); OAUTH2_ADMIN_TOKEN (value hidden) must be 16-4096 printable ASCII characters without spaces\n',
      );
      expect(r.stderr + r.stdout).not.toContain('short-secret');
    } finally {
      dir.cleanup();
    }
  });
});

describe('the status port listens on GATEWAY_STATUS_HOST (default 127.0.0.1), not GATEWAY_HOST', () => {
  const external = Object.values(networkInterfaces())
    .flat()
    .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal)?.address;

  it('GATEWAY_HOST=0.0.0.0 alone: the status URL is loopback; on another address only the traffic port answers', async () => {
    const s = await startGatewayStack({ gatewayEnv: { GATEWAY_HOST: '0.0.0.0' } });
    try {
      const status = new URL(s.gateway.statusUrl);
      expect(status.hostname).toBe('127.0.0.1');
      expect((await fetch(s.gateway.statusUrl + '/healthz')).status).toBe(200);
      if (external !== undefined) {
        const tryConnect = (port: number) =>
          new Promise<string>((resolve) => {
            const c = net.connect({ host: external, port }, () => {
              c.destroy();
              resolve('open');
            });
            c.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
          });
        expect(await tryConnect(Number(status.port))).toBe('ECONNREFUSED');
        expect(await tryConnect(Number(new URL(s.gateway.url).port))).toBe('open');
      }
    } finally {
      await s.stop();
    }
  });
});
