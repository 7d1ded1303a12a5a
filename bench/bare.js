// @ts-check
'use strict';
// BARE target: the "bare-proxy ceiling" of one Node process — node:http in, undici Pool out, an
// HS256 HMAC check (node:crypto, every request) and nothing else: no claims, routes, rules,
// metrics or header hygiene. Whatever our gateway spends beyond this is the cost of the token checks (docs/request-flow.md).
// Request bodies are not forwarded (the bench sends BARE only GETs). Env: UPSTREAM_URL, JWT_SECRET, PORT.
const http = require('node:http');
const crypto = require('node:crypto');
const { Pool } = require('undici');

const key = Buffer.from(process.env.JWT_SECRET || '', 'utf8');
const pool = new Pool(process.env.UPSTREAM_URL, { connections: 128, pipelining: 1 });

function validHs256(auth) {
  if (typeof auth !== 'string' || !auth.startsWith('Bearer ')) return false;
  const dot = auth.lastIndexOf('.');
  if (dot < 7) return false;
  const mac = crypto.createHmac('sha256', key).update(auth.slice(7, dot)).digest();
  const sig = Buffer.from(auth.slice(dot + 1), 'base64url');
  return sig.length === mac.length && crypto.timingSafeEqual(sig, mac);
}

// undici's dispatch() with a plain handler (as our forwarder does): pool.request() would add a
// Readable and a pipe per request, and the ceiling should be the cheapest honest proxy.
const server = http.createServer((req, res) => {
  if (!validHs256(req.headers.authorization)) return void res.writeHead(401, { 'content-length': 0 }).end();
  pool.dispatch(
    { path: req.url, method: req.method, headers: ['x-forwarded-for', req.socket.remoteAddress] },
    {
      onRequestStart() {},
      onResponseStart: (_c, status, headers) => void res.writeHead(status, { 'content-type': String(headers['content-type']), 'content-length': String(headers['content-length']) }),
      onResponseData: (_c, chunk) => void res.write(chunk), // no backpressure: the bench body is 101 bytes
      onResponseEnd: () => void res.end(),
      onResponseError: () => void (res.headersSent ? res.destroy() : res.writeHead(502, { 'content-length': 0 }).end()),
    },
  );
});
server.keepAliveTimeout = 65000;
server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ msg: 'listening', url: `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}` }) + '\n');
});
process.on('SIGTERM', () => server.close(() => process.exit(0)).closeAllConnections());
