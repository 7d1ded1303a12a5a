import { createHmac, randomUUID } from 'node:crypto';
import type { IssueOptions, TokenConsumer } from './token-api';

/** The header Higress emits, byte for byte; encoded once. */
export const ISSUED_HEADER_JSON = '{"alg":"HS256","typ":"application/at+jwt"}';
const ENCODED_HEADER = Buffer.from(ISSUED_HEADER_JSON, 'utf8').toString('base64url');

/** Issues an RFC 9068 access token signed HS256 with the consumer's key (SPEC §3.4). Synchronous. */
export function issueAccessToken(consumer: TokenConsumer, opts: IssueOptions): string {
  const iat = Math.floor(opts.nowSeconds);
  // Keys in lexical order, as Go's encoding/json writes a map: the same bytes Higress would sign.
  const claims: Record<string, unknown> = {
    aud: opts.audience,
    client_id: consumer.client_id,
    exp: iat + opts.ttlSeconds,
    iat,
    iss: opts.issuer,
    jti: opts.jti ?? randomUUID(),
  };
  if (opts.scope !== undefined) claims.scope = opts.scope;
  claims.sub = consumer.name;
  const signingInput = ENCODED_HEADER + '.' + Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url');
  const sig = createHmac('sha256', consumer.key).update(signingInput).digest('base64url');
  return signingInput + '.' + sig;
}
