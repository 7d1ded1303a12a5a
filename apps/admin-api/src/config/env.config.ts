/**
 * The admin API's environment, validated once at start-up by the shared loader
 * (libs/config): every `@Env` property is read. Feature code never reads process.env: it receives
 * this object through the ENV provider. docs/configuration.md lists every variable.
 */
import * as path from 'node:path';
import { Env, EnvError, HOST_EXPECTED, HOST_RE, loadEnvClass, PORT_EXPECTED, SharedEnv, toInt } from '@oauth2/config';
import { isPostgresUrl } from '@oauth2/store';
import { ADMIN_AUTH_FAILURE_WINDOW_S, ADMIN_MAX_AUTH_FAILURES } from '../common/admin-auth-limiter';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';

export { EnvError };

/** 1 MiB: every admin request body but /v1/apply's (docs/admin-api.md). */
export const BODY_LIMIT_BYTES = 1024 * 1024;
/**
 * /v1/apply's default: room for a 1,000,000-consumer / 100,000-rule document (~100 MB) twice over.
 * The ceiling stays under V8's longest string (2^29 - 24 characters): the document is read as text.
 */
export const APPLY_MAX_BYTES_DEFAULT = 256 * 1024 * 1024;
export const APPLY_MAX_BYTES_CEILING = 500 * 1024 * 1024;

export class EnvConfig extends SharedEnv {
  @Env(HOST_EXPECTED) @Matches(HOST_RE) ADMIN_HOST: string = '127.0.0.1';

  @Env(PORT_EXPECTED) @Transform(toInt) @IsInt() @Min(0) @Max(65535) ADMIN_PORT: number = 8001;

  // Why a minimum: the token is the only thing between the network and every secret in the store.
  @Env('16-4096 printable ASCII characters without spaces', { secret: true })
  @IsOptional()
  @MinLength(16)
  @MaxLength(4096)
  @Matches(/^[\x21-\x7e]+$/)
  OAUTH2_ADMIN_TOKEN?: string;

  /** Wrong admin tokens one source address may send per window before it gets 429 (0 = no limit). */
  @Env('an integer >= 0') @Transform(toInt) @IsInt() @Min(0) OAUTH2_ADMIN_MAX_AUTH_FAILURES: number = ADMIN_MAX_AUTH_FAILURES;

  @Env('an integer >= 1 (seconds)') @Transform(toInt) @IsInt() @Min(1) OAUTH2_ADMIN_AUTH_FAILURE_WINDOW_S: number = ADMIN_AUTH_FAILURE_WINDOW_S;

  /** The body limit of POST /v1/apply alone (SPEC §11); every other body stays at 1 MiB. */
  @Env(`an integer ${BODY_LIMIT_BYTES}-${APPLY_MAX_BYTES_CEILING} (bytes)`)
  @Transform(toInt)
  @IsInt()
  @Min(BODY_LIMIT_BYTES)
  @Max(APPLY_MAX_BYTES_CEILING)
  OAUTH2_APPLY_MAX_BYTES: number = APPLY_MAX_BYTES_DEFAULT;
  /** Audit rows older than this many days are deleted (at start, then hourly). */
  @Env('an integer >= 1 (days)') @Transform(toInt) @IsInt() @Min(1) OAUTH2_AUDIT_RETENTION_DAYS: number = 365;
  /** TLS on the admin API (docs/tls.md): both PEM paths, or neither (plain HTTP). Re-read when they change. */
  @Env('a PEM file path (at most 4096 characters)') @IsOptional() @MaxLength(4096) ADMIN_TLS_CERT?: string;
  @Env('a PEM file path (at most 4096 characters)') @IsOptional() @MaxLength(4096) ADMIN_TLS_KEY?: string;
}

/** Returns the config, or throws an EnvError whose message is ONE line naming every bad variable. */
export function loadEnv(env: NodeJS.ProcessEnv = process.env): EnvConfig {
  const cfg = loadEnvClass(EnvConfig, env);
  if ((cfg.ADMIN_TLS_CERT === undefined) !== (cfg.ADMIN_TLS_KEY === undefined)) {
    throw new EnvError(`invalid environment: ADMIN_TLS_CERT and ADMIN_TLS_KEY must be set together (only ${cfg.ADMIN_TLS_CERT === undefined ? 'ADMIN_TLS_KEY' : 'ADMIN_TLS_CERT'} is set)`);
  }
  cfg.OAUTH2_DATA_DIR = path.resolve(cfg.OAUTH2_DATA_DIR);
  // A SQLite path is made absolute; a postgres:// URL is kept as given.
  if (cfg.OAUTH2_DATABASE && !isPostgresUrl(cfg.OAUTH2_DATABASE)) cfg.OAUTH2_DATABASE = path.resolve(cfg.OAUTH2_DATABASE);
  return cfg;
}
