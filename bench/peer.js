// @ts-check
'use strict';
// PEER target: what a team would build with off-the-shelf parts — fastify 5 + @fastify/jwt
// (HS256, same secret, verified on every request) + @fastify/http-proxy — doing the same job
// as our authenticated route: verify the token, check an allow-list, forward to the upstream.
// Env: UPSTREAM_URL, JWT_SECRET, JWT_ISSUER, ALLOW (comma list of consumer names), PORT.
const Fastify = require('fastify');

const upstream = process.env.UPSTREAM_URL;
const secret = process.env.JWT_SECRET;
if (!upstream || !secret) {
  process.stderr.write('peer: UPSTREAM_URL and JWT_SECRET are required\n');
  process.exit(2);
}
const allow = new Set((process.env.ALLOW || 'bench').split(','));

async function main() {
  const app = Fastify({ logger: false });
  await app.register(require('@fastify/jwt'), {
    secret,
    // Same checks as ours where fast-jwt has them: pinned alg, issuer, exp/iat with leeway.
    verify: { algorithms: ['HS256'], allowedIss: process.env.JWT_ISSUER || 'Higress-Gateway', clockTolerance: 60 },
  });
  app.addHook('onRequest', async (req, reply) => {
    await req.jwtVerify();
    if (!allow.has(/** @type {{ sub: string }} */ (req.user).sub)) {
      reply.code(403).send({ code: 403, msg: 'Access Denied: not allowed' });
      return reply;
    }
  });
  await app.register(require('@fastify/http-proxy'), {
    upstream,
    prefix: '/',
    replyOptions: {
      rewriteRequestHeaders: (req, headers) => ({ ...headers, 'x-mse-consumer': /** @type {{ sub: string }} */ (/** @type {any} */ (req).user).sub }),
    },
  });
  const url = await app.listen({ port: Number(process.env.PORT || 0), host: '127.0.0.1' });
  process.stdout.write(JSON.stringify({ msg: 'listening', url }) + '\n');
  process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
}

main().catch((e) => {
  process.stderr.write(`peer: ${e.message}\n`);
  process.exit(1);
});
