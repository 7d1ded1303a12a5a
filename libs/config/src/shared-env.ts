import { decodeMasterKey } from '@oauth2/store';
import { IsOptional, IsString, MaxLength, MinLength, ValidateBy } from 'class-validator';
import { Env } from './env-loader';

/** A host name or an IP literal (v4, v6 with or without brackets): what `listen()` takes. */
export const HOST_RE = /^[A-Za-z0-9.:[\]-]{1,253}$/;
export const HOST_EXPECTED = 'a host name or IP address';
export const PORT_EXPECTED = 'an integer 0-65535 (0 = any free port)';

/** 32 bytes as 64 hex digits, base64 or base64url: the store's own rule (decodeMasterKey). */
const IsMasterKey = () => ValidateBy({ name: 'isMasterKey', validator: { validate: (v: unknown) => typeof v === 'string' && decodeMasterKey(v) !== null } });

/**
 * The `OAUTH2_*` variables both apps read (the store's location and key), defined once; each app's
 * environment class extends this one.
 */
export class SharedEnv {
  @Env('a directory path (at most 4096 characters)') @IsString() @MinLength(1) @MaxLength(4096) OAUTH2_DATA_DIR = './data';
  @Env('a SQLite file path or a postgres:// URL (at most 4096 characters)') @IsOptional() @IsString() @MaxLength(4096) OAUTH2_DATABASE?: string;
  @Env('32 bytes as 64 hex digits, base64 or base64url', { secret: true }) @IsOptional() @IsMasterKey() OAUTH2_MASTER_KEY?: string;
}
