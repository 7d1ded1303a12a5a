/**
 * Owner: token lib. Independent JWS crafting for tests, with node:crypto only and no import of
 * libs/token, so a bug in our signer cannot hide the same bug in our verifier.
 */
import { createHmac } from 'node:crypto';

export const b64url = (data: string | Buffer): string =>
  (typeof data === 'string' ? Buffer.from(data, 'utf8') : data).toString('base64url');

/** A header or payload: an object (JSON-encoded) or the exact JSON text to encode. */
export type JsonPart = object | string;

const text = (p: JsonPart): string => (typeof p === 'string' ? p : JSON.stringify(p));

export interface CraftOptions {
  /** Replace the signature segment with this exact text ('' gives `a.b.`). */
  signature?: string;
  /** Sign with this HMAC instead of SHA-256 (for HS384/HS512 tokens). */
  hash?: 'sha256' | 'sha384' | 'sha512';
}

/** Builds `b64url(header).b64url(payload).b64url(HMAC(secret, signingInput))`. */
export function craftHs256(header: JsonPart, payload: JsonPart, secret: string, opts: CraftOptions = {}): string {
  const input = `${b64url(text(header))}.${b64url(text(payload))}`;
  const sig = opts.signature ?? createHmac(opts.hash ?? 'sha256', secret).update(input).digest('base64url');
  return `${input}.${sig}`;
}

/** The HMAC-SHA256 signature (base64url) of a signing input, for hand-assembled tokens. */
export function hs256Signature(signingInput: string, secret: string): string {
  return createHmac('sha256', secret).update(signingInput).digest('base64url');
}

/** The header our gateway and Higress emit. */
export const AT_HEADER = { alg: 'HS256', typ: 'application/at+jwt' } as const;

export interface StandardClaimsInput {
  name: string;
  clientId: string;
  issuer?: string;
  audience?: string | string[];
  now: number;
  ttl?: number;
}

/** The claims a valid token for `name` carries. */
export function standardClaims(c: StandardClaimsInput): Record<string, unknown> {
  const ttl = c.ttl ?? 7200;
  return {
    aud: c.audience ?? 'default',
    client_id: c.clientId,
    exp: c.now + ttl,
    iat: c.now,
    iss: c.issuer ?? 'Higress-Gateway',
    jti: '00000000-0000-4000-8000-000000000000',
    sub: c.name,
  };
}

/** Common tamperings of a compact token, for refusal tables. */
export const mutate = {
  /** The same token without its signature: `h.p.` */
  stripSignature: (t: string): string => t.slice(0, t.lastIndexOf('.') + 1),
  /** Only two parts: `h.p` */
  twoParts: (t: string): string => t.slice(0, t.lastIndexOf('.')),
  /** A fourth part appended. */
  fourParts: (t: string): string => `${t}.${t.split('.')[2]}`,
  /** Standard base64 padding added to every part (and `=` is not base64url). */
  padded: (t: string): string =>
    t.split('.').map((p) => p + '='.repeat((4 - (p.length % 4)) % 4)).join('.'),
  /** The signature re-spelled with the standard alphabet (`+`, `/`). */
  standardAlphabet: (t: string): string => {
    const i = t.lastIndexOf('.');
    return t.slice(0, i + 1) + t.slice(i + 1).replace(/-/g, '+').replace(/_/g, '/');
  },
  /** One character of the signature changed. */
  flipSignatureChar: (t: string): string => {
    const last = t.length - 2;
    return t.slice(0, last) + (t[last] === 'A' ? 'B' : 'A') + t.slice(last + 1);
  },
  /** Replace the header segment with the encoding of `header` (signature kept, so now invalid). */
  withHeader: (t: string, header: JsonPart): string => `${b64url(text(header))}${t.slice(t.indexOf('.'))}`,
};

/**
 * The JSON text of `obj` with one more member `"key": value` appended, whatever `obj` already has
 * (a duplicate key when it has `key`): JSON.stringify cannot write one.
 */
export function withExtraMember(obj: object, key: string, value: unknown): string {
  const t = JSON.stringify(obj);
  return `${t.slice(0, -1)}${t.length > 2 ? ',' : ''}${JSON.stringify(key)}:${JSON.stringify(value)}}`;
}
