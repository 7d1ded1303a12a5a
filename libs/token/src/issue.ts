import { createHmac, randomUUID } from 'node:crypto';
import { signWithKey, type SigningKey } from './signing-keys';
import type { IssueOptions, TokenConsumer } from './token-api';

/** The header Higress emits, byte for byte; encoded once. */
export const ISSUED_HEADER_JSON = '{"alg":"HS256","typ":"application/at+jwt"}';
const ENCODED_HEADER = Buffer.from(ISSUED_HEADER_JSON, 'utf8').toString('base64url');

/** The encoded claims: the same for every algorithm. */
function encodedClaims(consumer: TokenConsumer | { name: string; client_id: string }, opts: IssueOptions): string {
  const iat = Math.floor(opts.nowSeconds);
  // Keys in lexical order, as Go's encoding/json writes a map: the same bytes Higress would sign.
  const claims: Record<string, unknown> = {
    aud: opts.audience,
    client_id: consumer.client_id,
    ...(opts.cnf !== undefined ? { cnf: opts.cnf } : {}),
    exp: iat + opts.ttlSeconds,
    iat,
    iss: opts.issuer,
    jti: opts.jti ?? randomUUID(),
  };
  if (opts.scope !== undefined) claims.scope = opts.scope;
  claims.sub = consumer.name;
  return Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url');
}

/** Issues an RFC 9068 access token signed HS256 with the consumer's key (the Higress format, docs/higress-mapping.md). Synchronous. */
export function issueAccessToken(consumer: TokenConsumer, opts: IssueOptions): string {
  const signingInput = ENCODED_HEADER + '.' + encodedClaims(consumer, opts);
  const sig = createHmac('sha256', consumer.key).update(signingInput).digest('base64url');
  return signingInput + '.' + sig;
}

/** Encoded `{"alg","typ","kid"}` headers, by key record (a key signs many tokens). */
const headers = new WeakMap<SigningKey, string>();

/**
 * Issues the same token signed with a gateway key (docs/signing-keys.md): header
 * `{"alg":<key alg>,"typ":"application/at+jwt","kid":<kid>}`, so a resource server can verify it
 * with the gateway's JWKS. The key must carry its private half (the active key). Synchronous.
 */
export function issueAccessTokenWithKey(consumer: { name: string; client_id: string }, key: SigningKey, opts: IssueOptions): string {
  let h = headers.get(key);
  if (h === undefined) {
    h = Buffer.from(JSON.stringify({ alg: key.alg, typ: 'application/at+jwt', kid: key.kid }), 'utf8').toString('base64url');
    headers.set(key, h);
  }
  const signingInput = h + '.' + encodedClaims(consumer, opts);
  return signingInput + '.' + signWithKey(key, signingInput);
}
