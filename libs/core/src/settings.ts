import { SIGNING_ALGS } from './signing-alg';

/**
 * Instance-level settings, named and defaulted exactly as the Higress OAuth2 plugin (docs/configuration.md lists them).
 *
 * SETTINGS_SCHEMA below is the one definition of every setting (as Kong's `schema.lua`): its type,
 * default, bounds, one-line help and Higress name. Everything else is derived from it: the
 * `Settings` type, DEFAULT_SETTINGS, `checkSetting`, `parseSettingText`, the admin API's DTOs and
 * their OpenAPI metadata (libs/contracts), the store's columns and the apply/export mapping
 * (libs/store), and `oauth2ctl settings set --help`. A new setting is one entry here, plus the
 * migration that adds its column to the single `settings` row (a new libs/store/src/migrations file,
 * listed in MIGRATIONS of libs/store/src/data-source.ts), plus the code that uses it.
 */

interface SettingBase {
  /** One line, for `oauth2ctl settings set --help` and the OpenAPI description. */
  readonly help: string;
  /** Its key in a Higress plugin document; absent: ours only, exported only when not at its default. */
  readonly higress?: string;
  /** Other keys /v1/apply takes for it, each with who spells it so ("the C++ plugin spelling"). */
  readonly aliases?: Readonly<Record<string, string>>;
  /** `null` is a value, meaning "unset" (`key=unset` on the CLI); absent from an export. */
  readonly nullable?: boolean;
}

export interface StringSetting extends SettingBase {
  readonly type: 'string';
  readonly default: string | null;
  /** A valid value other than the default: the OpenAPI example, and the store's round-trip test. */
  readonly example: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: RegExp;
  /** A check a pattern cannot say. */
  readonly test?: (value: string) => boolean;
  /** What a valid value is, completing "<key> must be ...". */
  readonly rule: string;
}

export interface IntegerSetting extends SettingBase {
  readonly type: 'integer';
  readonly default: number | null;
  readonly example: number;
  readonly min: number;
  readonly max?: number;
  readonly unit?: string;
}

export interface BooleanSetting extends SettingBase {
  readonly type: 'boolean';
  readonly default: boolean | null;
  readonly example: boolean;
}

export interface EnumSetting extends SettingBase {
  readonly type: 'enum';
  readonly values: readonly string[];
  readonly default: string | null;
  readonly example: string;
}

export type SettingSpec = StringSetting | IntegerSetting | BooleanSetting | EnumSetting;

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

/** An HTTP header name token (RFC 9110 §5.1). */
const HEADER_NAME_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export const SETTINGS_SCHEMA = {
  issuer: {
    type: 'string',
    default: 'Higress-Gateway',
    example: 'https://auth.example.com',
    higress: 'issuer',
    minLength: 1,
    maxLength: 1024,
    rule: 'a non-empty string (at most 1024 characters)',
    help: '`iss` of issued tokens; verified on every token',
  },
  auth_path: {
    type: 'string',
    default: '/oauth2/token',
    example: '/api/token',
    higress: 'auth_path',
    maxLength: 1024,
    pattern: /^\/[^?#\s]*$/,
    rule: 'a path starting with "/" (no query, fragment or spaces)',
    help: 'a request whose path (query excluded) ends with this is a token request',
  },
  global_credentials: {
    type: 'boolean',
    default: true,
    example: false,
    higress: 'global_credentials',
    help: 'true: a token is valid on every route (aud "default"); false: only on the route it was issued on',
  },
  auth_header_name: {
    type: 'string',
    default: 'Authorization',
    example: 'X-Token',
    higress: 'auth_header_name',
    aliases: { auth_header: 'the C++ plugin spelling' },
    pattern: HEADER_NAME_RE,
    rule: 'a valid HTTP header name',
    help: 'the header carrying "Bearer <jwt>"',
  },
  token_ttl: {
    type: 'integer',
    default: 7200,
    example: 3600,
    higress: 'token_ttl',
    min: 1,
    unit: 'seconds',
    help: 'lifetime of issued tokens (expires_in of the token response)',
  },
  clock_skew_seconds: {
    type: 'integer',
    default: 60,
    example: 0,
    higress: 'clock_skew_seconds',
    min: 0,
    unit: 'seconds',
    help: 'leeway for exp, iat and nbf',
  },
  keep_token: {
    type: 'boolean',
    default: true,
    example: false,
    higress: 'keep_token',
    help: 'false: strip the auth header before forwarding',
  },
  global_auth: {
    type: 'boolean',
    nullable: true,
    default: null,
    example: true,
    higress: 'global_auth',
    help: 'true: every request needs a token; false: only requests some rule matches; unset: as true while no rule exists, else as false',
  },
  signing_alg: {
    type: 'enum',
    values: SIGNING_ALGS,
    default: 'HS256',
    example: 'ES256',
    help: 'not a Higress key: HS256 signs with the client secret; the others with a gateway key published as a JWKS (docs/signing-keys.md)',
  },
  public_base_url: {
    type: 'string',
    default: '',
    example: 'https://auth.example.com',
    test: (v: string) => v === '' || isPublicBaseUrl(v),
    rule: 'an absolute http(s) URL without query, fragment or credentials (or "" to unset)',
    help: 'not a Higress key: the public origin for the RFC 8414 metadata URLs ("" = taken from each request, and never kept by shared caches)',
  },
  cors_preflight: {
    type: 'enum',
    values: ['authenticate', 'pass'],
    default: 'authenticate',
    example: 'pass',
    help: 'not a Higress key: "pass" forwards a CORS preflight (OPTIONS with Origin and Access-Control-Request-Method) without a token, for the upstream to answer; "authenticate" decides it like any request',
  },
  require_https: {
    type: 'boolean',
    default: false,
    example: true,
    help: 'not a Higress key: true refuses token and revocation requests and requests needing a token that did not arrive over TLS (directly, or from a GATEWAY_TRUSTED_PROXIES proxy saying X-Forwarded-Proto: https)',
  },
} as const satisfies Record<string, SettingSpec>;

// Validation reads these entries: nothing may change them at run time.
for (const spec of Object.values(SETTINGS_SCHEMA)) Object.freeze(spec);
Object.freeze(SETTINGS_SCHEMA);

type Schema = typeof SETTINGS_SCHEMA;
type ValueOf<S> =
  (S extends { type: 'integer' } ? number : S extends { type: 'boolean' } ? boolean : S extends { values: readonly (infer V)[] } ? V : string) | (S extends { nullable: true } ? null : never);

/** Every instance setting with its value type, as SETTINGS_SCHEMA defines it. */
export type Settings = { -readonly [K in keyof Schema]: ValueOf<Schema[K]> };
export type SettingKey = keyof Settings;
/** In schema order (the order of `settings get` and of an export). */
export const SETTING_KEYS = Object.freeze(Object.keys(SETTINGS_SCHEMA)) as readonly SettingKey[];

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze(Object.fromEntries(SETTING_KEYS.map((k) => [k, SETTINGS_SCHEMA[k].default])) as Settings);

export const isSettingKey = (key: string): key is SettingKey => Object.hasOwn(SETTINGS_SCHEMA, key);

/** The schema entry of a setting, or undefined for a key that is not one (also `constructor`, `__proto__`). */
export function settingSpec(key: SettingKey): SettingSpec;
export function settingSpec(key: string): SettingSpec | undefined;
export function settingSpec(key: string): SettingSpec | undefined {
  return isSettingKey(key) ? SETTINGS_SCHEMA[key] : undefined;
}

/** Its key in a Higress document: the Higress name, or ours for a key Higress does not have. */
export const documentKeyOf = (key: SettingKey): string => settingSpec(key).higress ?? key;

function isValid(s: SettingSpec, v: unknown): boolean {
  if (v === null) return s.nullable === true;
  switch (s.type) {
    case 'string':
      return typeof v === 'string' && v.length >= (s.minLength ?? 0) && v.length <= (s.maxLength ?? Infinity) && (s.pattern === undefined || s.pattern.test(v)) && (s.test === undefined || s.test(v));
    case 'integer':
      return Number.isSafeInteger(v) && (v as number) >= s.min && (s.max === undefined || (v as number) <= s.max);
    case 'boolean':
      return typeof v === 'boolean';
    case 'enum':
      return (s.values as readonly unknown[]).includes(v);
  }
}

/** What a valid value is, completing "<key> must be ..." (also the CLI help's value column). */
export function settingRule(s: SettingSpec): string {
  if (s.type === 'boolean') return s.nullable ? 'true, false or null (unset)' : 'true or false';
  let rule: string;
  if (s.type === 'string') rule = s.rule;
  else if (s.type === 'enum') rule = `one of ${s.values.join(', ')}`;
  else rule = `an integer ${s.max === undefined ? `>= ${s.min}` : `from ${s.min} to ${s.max}`}${s.unit ? ` (${s.unit})` : ''}`;
  return s.nullable ? `${rule}, or null (unset)` : rule;
}

/** A value as `settings get` and `--help` show it: `unset` for null. */
export const settingValueText = (v: unknown): string => (v === null ? 'unset' : v === '' ? '""' : String(v));

/**
 * Checks one setting value; returns an error message naming the key, or null when valid.
 * Shared by the admin API's PATCH, `/v1/apply`, and the CLI's `settings set` parsing.
 */
export function checkSetting(key: string, value: unknown): string | null {
  const s = settingSpec(key);
  if (!s) return `unknown setting "${key}"`;
  return isValid(s, value) ? null : `${key} must be ${settingRule(s)}`;
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
 * `unset` (or `null`) clears a nullable setting such as global_auth. Throws an Error with a
 * one-line message when invalid.
 */
export function parseSettingText(key: string, text: string): unknown {
  const s = settingSpec(key);
  let value: unknown = text;
  if (s?.nullable && (text === 'unset' || text === 'null')) value = null;
  else if (s?.type === 'integer') value = /^-?\d+$/.test(text) ? Number(text) : NaN;
  else if (s?.type === 'boolean') value = text === 'true' ? true : text === 'false' ? false : text;
  const err = checkSetting(key, value);
  if (err) throw new Error(err);
  return value;
}
