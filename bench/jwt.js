// @ts-check
'use strict';
// Crafts HS256 access tokens with node:crypto alone (the Higress token format, docs/higress-mapping.md), so the bench does not
// depend on our token lib: the gateway must accept what any RFC 9068 issuer would produce.
const crypto = require('node:crypto');

const b64u = (buf) => Buffer.from(buf).toString('base64url');

/** Returns a compact JWS signed with `secret` (a string: its UTF-8 bytes are the key). */
function craftToken({ secret, sub, clientId, issuer = 'Higress-Gateway', aud = 'default', ttl = 3600 }) {
  const now = Math.floor(Date.now() / 1000);
  const header = b64u(JSON.stringify({ alg: 'HS256', typ: 'application/at+jwt' }));
  const claims = { iss: issuer, sub, aud, client_id: clientId, iat: now, exp: now + ttl, jti: crypto.randomUUID() };
  const payload = b64u(JSON.stringify(claims));
  const sig = crypto.createHmac('sha256', Buffer.from(secret, 'utf8')).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${sig}`;
}

/** Same token with its signature's bytes flipped: well-formed, signed with the wrong key. */
function badSignature(token) {
  const [h, p, s] = token.split('.');
  const raw = Buffer.from(s, 'base64url');
  for (let i = 0; i < raw.length; i++) raw[i] ^= 0x5a;
  return `${h}.${p}.${raw.toString('base64url')}`;
}

/** A random secret of >= 32 characters (shorter HS256 keys are refused). */
function randomSecret() {
  return crypto.randomBytes(32).toString('base64url');
}

module.exports = { craftToken, badSignature, randomSecret };
