import { Env, EnvError, HOST_EXPECTED, HOST_RE, loadEnvClass, PORT_EXPECTED, SharedEnv, toBool, toInt } from '@oauth2/config';
import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsNumber, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

import { TrustedProxies } from '../proxy/trusted-proxies';

export { EnvError };

/** A decimal number (fractions allowed: tests use sub-second heartbeats). */
const toNumber = ({ value }: { value: unknown }): unknown => (typeof value === 'string' && /^\d{1,9}(\.\d{1,6})?$/.test(value.trim()) ? Number(value) : value);

const PATH_EXPECTED = 'a PEM file path (at most 4096 characters)';
const PROXIES_EXPECTED = 'comma-separated IPv4/IPv6 addresses or CIDRs (e.g. 10.0.0.0/8,fd00::/8)';

/**
 * The gateway's environment, validated once at start-up (docs/configuration.md lists every variable): every `@Env` property is read
 * (libs/config). Feature code receives this object; nothing else reads process.env.
 */
export class GatewayEnv extends SharedEnv {
  @Env(HOST_EXPECTED) @Matches(HOST_RE) GATEWAY_HOST = '0.0.0.0';
  @Env(PORT_EXPECTED) @Transform(toInt) @IsInt() @Min(0) @Max(65535) GATEWAY_PORT = 8000;
  /**
   * The status port (/healthz, /readyz, /revision, /metrics) listens on loopback unless told
   * otherwise: /metrics and /revision are not for the public. Kubernetes probes reach the pod IP,
   * so deploy/k8s sets 0.0.0.0 (docs/deploying.md).
   */
  @Env(HOST_EXPECTED) @Matches(HOST_RE) GATEWAY_STATUS_HOST = '127.0.0.1';
  @Env(PORT_EXPECTED) @Transform(toInt) @IsInt() @Min(0) @Max(65535) GATEWAY_STATUS_PORT = 8100;
  /** 0 = one worker per CPU. */
  @Env('an integer 0-256 (0 = one per CPU)') @Transform(toInt) @IsInt() @Min(0) @Max(256) GATEWAY_WORKERS = 1;
  @Env('an integer 10-60000 (milliseconds)') @Transform(toInt) @IsInt() @Min(10) @Max(60_000) GATEWAY_RELOAD_MS = 200;
  @Env('an integer 1-3600000 (milliseconds)') @Transform(toInt) @IsInt() @Min(1) @Max(3_600_000) GATEWAY_UPSTREAM_TIMEOUT_MS = 30_000;
  @Env('true or false') @Transform(toBool) @IsBoolean() GATEWAY_ACCESS_LOG = false;
  /** Failed token-endpoint authentications per client_id and window before 429; 0 = no limit. */
  @Env('an integer 0-1000000 (0 = no limit)') @Transform(toInt) @IsInt() @Min(0) @Max(1_000_000) GATEWAY_TOKEN_MAX_FAILURES = 10;
  @Env('an integer 1-86400 (seconds)') @Transform(toInt) @IsInt() @Min(1) @Max(86_400) GATEWAY_TOKEN_FAILURE_WINDOW_S = 60;
  /** Serve the RFC 7009 revocation endpoint at /oauth2/revoke (docs/revocation.md); off by default, as Higress has none. */
  @Env('true or false') @Transform(toBool) @IsBoolean() GATEWAY_REVOCATION_ENDPOINT = false;
  /** The external-authorization listener (docs/external-authz.md); unset = off. */
  @Env('an integer 0-65535 (0 = any free port; unset = no authz listener)') @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(65535) GATEWAY_AUTHZ_PORT?: number;
  /** Loopback by default: the listener believes the forwarded headers of whoever reaches it. */
  @Env(HOST_EXPECTED) @Matches(HOST_RE) GATEWAY_AUTHZ_HOST = '127.0.0.1';
  /** How often this process (the primary of a cluster) writes its heartbeat row to the store (SPEC §11). */
  @Env('a number 0.05-3600 (seconds)') @Transform(toNumber) @IsNumber() @Min(0.05) @Max(3600) GATEWAY_HEARTBEAT_S = 10;
  /** Reload from the rows changed since the snapshot in force (SPEC §11); false: every reload is a full load (for comparison). */
  @Env('true or false') @Transform(toBool) @IsBoolean() GATEWAY_INCREMENTAL_RELOAD = true;
  /** The node's name in GET /v1/nodes; unset = `<hostname>:<port>` (the traffic port it listens on). */
  @Env('1-253 printable characters') @IsOptional() @Matches(/^[\x21-\x7e][\x20-\x7e]*$/) @MaxLength(253) GATEWAY_NODE_NAME?: string;
  /** TLS on the proxy listener (docs/tls.md): both PEM paths, or neither (plain HTTP). Re-read when they change. */
  @Env(PATH_EXPECTED) @IsOptional() @IsString() @MaxLength(4096) GATEWAY_TLS_CERT?: string;
  @Env(PATH_EXPECTED) @IsOptional() @IsString() @MaxLength(4096) GATEWAY_TLS_KEY?: string;
  /** PEM CA bundle: the TLS listener requests (never requires) client certificates (RFC 8705, docs/tls.md): bound tokens, and client authentication by certificate. */
  @Env(PATH_EXPECTED) @IsOptional() @IsString() @MaxLength(4096) GATEWAY_TLS_CLIENT_CA?: string;
  /** Peers whose X-Forwarded-For / -Proto are believed (docs/tls.md); default none. */
  @Env(PROXIES_EXPECTED) @IsOptional() @IsString() @MaxLength(4096) GATEWAY_TRUSTED_PROXIES?: string;
}

/** Validates the variables the gateway reads; throws one EnvError naming every bad variable. */
export function loadGatewayEnv(env: NodeJS.ProcessEnv = process.env): GatewayEnv {
  const cfg = loadEnvClass(GatewayEnv, env);
  if ((cfg.GATEWAY_TLS_CERT === undefined) !== (cfg.GATEWAY_TLS_KEY === undefined)) {
    throw new EnvError(`invalid environment: GATEWAY_TLS_CERT and GATEWAY_TLS_KEY must be set together (only ${cfg.GATEWAY_TLS_CERT === undefined ? 'GATEWAY_TLS_KEY' : 'GATEWAY_TLS_CERT'} is set)`);
  }
  if (cfg.GATEWAY_TLS_CLIENT_CA !== undefined && cfg.GATEWAY_TLS_CERT === undefined) {
    throw new EnvError('invalid environment: GATEWAY_TLS_CLIENT_CA needs GATEWAY_TLS_CERT and GATEWAY_TLS_KEY (client certificates come with TLS)');
  }
  if (cfg.GATEWAY_TRUSTED_PROXIES !== undefined) {
    try {
      new TrustedProxies(cfg.GATEWAY_TRUSTED_PROXIES);
    } catch (e) {
      throw new EnvError(`invalid environment: GATEWAY_TRUSTED_PROXIES=${JSON.stringify(cfg.GATEWAY_TRUSTED_PROXIES)} must be ${PROXIES_EXPECTED}: ${(e as Error).message}`);
    }
  }
  return cfg;
}
