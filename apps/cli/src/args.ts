import { InvalidArgumentError, type Command } from 'commander';
import { AUTH_METHODS, isAuthMethod, parseSettingText, type AuthMethod } from '@oauth2/core';
import type { PageQueryDto, PatchSettingsDto } from '@oauth2/contracts';
import { UsageError } from './errors';

/** Pure flag parsers; commander turns an InvalidArgumentError into a usage error (exit 2). */

/** Repeatable list flags (`--host a --host b`), also accepting `--host a,b`: names and hosts never contain commas. */
export function collect(value: string, previous: string[] = []): string[] {
  const parts = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!parts.length) throw new InvalidArgumentError('must not be empty.');
  return [...previous, ...parts];
}

/**
 * Repeatable `--scope` (`--scope a --scope b`, also `--scope "a b"`): split on spaces only, since a
 * scope token may hold a comma (RFC 6749 §3.3); the server checks the charset.
 */
export function collectScopes(value: string, previous: string[] = []): string[] {
  const parts = value.split(' ').filter(Boolean);
  if (!parts.length) throw new InvalidArgumentError('must not be empty.');
  return [...previous, ...parts];
}

export function nonNegativeInt(value: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) throw new InvalidArgumentError('must be an integer >= 0.');
  return Number(value);
}

export function positiveInt(value: string): number {
  // Its own message for every bad value: "abc" and "0" are refused by the same rule (>= 1).
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)) || Number(value) < 1) throw new InvalidArgumentError('must be an integer >= 1.');
  return Number(value);
}

/** `--timeout`: whole seconds, at least 1; the same message for "abc", "0" and "-5". */
export function timeoutSeconds(value: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)) || Number(value) < 1) throw new InvalidArgumentError('must be a whole number of seconds, at least 1.');
  return Number(value);
}

const GRACE_UNITS: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };

/** `--grace`: a duration, whole seconds (`120`) or with a unit (`30s`, `15m`, `2h`, `7d`); the server checks the range (0-2592000 s). */
export function graceSeconds(value: string): number {
  const m = /^(\d+)([smhd]?)$/.exec(value);
  const n = m === null ? NaN : Number(m[1]) * GRACE_UNITS[m[2]];
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError('must be a duration: whole seconds (120) or a number with s, m, h or d (30s, 15m, 2h, 7d).');
  return n;
}

/** A positive integer id given as a positional argument (`allow get 3`, `token unrevoke 7`). */
function positiveId(what: string): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) throw new UsageError(`${what} must be a positive integer, got "${value}"`);
    return Number(value);
  };
}

export const ruleId = positiveId('rule id');
export const revocationId = positiveId('revocation id');

/** A kid travels in the URL path: base64url only (ours are RFC 7638 thumbprints). */
export function kidArg(kid: string): string {
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(kid)) throw new UsageError(`kid must be 1-128 base64url characters, got "${kid}"`);
  return kid;
}

/** What `--limit` / `--offset` parse to: the API's own page query. */
export type PageOptions = PageQueryDto;

/** `--limit` and `--offset` of every list, with the same help and parsers. */
export function withPageOptions(cmd: Command): Command {
  return cmd.option('--limit <n>', 'page size (max 10000)', positiveInt).option('--offset <n>', 'skip this many', nonNegativeInt);
}

/**
 * `settings set k=v ...` -> a typed PATCH body. Values are typed and checked by core's rules,
 * so an unknown key or a bad value fails here (exit 2) before anything is sent.
 */
export function parseSettingAssignments(args: string[]): PatchSettingsDto {
  if (!args.length) throw new UsageError('settings set needs at least one key=value');
  const patch: Record<string, unknown> = {};
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq <= 0) throw new UsageError(`expected key=value, got "${arg}"`);
    const key = arg.slice(0, eq).trim();
    if (key in patch) throw new UsageError(`setting "${key}" given twice`);
    try {
      patch[key] = parseSettingText(key, arg.slice(eq + 1));
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  return patch as PatchSettingsDto;
}

/** `apply -f`: content type by extension; for stdin or other names, JSON if it looks like JSON, else YAML. */
export function contentTypeFor(file: string, text: string): string {
  const lower = file.toLowerCase();
  if (lower.endsWith('.json')) return 'application/json';
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) return 'application/yaml';
  return /^\s*[{[]/.test(text) ? 'application/json' : 'application/yaml';
}

/** `--auth <method>` (SPEC §13): client_secret, tls_client_auth or self_signed_tls_client_auth. */
export function authMethod(value: string): AuthMethod {
  if (!isAuthMethod(value)) throw new InvalidArgumentError(`must be one of ${AUTH_METHODS.join(', ')}.`);
  return value;
}
