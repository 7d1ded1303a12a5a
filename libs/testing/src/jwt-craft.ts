/**
 * Owner: token lib. Independent JWS crafting for tests, with node:crypto only and no import of
 * libs/token, so a bug in our signer cannot hide the same bug in our verifier.
 */
import { constants, createHmac, createPrivateKey, sign } from 'node:crypto';

export const b64url = (data: string | Buffer): string => (typeof data === 'string' ? Buffer.from(data, 'utf8') : data).toString('base64url');

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
  const sig =
    opts.signature ??
    createHmac(opts.hash ?? 'sha256', secret)
      .update(input)
      .digest('base64url');
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
    t
      .split('.')
      .map((p) => p + '='.repeat((4 - (p.length % 4)) % 4))
      .join('.'),
  /** The signature re-spelled with the standard alphabet (`+`, `/`). */
  standardAlphabet: (t: string): string => {
    const i = t.lastIndexOf('.');
    return (
      t.slice(0, i + 1) +
      t
        .slice(i + 1)
        .replace(/-/g, '+')
        .replace(/_/g, '/')
    );
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

/** The order of the P-256 group (FIPS 186-4 D.1.2.3). */
export const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/** The ES256 signature (r||s, base64url) with s replaced by n - s: the other valid spelling. */
export function flipEcdsaS(sigB64: string): string {
  const sig = Buffer.from(sigB64, 'base64url');
  const s = P256_ORDER - BigInt('0x' + sig.toString('hex', 32, 64));
  return Buffer.concat([sig.subarray(0, 32), Buffer.from(s.toString(16).padStart(64, '0'), 'hex')]).toString('base64url');
}

/** Whether an ES256 signature's s is above n/2. */
export function isHighS(sigB64: string): boolean {
  const sig = Buffer.from(sigB64, 'base64url');
  return BigInt('0x' + sig.toString('hex', 32, 64)) > P256_ORDER >> 1n;
}

export interface KeyCraftOptions {
  /** ES256 only: which of the two valid signatures to write (node:crypto returns either); default low. */
  ecdsaS?: 'low' | 'high';
}

/** A JWS signed with node:crypto and a PKCS#8 private key: RS256, ES256 (r||s) or EdDSA (Ed25519). */
export function craftWithKey(header: JsonPart, payload: JsonPart, privatePem: string, alg: 'RS256' | 'ES256' | 'EdDSA', opts: KeyCraftOptions = {}): string {
  const input = `${b64url(text(header))}.${b64url(text(payload))}`;
  const key = createPrivateKey(privatePem);
  const data = Buffer.from(input);
  if (alg === 'RS256') return `${input}.${sign('sha256', data, { key, padding: constants.RSA_PKCS1_PADDING }).toString('base64url')}`;
  if (alg === 'EdDSA') return `${input}.${sign(null, data, key).toString('base64url')}`;
  const sig = sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' }).toString('base64url');
  return `${input}.${isHighS(sig) === ((opts.ecdsaS ?? 'low') === 'high') ? sig : flipEcdsaS(sig)}`;
}
