import { createHash, X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { TrustedProxies } from './trusted-proxies';

/**
 * The request's client certificate as RFC 8705's `x5t#S256` (base64url SHA-256 of the DER), for
 * certificate-bound tokens (docs/tls.md):
 * - on the TLS listener with GATEWAY_TLS_CLIENT_CA set, the certificate the client presented in the
 *   handshake (possession of its key is proven there; chain checks are not needed for the binding);
 * - otherwise, only from a GATEWAY_TRUSTED_PROXIES peer, the certificate it forwards: Envoy's
 *   `X-Forwarded-Client-Cert` (`Hash=<hex>` or `Cert="<url-encoded PEM>"`, the last element), or
 *   nginx's `X-SSL-Client-Cert: $ssl_client_escaped_cert` (url-encoded PEM).
 * null: none. Computed once per TLS connection (cached by socket).
 */
const bySocket = new WeakMap<object, string | null>();

export function clientCertThumbprint(req: IncomingMessage, trusted: TrustedProxies): string | null {
  const socket = req.socket as TLSSocket & { encrypted?: boolean };
  if (socket.encrypted === true) {
    let t = bySocket.get(socket);
    if (t === undefined) {
      const raw = socket.getPeerCertificate(false)?.raw;
      t = raw ? createHash('sha256').update(raw).digest('base64url') : null;
      bySocket.set(socket, t);
    }
    if (t !== null) return t;
  }
  if (trusted.empty || !trusted.trusts(req)) return null;
  return forwardedThumbprint(req.headers['x-forwarded-client-cert'], req.headers['x-ssl-client-cert']);
}

function pemThumbprint(pem: string): string | null {
  try {
    return createHash('sha256').update(new X509Certificate(pem).raw).digest('base64url');
  } catch {
    return null;
  }
}

/** Exported for the unit test: the thumbprint from a trusted proxy's headers, or null. */
export function forwardedThumbprint(xfcc: string | string[] | undefined, nginx: string | string[] | undefined): string | null {
  if (typeof xfcc === 'string' && xfcc !== '') {
    const elements = xfcc.split(',');
    const last = elements[elements.length - 1];
    for (const pair of last.split(';')) {
      const eq = pair.indexOf('=');
      const key = pair.slice(0, eq).trim().toLowerCase();
      let value = pair.slice(eq + 1).trim();
      if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      if (key === 'hash' && /^[0-9a-f]{64}$/i.test(value)) return Buffer.from(value, 'hex').toString('base64url');
      if (key === 'cert') {
        try {
          return pemThumbprint(decodeURIComponent(value));
        } catch {
          return null;
        }
      }
    }
    return null;
  }
  if (typeof nginx === 'string' && nginx !== '') {
    try {
      return pemThumbprint(decodeURIComponent(nginx));
    } catch {
      return null;
    }
  }
  return null;
}
