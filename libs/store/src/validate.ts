import {
  AUTH_METHODS,
  isAuthMethod,
  isValidThumbprint,
  tlsSubjectProblem,
  type AuthMethod,
  isValidHostPattern,
  isValidName,
  isValidScopeToken,
  MAX_GROUPS,
  MAX_SCOPES,
  isValidPathPrefix,
  isValidUpstream,
  normalizeHostPattern,
  normalizePathPrefix,
} from '@oauth2/core';
import { invalid } from './errors';

// Each check returns the canonical value or throws a 'validation' StoreError naming `field`.

const PRINTABLE_ID = /^[\x21-\x7e]{1,256}$/;
const MIN_SECRET = 32;
const MAX_SECRET = 1024;

const show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v.length > 80 ? v.slice(0, 80) + '...' : v) : String(v));

export function checkName(v: unknown, field: string): string {
  if (!isValidName(v)) invalid(field, `${show(v)} is not a valid name (1-253 characters of A-Z a-z 0-9 . _ ~ : @ / -)`);
  return v;
}

export function checkClientId(v: unknown, field: string): string {
  if (typeof v !== 'string' || !PRINTABLE_ID.test(v)) invalid(field, `${show(v)} must be 1-256 printable ASCII characters without spaces`);
  return v;
}

/** Never echoes the value: it is a secret. */
export function checkClientSecret(v: unknown, field: string): string {
  if (typeof v !== 'string') invalid(field, 'must be a string');
  if (v.length < MIN_SECRET) invalid(field, `must be at least ${MIN_SECRET} characters (an HS256 key shorter than the hash is refused, RFC 7518 §3.2)`);
  if (v.length > MAX_SECRET) invalid(field, `must be at most ${MAX_SECRET} characters`);
  if (/[\x00-\x1f\x7f]/.test(v)) invalid(field, 'must not contain control characters');
  return v;
}

function checkList(v: unknown, field: string): unknown[] {
  if (!Array.isArray(v)) invalid(field, 'must be a list');
  return v;
}

/** Host patterns, lower-cased and de-duplicated in first-seen order. */
export function checkHosts(v: unknown, field: string): string[] {
  const out = new Set<string>(); // a Set keeps first-seen order and stays linear for big lists
  checkList(v, field).forEach((h, i) => {
    if (!isValidHostPattern(h)) invalid(`${field}[${i}]`, `${show(h)} is not a host or *.suffix pattern`);
    out.add(normalizeHostPattern(h));
  });
  return [...out];
}

/** Names (routes or consumers), de-duplicated in first-seen order. */
export function checkNames(v: unknown, field: string): string[] {
  const out = new Set<string>();
  checkList(v, field).forEach((n, i) => out.add(checkName(n, `${field}[${i}]`)));
  return [...out];
}

/** Scope tokens (RFC 6749 §3.3, 1-128 characters), at most MAX_SCOPES, de-duplicated in first-seen order. `"a b"` (a string) is refused: a list is required. */
export function checkScopes(v: unknown, field: string): string[] {
  if (!Array.isArray(v)) invalid(field, `must be a list of scope tokens (got ${typeof v === 'string' ? 'a string; give ["a", "b"], not "a b"' : show(v)})`);
  if (v.length > MAX_SCOPES) invalid(field, `at most ${MAX_SCOPES} scopes (got ${v.length})`);
  const out = new Set<string>();
  v.forEach((s, i) => {
    if (!isValidScopeToken(s)) invalid(`${field}[${i}]`, `${show(s)} is not a scope token (1-128 printable ASCII characters, no space, " or \\)`);
    out.add(s);
  });
  return [...out];
}

/** A consumer's scopes: a list, or null (unrestricted). */
export function checkConsumerScopes(v: unknown, field: string): string[] | null {
  return v === null ? null : checkScopes(v, field);
}

/** Group names (the consumer-name charset), at most `max`, de-duplicated in first-seen order. */
export function checkGroups(v: unknown, field: string, max = MAX_GROUPS): string[] {
  if (Array.isArray(v) && v.length > max) invalid(field, `at most ${max} groups (got ${v.length})`);
  return checkNames(v, field);
}

export function checkPathPrefix(v: unknown, field: string): string {
  if (!isValidPathPrefix(v)) invalid(field, `${show(v)} must start with "/" and hold no query, fragment, spaces or dot segments`);
  return normalizePathPrefix(v);
}

export function checkUpstream(v: unknown, field: string): string {
  if (!isValidUpstream(v)) invalid(field, `${show(v)} must be an http:// or https:// URL without query, fragment or credentials`);
  return v;
}

export function checkBool(v: unknown, field: string): boolean {
  if (typeof v !== 'boolean') invalid(field, 'must be true or false');
  return v;
}

export function checkPosition(v: unknown, field: string): number {
  if (!Number.isSafeInteger(v) || (v as number) < 0) invalid(field, `${show(v)} must be an integer >= 0`);
  return v as number;
}

/** Refuses keys outside `allowed` (unknown fields are errors, not silently dropped). */
export function checkKeys(obj: Record<string, unknown>, allowed: readonly string[], prefix: string): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) invalid(prefix ? `${prefix}.${k}` : k, 'unknown key');
  }
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A consumer's client authentication (SPEC §13, RFC 8705 §2), as stored: the field of the other method is null. */
export interface ConsumerAuth {
  auth_method: AuthMethod;
  tls_subject: string | null;
  tls_thumbprint: string | null;
}

/**
 * `auth_method` with its one field: tls_client_auth needs `tls_subject` (a DN or san:<kind>:<value>),
 * self_signed_tls_client_auth needs `tls_thumbprint` (base64url SHA-256, 43 characters); each is
 * refused with any other method. Absent / null fields are none. `prefix` is put before the field names.
 */
export function checkConsumerAuth(v: { auth_method?: unknown; tls_subject?: unknown; tls_thumbprint?: unknown }, prefix = ''): ConsumerAuth {
  const f = (name: string): string => (prefix ? `${prefix}.${name}` : name);
  const method = v.auth_method ?? 'client_secret';
  if (!isAuthMethod(method)) invalid(f('auth_method'), `${show(method)} must be one of ${AUTH_METHODS.join(', ')}`);
  const subject = v.tls_subject ?? null;
  const thumbprint = v.tls_thumbprint ?? null;
  if (method === 'tls_client_auth') {
    if (subject === null) invalid(f('tls_subject'), 'is required for auth_method tls_client_auth (the subject DN or san:<kind>:<value> the certificate must carry)');
  } else if (subject !== null) invalid(f('tls_subject'), 'applies only to auth_method tls_client_auth');
  if (method === 'self_signed_tls_client_auth') {
    if (thumbprint === null) invalid(f('tls_thumbprint'), "is required for auth_method self_signed_tls_client_auth (the certificate's x5t#S256)");
  } else if (thumbprint !== null) invalid(f('tls_thumbprint'), 'applies only to auth_method self_signed_tls_client_auth');
  if (subject !== null) {
    const problem = tlsSubjectProblem(subject);
    if (problem !== null) invalid(f('tls_subject'), problem);
  }
  if (thumbprint !== null && !isValidThumbprint(thumbprint)) {
    invalid(f('tls_thumbprint'), `${show(thumbprint)} must be the base64url SHA-256 of the DER certificate (43 characters, no padding: RFC 8705 x5t#S256)`);
  }
  return { auth_method: method, tls_subject: subject as string | null, tls_thumbprint: thumbprint as string | null };
}
