// @ts-check
'use strict';
// DIRECT target and the upstream behind every proxy scenario: the cheapest possible node:http
// server (fixed ~100-byte JSON body, keep-alive), so it is the ceiling every ratio is taken from.
const http = require('node:http');

const body = Buffer.from(JSON.stringify({ ok: true, service: 'bench-upstream', items: [1, 2, 3], note: 'fixed body of about one hundred bytes' }));

const server = http.createServer((req, res) => {
  // Drain any request body so keep-alive connections stay usable.
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
});
server.keepAliveTimeout = 65000;
server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  process.stdout.write(JSON.stringify({ msg: 'listening', url: `http://127.0.0.1:${port}`, bytes: body.length }) + '\n');
});
process.on('SIGTERM', () => server.close(() => process.exit(0)).closeAllConnections());
