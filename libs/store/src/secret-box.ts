import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { StoreError } from './errors';
import { createOnce } from './files';

const IV_LEN = 12;
const TAG_LEN = 16;
const IV_POOL = 1024;

/** Decodes a 32-byte key given as hex, base64 or base64url; null when it is not exactly that. */
export function decodeMasterKey(text: string): Buffer | null {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}={0,1}$/.test(t)) {
    const b = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    return b.length === 32 ? b : null;
  }
  return null;
}

/**
 * The master key: `envKey` (OAUTH2_MASTER_KEY) when given, else `<dataDir>/master.key`, created
 * 0600 on first start (32 random bytes, stored base64url so it can be copied into the env var).
 */
export function loadMasterKey(dataDir: string, envKey?: string): Buffer {
  if (envKey !== undefined && envKey.trim() !== '') {
    const key = decodeMasterKey(envKey);
    if (!key) throw new StoreError('validation', 'OAUTH2_MASTER_KEY: must be 32 bytes written as hex (64 characters), base64 or base64url', 'OAUTH2_MASTER_KEY');
    return key;
  }
  const file = path.join(dataDir, 'master.key');
  const raw = createOnce(file, randomBytes(32).toString('base64url') + '\n');
  const key = raw.length === 32 ? raw : decodeMasterKey(raw.toString('latin1'));
  if (!key) throw new StoreError('validation', `master.key: ${file} does not hold a 32-byte key (hex, base64 or base64url)`, 'master.key');
  return key;
}

/**
 * The associated data a sealed value is bound to: a domain (a NUL, the row's kind, a NUL) then the
 * row's key. Names and kids may hold `:` (a consumer may be named `signing_key:k1`), never a NUL
 * at the front, and the kinds differ in their first bytes, so no consumer's AAD is a key's.
 * Sealing format 2 (`revision.seal_version`); format 1 bound the bare name and `signing_key:<kid>`.
 */
export const consumerAad = (name: string): string => '\0consumer\0' + name;
export const signingKeyAad = (kid: string): string => '\0signing_key\0' + kid;
/** A consumer's previous secret (rotation grace): its own domain, so it cannot be swapped with the current one. */
export const previousSecretAad = (name: string): string => '\0previous_secret\0' + name;
/** Format 1, read only by the one-time re-seal at open (open.ts). */
export const legacyConsumerAad = (name: string): string => name;
export const legacySigningKeyAad = (kid: string): string => `signing_key:${kid}`;
export const SEAL_VERSION = 2;

/** AES-256-GCM under the master key; the row's domain and key are bound as AAD so rows cannot be swapped. */
export class SecretBox {
  /** Random IVs, drawn IV_POOL at a time: one randomBytes per secret was an eighth of an apply's sealing. Each IV is used once. */
  private ivs = Buffer.alloc(0);
  private ivAt = 0;

  constructor(private readonly key: Buffer) {}

  private nextIv(): Buffer {
    if (this.ivAt + IV_LEN > this.ivs.length) {
      this.ivs = randomBytes(IV_LEN * IV_POOL);
      this.ivAt = 0;
    }
    const iv = this.ivs.subarray(this.ivAt, this.ivAt + IV_LEN);
    this.ivAt += IV_LEN;
    return iv;
  }

  /** iv (12) + tag (16) + ciphertext. */
  seal(plaintext: string, aad: string): Buffer {
    const iv = this.nextIv();
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    c.setAAD(Buffer.from(aad, 'utf8'));
    const body = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
    return Buffer.concat([iv, c.getAuthTag(), body]);
  }

  /** `what` names the row in the error. */
  open(blob: Buffer, aad: string, what: string): string {
    try {
      const d = createDecipheriv('aes-256-gcm', this.key, blob.subarray(0, IV_LEN));
      d.setAAD(Buffer.from(aad, 'utf8'));
      d.setAuthTag(blob.subarray(IV_LEN, IV_LEN + TAG_LEN));
      return Buffer.concat([d.update(blob.subarray(IV_LEN + TAG_LEN)), d.final()]).toString('utf8');
    } catch {
      throw new Error(`cannot decrypt the secret of ${what}: wrong master key or damaged row`);
    }
  }

  /** A fingerprint stored in the DB to detect a wrong master key at open; reveals nothing about the key. */
  fingerprint(): string {
    return createHmac('sha256', this.key).update('oauth2-gateway master key check v1').digest('hex').slice(0, 32);
  }
}
