/**
 * RFC 8705 §2 client authentication with a TLS client certificate (SPEC §13, docs/tls.md): a
 * consumer's `auth_method` and what its certificate must show. Pure: the gateway reads the
 * certificate (apps/gateway/src/proxy/client-cert.ts) and hands its facts here; the store and the
 * admin API validate with the same checks.
 */

export const AUTH_METHODS = ['client_secret', 'tls_client_auth', 'self_signed_tls_client_auth'] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];

export function isAuthMethod(v: unknown): v is AuthMethod {
  return typeof v === 'string' && (AUTH_METHODS as readonly string[]).includes(v);
}

/** A consumer that authenticates with its certificate: exactly one of `subject` / `thumbprint` applies. */
export interface ConsumerTlsAuth {
  readonly method: 'tls_client_auth' | 'self_signed_tls_client_auth';
  /** tls_client_auth: a subject DN (`CN=m2m,O=Example`) or `san:dns:` / `san:uri:` / `san:email:` / `san:ip:` + value. */
  readonly subject?: string;
  /** self_signed_tls_client_auth: base64url SHA-256 of the DER certificate (RFC 8705 `x5t#S256`). */
  readonly thumbprint?: string;
}

/** What the gateway knows of the request's client certificate. */
export interface ClientCertFacts {
  /** base64url SHA-256 of the DER (`x5t#S256`). */
  readonly thumbprint: string;
  /** The certificate chains to GATEWAY_TLS_CLIENT_CA (checked in the handshake, or for a forwarded PEM against the bundle). */
  readonly chained: boolean;
  /** node's X509Certificate.subject (`CN=x\nO=y`); null when only a hash was forwarded. */
  readonly subject: string | null;
  /** node's X509Certificate.subjectAltName (`DNS:a, URI:b`); null when none or unknown. */
  readonly subjectAltName: string | null;
}

/** base64url of 32 bytes: 43 characters, no padding. */
const THUMBPRINT_RE = /^[A-Za-z0-9_-]{43}$/;
export const MAX_TLS_SUBJECT = 1024;
const SAN_KINDS = ['dns', 'uri', 'email', 'ip'] as const;
type SanKind = (typeof SAN_KINDS)[number];
/** node's spelling of each SAN kind in subjectAltName. */
const SAN_PREFIX: Record<SanKind, string> = { dns: 'DNS', uri: 'URI', email: 'email', ip: 'IP Address' };

export function isValidThumbprint(v: unknown): v is string {
  return typeof v === 'string' && THUMBPRINT_RE.test(v) && /[AEIMQUYcgkosw048]$/.test(v);
}

/** A DN's attributes: `type=value` separated by `,` (a `\,` stays in the value), types upper-cased; null when it is not one. */
export function parseDn(dn: string): string[] | null {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < dn.length; i++) {
    const ch = dn[i];
    if (ch === '\\' && i + 1 < dn.length) {
      cur += dn[++i];
    } else if (ch === ',' || ch === '+' || ch === '\n') {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  const out: string[] = [];
  for (const p of parts) {
    const eq = p.indexOf('=');
    if (eq <= 0) return null;
    const type = p.slice(0, eq).trim();
    const value = p.slice(eq + 1).trim();
    if (!/^(?:[A-Za-z][A-Za-z0-9-]*|[0-9]+(?:\.[0-9]+)+)$/.test(type) || value.length === 0) return null;
    out.push(`${type.toUpperCase()}=${value}`);
  }
  return out.sort();
}

/** `san:<kind>:<value>` split, or null when `subject` is not a SAN form. */
function parseSan(subject: string): { kind: SanKind; value: string } | null {
  const m = /^san:([a-z]+):(.+)$/.exec(subject);
  if (m === null) return null;
  const kind = m[1] as SanKind;
  return SAN_KINDS.includes(kind) ? { kind, value: m[2] } : null;
}

/** Why `v` is not a tls_subject (one line), or null when it is one. */
export function tlsSubjectProblem(v: unknown): string | null {
  if (typeof v !== 'string' || v.length === 0) return 'must be a subject DN (CN=m2m,O=Example) or san:dns:<name> / san:uri:<uri> / san:email:<address> / san:ip:<address>';
  if (v.length > MAX_TLS_SUBJECT) return `must be at most ${MAX_TLS_SUBJECT} characters`;
  if (/[\x00-\x09\x0b-\x1f\x7f]/.test(v)) return 'must not contain control characters';
  if (v.startsWith('san:')) {
    if (parseSan(v) === null) return `${JSON.stringify(v.slice(0, 80))} is not san:dns:<name>, san:uri:<uri>, san:email:<address> or san:ip:<address>`;
    return null;
  }
  if (parseDn(v) === null) return `${JSON.stringify(v.slice(0, 80))} is not a subject DN (type=value pairs separated by commas, e.g. CN=m2m,O=Example) nor a san:<kind>:<value>`;
  return null;
}

/** The SAN entries of node's subjectAltName string, as `<node kind>:<value>` (a quoted value unquoted). */
function sanEntries(san: string): string[] {
  const out: string[] = [];
  // node quotes a value holding a comma or quote as a JSON string (CVE-2021-44532).
  const re = /\s*([A-Za-z ]+):("(?:[^"\\]|\\.)*"|[^,]*)\s*(?:,|$)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(san)) !== null && m[0] !== '') {
    let value = m[2].trim();
    if (value.startsWith('"')) {
      try {
        value = JSON.parse(value) as string;
      } catch {
        continue;
      }
    }
    out.push(`${m[1].trim()}:${value}`);
  }
  return out;
}

/** Does the certificate carry the subject a tls_client_auth consumer registered? */
export function certificateHasSubject(want: string, cert: ClientCertFacts): boolean {
  const san = parseSan(want);
  if (san !== null) {
    if (cert.subjectAltName === null) return false;
    const entries = sanEntries(cert.subjectAltName);
    const prefix = SAN_PREFIX[san.kind];
    // DNS names and e-mail domains are case-insensitive; URIs and IPs compared as written.
    const fold = san.kind === 'dns' || san.kind === 'email';
    const needle = fold ? san.value.toLowerCase() : san.value;
    return entries.some((e) => e.startsWith(`${prefix}:`) && (fold ? e.slice(prefix.length + 1).toLowerCase() : e.slice(prefix.length + 1)) === needle);
  }
  if (cert.subject === null) return false;
  const a = parseDn(want);
  const b = parseDn(cert.subject);
  return a !== null && b !== null && a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * RFC 8705 §2: does this certificate authenticate the consumer? tls_client_auth: it chains to the
 * configured CA and carries the registered subject; self_signed_tls_client_auth: its thumbprint is
 * the registered one (the handshake proved possession of the key; no chain needed).
 */
export function certificateAuthenticates(auth: ConsumerTlsAuth, cert: ClientCertFacts | null): boolean {
  if (cert === null) return false;
  if (auth.method === 'self_signed_tls_client_auth') return auth.thumbprint !== undefined && cert.thumbprint === auth.thumbprint;
  return cert.chained && auth.subject !== undefined && certificateHasSubject(auth.subject, cert);
}

/** The compiled form of a consumer record's auth fields; null for client_secret (the default). */
export function tlsAuthOf(c: { auth_method?: AuthMethod | null; tls_subject?: string | null; tls_thumbprint?: string | null }): ConsumerTlsAuth | null {
  if (c.auth_method === 'tls_client_auth') return Object.freeze({ method: 'tls_client_auth', subject: c.tls_subject ?? undefined });
  if (c.auth_method === 'self_signed_tls_client_auth') return Object.freeze({ method: 'self_signed_tls_client_auth', thumbprint: c.tls_thumbprint ?? undefined });
  return null;
}
