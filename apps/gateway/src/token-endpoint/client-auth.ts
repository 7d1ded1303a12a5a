import { createHash, hash, timingSafeEqual } from 'node:crypto';
import type { CompiledConsumer, PreviousSecret } from '@oauth2/core';

export type BasicCredentials = { ok: true; clientId: string; clientSecret: string } | { ok: false };

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const BAD: BasicCredentials = Object.freeze({ ok: false });

/** Is the Authorization header an HTTP Basic one (scheme is case-insensitive, RFC 7235 §2.1)? */
export function isBasic(header: string | undefined): header is string {
  return header !== undefined && header.length >= 6 && header.slice(0, 6).toLowerCase() === 'basic ';
}

function formDecode(s: string): string {
  return decodeURIComponent(s.replace(/\+/g, ' '));
}

/**
 * client_secret_basic (RFC 6749 §2.3.1): `Basic base64(urlencode(id) ":" urlencode(secret))`.
 * Anything malformed is an authentication failure of the client, never a crash.
 */
export function parseBasic(header: string): BasicCredentials {
  const b64 = header.slice(6).trim();
  if (b64.length === 0 || b64.length % 4 !== 0 || !BASE64.test(b64)) return BAD;
  const decoded = Buffer.from(b64, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return BAD;
  try {
    return { ok: true, clientId: formDecode(decoded.slice(0, colon)), clientSecret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    return BAD;
  }
}

const digests = new WeakMap<object, Buffer>();
const DUMMY = createHash('sha256').update('no such client').digest();

/** One-shot crypto.hash (Node >= 20.12): no Hash object per token request, ~0.5 µs less. */
function sha256(s: string): Buffer {
  return hash('sha256', s, 'buffer') as unknown as Buffer;
}

/** sha256 of `secret`, remembered per (immutable) snapshot object `owner`. */
function digestOf(owner: object, secret: string): Buffer {
  let d = digests.get(owner);
  if (d === undefined) {
    d = sha256(secret);
    digests.set(owner, d);
  }
  return d;
}

/** An authenticated client; `previous`: it gave the previous secret of a rotation, within its grace (SPEC §8.4). */
export type AuthenticatedClient = { consumer: CompiledConsumer; previous: PreviousSecret | null };

/**
 * Looks the client up and checks its secret in constant time: both sides are hashed first so the
 * comparison length never depends on the secret, and an unknown id costs the same work. While a
 * rotation's grace lasts (`nowSeconds < expires_at`) the previous secret is accepted too.
 */
export function authenticateClient(consumers: ReadonlyMap<string, CompiledConsumer>, clientId: string, clientSecret: string, nowSeconds: number): AuthenticatedClient | null {
  const given = sha256(clientSecret);
  const c = consumers.get(clientId);
  if (c === undefined) {
    timingSafeEqual(given, DUMMY);
    return null;
  }
  if (timingSafeEqual(given, digestOf(c, c.client_secret))) return { consumer: c, previous: null };
  const p = c.previous;
  // Expiry first: an ended grace never has its (sealed) secret opened.
  if (p === null || nowSeconds >= p.expires_at || p.secret === null) return null;
  return timingSafeEqual(given, digestOf(p, p.secret)) ? { consumer: c, previous: p } : null;
}
