/**
 * The admin API's environment, validated once at start-up (SPEC §7). Feature code never reads
 * process.env: it receives this object through the ENV provider.
 */
import 'reflect-metadata';
import * as path from 'node:path';
import { decodeMasterKey, isPostgresUrl } from '@oauth2/store';
import { plainToInstance, Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, validateSync } from 'class-validator';

const trimmed = ({ value }: { value: unknown }) => (typeof value === 'string' && value.trim() === '' ? undefined : value);
const toInt = ({ value }: { value: unknown }) => (typeof value === 'string' && /^\d{1,5}$/.test(value.trim()) ? Number(value) : value);

export class EnvConfig {
  @Transform(trimmed)
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  OAUTH2_DATA_DIR: string = './data';

  @Transform(trimmed)
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  OAUTH2_DATABASE?: string;

  @Transform(trimmed)
  @IsOptional()
  @Matches(/^[A-Za-z0-9.:[\]-]{1,253}$/, { message: 'ADMIN_HOST must be a host name or IP address' })
  ADMIN_HOST: string = '127.0.0.1';

  @Transform((p) => toInt({ value: trimmed(p) }))
  @IsOptional()
  @IsInt({ message: 'ADMIN_PORT must be an integer 0-65535 (0 = any free port)' })
  @Min(0, { message: 'ADMIN_PORT must be an integer 0-65535 (0 = any free port)' })
  @Max(65535, { message: 'ADMIN_PORT must be an integer 0-65535 (0 = any free port)' })
  ADMIN_PORT: number = 8001;

  // Why a minimum: the token is the only thing between the network and every secret in the store.
  @Transform(trimmed)
  @IsOptional()
  @MinLength(16, { message: 'OAUTH2_ADMIN_TOKEN must be at least 16 characters' })
  @MaxLength(4096, { message: 'OAUTH2_ADMIN_TOKEN must be at most 4096 characters' })
  @Matches(/^[\x21-\x7e]+$/, { message: 'OAUTH2_ADMIN_TOKEN must be printable ASCII without spaces' })
  OAUTH2_ADMIN_TOKEN?: string;

  @Transform(trimmed)
  @IsOptional()
  @Matches(/^[\x21-\x7e]+$/, { message: 'OAUTH2_MASTER_KEY must be 32 bytes as 64 hex digits or base64' })
  OAUTH2_MASTER_KEY?: string;
}

/** Returns the config, or throws an Error whose message is ONE line naming every bad variable. */
export function loadEnv(env: NodeJS.ProcessEnv = process.env): EnvConfig {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(new EnvConfig())) if (env[key] !== undefined) raw[key] = env[key];
  for (const key of ['OAUTH2_DATABASE', 'OAUTH2_ADMIN_TOKEN', 'OAUTH2_MASTER_KEY']) if (env[key] !== undefined) raw[key] = env[key];
  const cfg = plainToInstance(EnvConfig, raw);
  const problems = validateSync(cfg, { whitelist: true }).flatMap((e) => Object.values(e.constraints ?? {}));
  if (cfg.OAUTH2_MASTER_KEY !== undefined && problems.every((p) => !p.startsWith('OAUTH2_MASTER_KEY')) && !decodeMasterKey(cfg.OAUTH2_MASTER_KEY)) {
    problems.push('OAUTH2_MASTER_KEY must be 32 bytes as 64 hex digits or base64');
  }
  if (problems.length > 0) throw new Error(`invalid environment: ${problems.join('; ')}`);
  // An empty variable means "use the default", as an absent one does.
  cfg.OAUTH2_DATA_DIR = path.resolve(cfg.OAUTH2_DATA_DIR ?? './data');
  cfg.ADMIN_HOST ??= '127.0.0.1';
  cfg.ADMIN_PORT ??= 8001;
  // A SQLite path is made absolute; a postgres:// URL is kept as given.
  if (cfg.OAUTH2_DATABASE && !isPostgresUrl(cfg.OAUTH2_DATABASE)) cfg.OAUTH2_DATABASE = path.resolve(cfg.OAUTH2_DATABASE);
  return cfg;
}
