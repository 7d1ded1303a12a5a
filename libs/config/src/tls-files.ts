import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { createSecureContext, type SecureContextOptions } from 'node:tls';

/**
 * TLS listener material from PEM files (docs/tls.md): the gateway's and the admin API's
 * `*_TLS_CERT` / `*_TLS_KEY`. The pair is checked by building a secure context (a key that does
 * not match the certificate fails here, not at the first handshake).
 */

/** TLS 1.2 and 1.3 only; TLS 1.2 limited to forward-secret AEAD suites (Mozilla "intermediate"). */
export const TLS_MIN_VERSION = 'TLSv1.2';
export const TLS_CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

export interface TlsFiles {
  readonly cert: string;
  readonly key: string;
  /** Optional CA bundle for client certificates (requested, never required). */
  readonly clientCa?: string;
}

/** What a listener's secure context is built from. */
export interface TlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca?: Buffer;
}

/** Reads and checks the files; throws one line naming the file that is wrong. */
export function loadTlsMaterial(files: TlsFiles): TlsMaterial {
  const read = (what: string, path: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (e) {
      throw new Error(`cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
  };
  const m: TlsMaterial = { cert: read('certificate', files.cert), key: read('key', files.key), ...(files.clientCa ? { ca: read('client CA bundle', files.clientCa) } : {}) };
  try {
    createSecureContext(secureContextOptions(m));
  } catch (e) {
    throw new Error(`bad TLS certificate/key pair (${files.cert}, ${files.key}): ${(e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ')}`);
  }
  return m;
}

/** The secure-context options of a listener (also for setSecureContext on reload). */
export function secureContextOptions(m: TlsMaterial): SecureContextOptions {
  return { cert: m.cert, key: m.key, ...(m.ca ? { ca: m.ca } : {}), minVersion: TLS_MIN_VERSION, ciphers: TLS_CIPHERS, honorCipherOrder: true };
}

/** How often the files' stat is polled: a rotated certificate is served within about this long. */
export const TLS_POLL_MS = 250;

/**
 * Re-reads the files when one changes (stat polling, so a rename by cert-manager or certbot is seen
 * too). A new pair that loads is handed to `apply`; one that fails is reported to `onError` and the
 * previous one stays. Returns the stop function.
 */
export function watchTlsFiles(files: TlsFiles, apply: (m: TlsMaterial) => void, onError: (message: string) => void, intervalMs = TLS_POLL_MS): () => void {
  const paths = [files.cert, files.key, ...(files.clientCa ? [files.clientCa] : [])];
  const changed = (cur: { mtimeMs: number; size: number; ino: number }, prev: { mtimeMs: number; size: number; ino: number }): void => {
    if (cur.mtimeMs === prev.mtimeMs && cur.size === prev.size && cur.ino === prev.ino) return;
    let m: TlsMaterial;
    try {
      m = loadTlsMaterial(files);
    } catch (e) {
      onError(`TLS files changed but cannot be used, keeping the previous certificate: ${(e as Error).message}`);
      return;
    }
    apply(m);
  };
  for (const p of paths) watchFile(p, { interval: intervalMs, persistent: false }, changed);
  return () => {
    for (const p of paths) unwatchFile(p, changed);
  };
}
