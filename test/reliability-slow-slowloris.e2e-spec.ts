import * as net from 'node:net';
import { seededStackPerBlock, statusLines } from '@oauth2/testing';

// Slowloris: a client that trickles its header block must be cut off by the server's
// headersTimeout instead of holding a connection forever. The gateway's headersTimeout is 20 s and
// not configurable (node checks it every 30 s), so this test takes up to ~50 s: hence "slow".
jest.setTimeout(120_000);

const s = seededStackPerBlock({ echoRoutes: [{ name: 'open', path_prefix: '/open' }], settings: { global_auth: false } });

it('a header block sent one byte every 200 ms is cut off by the server (headersTimeout), and the gateway still serves', async () => {
  const port = Number(new URL(s.gateway.url).port);
  const HARD_LIMIT_MS = 90_000; // the test's own bound: the server must close before this
  const result = await new Promise<{ closedByServer: boolean; received: string; bytesSent: number }>((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    const header = 'GET /open/x HTTP/1.1\r\nHost: a\r\n' + 'X-Slow: ' + 'a'.repeat(100_000);
    let i = 0;
    let received = '';
    let done = false;
    const finish = (closedByServer: boolean) => {
      if (done) return;
      done = true;
      clearInterval(drip);
      clearTimeout(limit);
      sock.destroy();
      resolve({ closedByServer, received, bytesSent: i });
    };
    const drip = setInterval(() => {
      if (i < header.length) sock.write(header[i++]);
    }, 200);
    const limit = setTimeout(() => finish(false), HARD_LIMIT_MS);
    sock.on('data', (d) => (received += d.toString('latin1')));
    sock.on('end', () => finish(true));
    sock.on('close', () => finish(true));
    sock.on('error', () => finish(true));
  });
  expect(result.closedByServer).toBe(true);
  // Node answers 408 when it can; a bare close is acceptable too. Never a 2xx.
  for (const st of statusLines(result.received)) expect(st).toBe(408);
  expect(result.bytesSent).toBeLessThan(100_000);
  // The gateway still serves.
  expect((await s.request('/open/after')).status).toBe(200);
});
