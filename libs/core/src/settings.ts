/** Instance-level settings, named and defaulted exactly as the Higress OAuth2 plugin (SPEC §1). */
export interface Settings {
  issuer: string;
  auth_path: string;
  global_credentials: boolean;
  auth_header_name: string;
  token_ttl: number;
  clock_skew_seconds: number;
  keep_token: boolean;
  /** true / false / null (unset): see SPEC §4 and `decideAuth`. */
  global_auth: boolean | null;
  /**
   * Not a Higress key (docs/signing-keys.md). HS256 (default): tokens are signed with the client's secret, as
   * Higress does. RS256 / ES256 / EdDSA: with the store's active signing key, published as a JWKS.
   */
  signing_alg: SigningAlg;
  /**
   * Not a Higress key. The gateway's public origin as clients reach it (`https://auth.example.com`,
   * optionally with a path), used for the RFC 8414 metadata's URLs; '' (default) = unset: the
   * metadata is built from the request's Host and is not cacheable (docs/signing-keys.md).
   */
  public_base_url: string;
}

/** Token signing algorithms; every one but HS256 uses a gateway key pair (docs/signing-keys.md). */
export const SIGNING_ALGS = ['HS256', 'RS256', 'ES256', 'EdDSA'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];
export type AsymmetricAlg = Exclude<SigningAlg, 'HS256'>;
export const isAsymmetricAlg = (alg: string): alg is AsymmetricAlg => alg === 'RS256' || alg === 'ES256' || alg === 'EdDSA';

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  issuer: 'Higress-Gateway',
  auth_path: '/oauth2/token',
  global_credentials: true,
  auth_header_name: 'Authorization',
  token_ttl: 7200,
  clock_skew_seconds: 60,
  keep_token: true,
  global_auth: null,
  signing_alg: 'HS256',
  public_base_url: '',
});

export type SettingKey = keyof Settings;
export const SETTING_KEYS = Object.keys(DEFAULT_SETTINGS) as SettingKey[];

/** An HTTP header name token (RFC 9110 §5.1). */
const HEADER_NAME_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Checks one setting value; returns an error message naming the key, or null when valid.
 * Shared by the admin API's PATCH, `/v1/apply`, and the CLI's `settings set` parsing.
 */
export function checkSetting(key: string, value: unknown): string | null {
  switch (key) {
    case 'issuer':
      return typeof value === 'string' && value.length > 0 && value.length <= 1024 ? null : `${key} must be a non-empty string (at most 1024 characters)`;
    case 'auth_path':
      return typeof value === 'string' && value.startsWith('/') && value.length <= 1024 && !/[?#\s]/.test(value)
        ? null
        : `${key} must be a path starting with "/" (no query, fragment or spaces)`;
    case 'auth_header_name':
      return typeof value === 'string' && HEADER_NAME_RE.test(value) ? null : `${key} must be a valid HTTP header name`;
    case 'token_ttl':
      return Number.isSafeInteger(value) && (value as number) >= 1 ? null : `${key} must be an integer >= 1 (seconds)`;
    case 'clock_skew_seconds':
      return Number.isSafeInteger(value) && (value as number) >= 0 ? null : `${key} must be an integer >= 0 (seconds)`;
    case 'global_credentials':
    case 'keep_token':
      return typeof value === 'boolean' ? null : `${key} must be true or false`;
    case 'global_auth':
      return value === null || typeof value === 'boolean' ? null : `${key} must be true, false or null (unset)`;
    case 'signing_alg':
      return (SIGNING_ALGS as readonly unknown[]).includes(value) ? null : `${key} must be one of ${SIGNING_ALGS.join(', ')}`;
    case 'public_base_url':
      return value === '' || (typeof value === 'string' && isPublicBaseUrl(value))
        ? null
        : `${key} must be an absolute http(s) URL without query, fragment or credentials (or "" to unset)`;
    default:
      return `unknown setting "${key}"`;
  }
}

/** An absolute http(s) URL with a host and no query, fragment or userinfo (at most 1024 characters). */
function isPublicBaseUrl(text: string): boolean {
  if (text.length > 1024 || /[\s?#]/.test(text)) return false;
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return false;
  }
  return (u.protocol === 'https:' || u.protocol === 'http:') && u.hostname !== '' && u.username === '' && u.password === '';
}

/** Validates a partial settings object; returns every problem found (empty = valid). */
export function checkSettings(patch: Record<string, unknown>): string[] {
  const errors: string[] = [];
  for (const [k, v] of Object.entries(patch)) {
    const e = checkSetting(k, v);
    if (e) errors.push(e);
  }
  return errors;
}

/**
 * Parses a `key=value` string value as typed for that key (CLI `settings set`, env-like input).
 * `global_auth=unset` (or `null`) clears it. Throws an Error with a one-line message when invalid.
 */
export function parseSettingText(key: string, text: string): unknown {
  let value: unknown = text;
  switch (key) {
    case 'token_ttl':
    case 'clock_skew_seconds':
      value = /^-?\d+$/.test(text) ? Number(text) : NaN;
      break;
    case 'global_credentials':
    case 'keep_token':
      value = text === 'true' ? true : text === 'false' ? false : text;
      break;
    case 'global_auth':
      value = text === 'true' ? true : text === 'false' ? false : text === 'unset' || text === 'null' ? null : text;
      break;
  }
  const err = checkSetting(key, value);
  if (err) throw new Error(err);
  return value;
}
