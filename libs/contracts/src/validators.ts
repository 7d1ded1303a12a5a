/**
 * class-validator decorators backed by @oauth2/core's checks, so the admin API, the store and the CLI
 * agree on one definition of a valid name, host pattern, path prefix, upstream and setting.
 */
import { ValidateBy, ValidationArguments, ValidationOptions, buildMessage } from 'class-validator';
import { checkSetting, isValidHostPattern, isValidName, isValidPathPrefix, isValidScopeToken, isValidThumbprint, isValidUpstream, tlsSubjectProblem } from '@oauth2/core';

export const NAME_RULE = '1-253 characters of [A-Za-z0-9._~:@/-] without "." or ".." segments';

/**
 * Core's name rule, plus: no "." / ".." path segment. Such a name cannot travel in a URL path
 * (clients and proxies normalise dot segments away), so it could be created but never addressed.
 */
export function isAddressableName(v: unknown): v is string {
  return isValidName(v) && !v.split('/').some((seg) => seg === '.' || seg === '..');
}

export function IsResourceName(opts?: ValidationOptions): PropertyDecorator {
  return ValidateBy({ name: 'isResourceName', validator: { validate: (v) => isAddressableName(v), defaultMessage: buildMessage((e) => `${e}$property must be ${NAME_RULE}`, opts) } }, opts);
}

export const SCOPE_RULE = 'RFC 6749 §3.3 scope tokens: 1-128 printable ASCII characters without space, " or \\';

/** A scope token (core's rule); with `each: true` the message names the bad entries. */
export function IsScopeToken(opts?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isScopeToken',
      validator: {
        validate: (v) => isValidScopeToken(v),
        defaultMessage: (args?: ValidationArguments) => {
          const v = args?.value;
          const bad = Array.isArray(v) ? v.filter((s) => !isValidScopeToken(s)) : [v];
          return `${opts?.each ? 'each value in ' : ''}${args?.property} must be ${SCOPE_RULE} (got ${bad.map(quote).join(', ')})`;
        },
      },
    },
    opts,
  );
}

const quote = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}...` : v) : String(v));

/**
 * class-validator fills `$value` in only for a string, number or boolean; with `each: true` the
 * value is the whole list, so the message names the bad entries itself.
 */
export function IsHostPattern(opts?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isHostPattern',
      validator: {
        validate: (v) => isValidHostPattern(v),
        defaultMessage: (args?: ValidationArguments) => {
          const v = args?.value;
          const bad = Array.isArray(v) ? v.filter((h) => !isValidHostPattern(h)) : [v];
          const each = opts?.each ? 'each value in ' : '';
          return `${each}${args?.property} must be exact hosts or *.suffix patterns (got ${bad.map(quote).join(', ')})`;
        },
      },
    },
    opts,
  );
}

export function IsPathPrefix(opts?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isPathPrefix',
      validator: {
        validate: (v) => isValidPathPrefix(v),
        defaultMessage: buildMessage((e) => `${e}$property must start with "/" and hold no query, fragment, spaces or dot segments`, opts),
      },
    },
    opts,
  );
}

export function IsUpstream(opts?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isUpstream',
      validator: {
        validate: (v) => isValidUpstream(v),
        defaultMessage: (args?: ValidationArguments) => `${args?.property} ${upstreamProblem(args?.value)}`,
      },
    },
    opts,
  );
}

/** What is wrong with an upstream URL, as precisely as can be said (the port, the scheme, ...); never echoes the URL (it may hold credentials). */
export function upstreamProblem(v: unknown): string {
  const general = 'must be an http:// or https:// URL without query, fragment or credentials';
  if (typeof v !== 'string') return general;
  const port = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(?:\[[^\]]*\]|[^:/?#]*):([^/?#]*)/i.exec(v);
  if (port && port[1] !== '' && !(/^\d{1,5}$/.test(port[1]) && Number(port[1]) <= 65535)) return `has port ${quote(port[1])}: a port is a number from 1 to 65535`;
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    return general; // the value is not echoed: it may hold credentials
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `must start with http:// or https:// (got ${quote(url.protocol)})`;
  if (url.username || url.password) return 'must not hold credentials (user:password@)';
  if (url.search) return 'must not hold a query (?...)';
  if (url.hash) return 'must not hold a fragment (#...)';
  return general;
}

/** Validates one instance setting with core's `checkSetting` (the message names the key). */
export function IsSetting(opts?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isSetting',
      validator: {
        validate: (v, args?: ValidationArguments) => checkSetting(args!.property, v) === null,
        defaultMessage: (args?: ValidationArguments) => checkSetting(args!.property, args!.value) ?? `${args!.property} is invalid`,
      },
    },
    opts,
  );
}

/** Exactly one of the named properties must be present (not undefined). */
export function ExactlyOneOf(props: string[], opts?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'exactlyOneOf',
      validator: {
        validate: (_v, args?: ValidationArguments) => props.filter((p) => (args!.object as Record<string, unknown>)[p] !== undefined).length === 1,
        defaultMessage: () => `exactly one of ${props.join(' or ')} is required`,
      },
    },
    opts,
  );
}

/** Query-string booleans: only "true" and "false" (and absent) are accepted; anything else stays a string and fails @IsBoolean. */
export function toQueryBool({ value }: { value: unknown }): unknown {
  if (value === 'true') return true;
  if (value === 'false') return false;
  return value;
}

/** Query-string integers: only plain decimal digits convert; anything else stays as given and fails @IsInt. */
export function toQueryInt({ value }: { value: unknown }): unknown {
  return typeof value === 'string' && /^\d{1,10}$/.test(value) ? Number(value) : value;
}

/** SPEC §13: a tls_subject (a subject DN or san:<kind>:<value>), checked by core's tlsSubjectProblem. */
export function IsTlsSubject(opts?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isTlsSubject',
      validator: {
        validate: (v: unknown) => tlsSubjectProblem(v) === null,
        defaultMessage: (args?: ValidationArguments) => `${args?.property ?? 'tls_subject'} ${tlsSubjectProblem(args?.value) ?? ''}`,
      },
    },
    opts,
  );
}

/** SPEC §13: an RFC 8705 x5t#S256 (base64url SHA-256 of the DER certificate, 43 characters). */
export function IsThumbprint(opts?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isThumbprint',
      validator: {
        validate: (v: unknown) => isValidThumbprint(v),
        defaultMessage: buildMessage((each) => `${each}$property must be the base64url SHA-256 of the DER certificate (43 characters, no padding: RFC 8705 x5t#S256)`),
      },
    },
    opts,
  );
}
