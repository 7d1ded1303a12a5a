/**
 * Is Host, or the auth header, sent more than once? node:http keeps the first Host and the first
 * Authorization and drops the rest, so a repeated one would be verified as one value and forwarded
 * as two (RFC 9112 §3.2: a request with two Host headers is 400). One pass over the raw names.
 */
export function hasRepeatedHeader(raw: readonly string[], authHeader: string): boolean {
  let host = 0;
  let auth = 0;
  const authLen = authHeader.length;
  for (let i = 0; i < raw.length; i += 2) {
    const n = raw[i];
    if (n.length === 4) {
      if (n.toLowerCase() === 'host' && ++host > 1) return true;
    } else if (n.length === authLen && n.toLowerCase() === authHeader && ++auth > 1) return true;
  }
  return false;
}
