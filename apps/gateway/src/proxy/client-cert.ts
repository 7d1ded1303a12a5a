import { createHash, X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { ClientCertFacts } from '@oauth2/core';
import type { TrustedProxies } from './trusted-proxies';

/**
 * The request's client certificate (docs/tls.md), the one reader of it for every use: its RFC 8705
 * `x5t#S256` (base64url SHA-256 of the DER) for certificate-bound tokens, and its facts (chain,
 * subject, SANs) for RFC 8705 §2 client authentication at the token and revocation endpoints:
 * - on the TLS listener with GATEWAY_TLS_CLIENT_CA set, the certificate the client presented in the
 *   handshake (possession of its key is proven there; `chained` is node's verdict against the CA
 *   bundle, `socket.authorized`);
 * - otherwise, only from a GATEWAY_TRUSTED_PROXIES peer, the certificate it forwards: Envoy's
 *   `X-Forwarded-Client-Cert` (`Hash=<hex>` or `Cert="<url-encoded PEM>"`, the last element), or
 *   nginx's `X-SSL-Client-Cert: $ssl_client_escaped_cert` (url-encoded PEM). A forwarded PEM is
 *   `chained` when a certificate of the CA bundle issued and signed it and it is within its
 *   validity; a forwarded hash has no subject and never chains.
 * null: none. Computed once per TLS connection (cached by socket).
 */
const bySocket = new WeakMap<object, ClientCertFacts | null>();

/** The client CA bundle (GATEWAY_TLS_CLIENT_CA) as certificates, for forwarded PEMs; replaced on reload. */
export class ClientCaBundle {
  private certs: readonly X509Certificate[] = [];

  constructor(pem?: Buffer | string) {
    if (pem !== undefined) this.set(pem);
  }

  /** Every PEM certificate of the bundle (one that does not parse is skipped: node's own check refused the bundle first). */
  set(pem: Buffer | string): void {
    const blocks = String(pem).match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    const out: X509Certificate[] = [];
    for (const b of blocks) {
      try {
        out.push(new X509Certificate(b));
      } catch {
        // skipped
      }
    }
    this.certs = out;
  }

  /** Issued and signed by a CA of the bundle, and within its validity now. */
  issued(cert: X509Certificate): boolean {
    const now = Date.now();
    if (now < Date.parse(cert.validFrom) || now > Date.parse(cert.validTo)) return false;
    return this.certs.some((ca) => cert.checkIssued(ca) && cert.verify(ca.publicKey));
  }
}

const NO_BUNDLE = new ClientCaBundle();

export function clientCertThumbprint(req: IncomingMessage, trusted: TrustedProxies): string | null {
  return clientCertificate(req, trusted)?.thumbprint ?? null;
}

/** The certificate's facts (see the module comment); `cas` checks a forwarded PEM's chain. */
export function clientCertificate(req: IncomingMessage, trusted: TrustedProxies, cas: ClientCaBundle = NO_BUNDLE): ClientCertFacts | null {
  const socket = req.socket as TLSSocket & { encrypted?: boolean };
  if (socket.encrypted === true) {
    let f = bySocket.get(socket);
    if (f === undefined) {
      const raw = socket.getPeerCertificate(false)?.raw;
      f = raw ? handshakeFacts(raw, socket.authorized === true) : null;
      bySocket.set(socket, f);
    }
    if (f !== null) return f;
  }
  if (trusted.empty || !trusted.trusts(req)) return null;
  return forwardedCert(req.headers['x-forwarded-client-cert'], req.headers['x-ssl-client-cert'], cas);
}

/**
 * The handshake's certificate: the thumbprint at once (every request with a bound token needs it),
 * the subject and SANs parsed only when read (certificate client authentication at the token endpoint).
 */
function handshakeFacts(raw: Buffer, chained: boolean): ClientCertFacts {
  let x: X509Certificate | undefined;
  const cert = (): X509Certificate => (x ??= new X509Certificate(raw));
  return {
    thumbprint: createHash('sha256').update(raw).digest('base64url'),
    chained,
    get subject() {
      return cert().subject;
    },
    get subjectAltName() {
      return cert().subjectAltName ?? null;
    },
  };
}

function facts(x: X509Certificate, chained: boolean): ClientCertFacts {
  return { thumbprint: createHash('sha256').update(x.raw).digest('base64url'), chained, subject: x.subject, subjectAltName: x.subjectAltName ?? null };
}

function pemFacts(pem: string, cas: ClientCaBundle): ClientCertFacts | null {
  try {
    const x = new X509Certificate(pem);
    return facts(x, cas.issued(x));
  } catch {
    return null;
  }
}

/** Exported for the unit test: the thumbprint from a trusted proxy's headers, or null. */
export function forwardedThumbprint(xfcc: string | string[] | undefined, nginx: string | string[] | undefined): string | null {
  return forwardedCert(xfcc, nginx, NO_BUNDLE)?.thumbprint ?? null;
}

/** The certificate a trusted proxy forwards (Envoy's XFCC, else nginx's header), or null. */
export function forwardedCert(xfcc: string | string[] | undefined, nginx: string | string[] | undefined, cas: ClientCaBundle): ClientCertFacts | null {
  if (typeof xfcc === 'string' && xfcc !== '') {
    const elements = xfcc.split(',');
    const last = elements[elements.length - 1];
    let hash: string | null = null;
    // A Cert (the PEM: subject and chain can be read) wins over a Hash (the thumbprint only).
    for (const pair of last.split(';')) {
      const eq = pair.indexOf('=');
      const key = pair.slice(0, eq).trim().toLowerCase();
      let value = pair.slice(eq + 1).trim();
      if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      if (key === 'hash' && /^[0-9a-f]{64}$/i.test(value)) hash ??= value;
      if (key === 'cert') {
        try {
          return pemFacts(decodeURIComponent(value), cas);
        } catch {
          return null;
        }
      }
    }
    if (hash !== null) return { thumbprint: Buffer.from(hash, 'hex').toString('base64url'), chained: false, subject: null, subjectAltName: null };
    return null;
  }
  if (typeof nginx === 'string' && nginx !== '') {
    try {
      return pemFacts(decodeURIComponent(nginx), cas);
    } catch {
      return null;
    }
  }
  return null;
}
