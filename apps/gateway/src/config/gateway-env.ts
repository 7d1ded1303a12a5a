import 'reflect-metadata';
import { plainToInstance, Transform, Type } from 'class-transformer';
import { IsBoolean, IsInt, IsNotEmpty, IsOptional, IsString, Max, Min, validateSync } from 'class-validator';

const toBool = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

/**
 * The gateway's environment, validated once at start-up (SPEC §7). Feature code receives this
 * object; nothing else reads process.env.
 */
export class GatewayEnv {
  @IsString() @IsNotEmpty() GATEWAY_HOST = '0.0.0.0';
  @Type(() => Number) @IsInt() @Min(0) @Max(65535) GATEWAY_PORT = 8000;
  @Type(() => Number) @IsInt() @Min(0) @Max(65535) GATEWAY_STATUS_PORT = 8100;
  /** 0 = one worker per CPU. */
  @Type(() => Number) @IsInt() @Min(0) @Max(256) GATEWAY_WORKERS = 1;
  @Type(() => Number) @IsInt() @Min(10) @Max(60_000) GATEWAY_RELOAD_MS = 200;
  @Type(() => Number) @IsInt() @Min(1) @Max(3_600_000) GATEWAY_UPSTREAM_TIMEOUT_MS = 30_000;
  @Transform(toBool) @IsBoolean() GATEWAY_ACCESS_LOG = false;
  /** Failed token-endpoint authentications per client_id and window before 429; 0 = no limit. */
  @Type(() => Number) @IsInt() @Min(0) @Max(1_000_000) GATEWAY_TOKEN_MAX_FAILURES = 10;
  @Type(() => Number) @IsInt() @Min(1) @Max(86_400) GATEWAY_TOKEN_FAILURE_WINDOW_S = 60;
  /** Serve the RFC 7009 revocation endpoint at /oauth2/revoke (docs/revocation.md); off by default, as Higress has none. */
  @Transform(toBool) @IsBoolean() GATEWAY_REVOCATION_ENDPOINT = false;
  /** The external-authorization listener (docs/external-authz.md); unset = off. */
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(65535) GATEWAY_AUTHZ_PORT?: number;
  /** Loopback by default: the listener believes the forwarded headers of whoever reaches it. */
  @IsString() @IsNotEmpty() GATEWAY_AUTHZ_HOST = '127.0.0.1';
  @IsString() @IsNotEmpty() OAUTH2_DATA_DIR = './data';
  @IsOptional() @IsString() @IsNotEmpty() OAUTH2_DATABASE?: string;
  @IsOptional() @IsString() @IsNotEmpty() OAUTH2_MASTER_KEY?: string;
}

/** What each variable must be, for the one-line start-up error. */
const EXPECTED: Record<string, string> = {
  GATEWAY_HOST: 'a host name or IP address',
  GATEWAY_PORT: 'an integer 0-65535 (0 = any free port)',
  GATEWAY_STATUS_PORT: 'an integer 0-65535 (0 = any free port)',
  GATEWAY_WORKERS: 'an integer 0-256 (0 = one per CPU)',
  GATEWAY_RELOAD_MS: 'an integer 10-60000 (milliseconds)',
  GATEWAY_UPSTREAM_TIMEOUT_MS: 'an integer 1-3600000 (milliseconds)',
  GATEWAY_ACCESS_LOG: 'true or false',
  GATEWAY_TOKEN_MAX_FAILURES: 'an integer >= 0 (0 = no limit)',
  GATEWAY_TOKEN_FAILURE_WINDOW_S: 'an integer 1-86400 (seconds)',
  GATEWAY_REVOCATION_ENDPOINT: 'true or false',
  GATEWAY_AUTHZ_PORT: 'an integer 0-65535 (0 = any free port; unset = no authz listener)',
  GATEWAY_AUTHZ_HOST: 'a host name or IP address',
  OAUTH2_DATA_DIR: 'a directory path',
  OAUTH2_DATABASE: 'a SQLite file path or a postgres:// URL',
  OAUTH2_MASTER_KEY: 'a key (base64 or hex of 32 bytes)',
};
const KEYS = Object.keys(EXPECTED);

export class EnvError extends Error {}

/** Validates the variables the gateway reads; throws one EnvError naming every bad variable. */
export function loadGatewayEnv(env: NodeJS.ProcessEnv = process.env): GatewayEnv {
  const plain: Record<string, string> = {};
  // An empty variable means "unset" (as in `GATEWAY_PORT= npm start`), not zero.
  for (const k of KEYS) if (env[k] !== undefined && env[k] !== '') plain[k] = env[k] as string;
  const cfg = plainToInstance(GatewayEnv, plain);
  const errors = validateSync(cfg);
  if (errors.length > 0) {
    // Never echo OAUTH2_MASTER_KEY's value: it is a secret.
    const parts = errors.map((e) => `${e.property}${e.property === 'OAUTH2_MASTER_KEY' ? '' : `=${JSON.stringify(plain[e.property])}`} must be ${EXPECTED[e.property]}`);
    throw new EnvError(`invalid environment: ${parts.join(', ')}`);
  }
  return cfg;
}
