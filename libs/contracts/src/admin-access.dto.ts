import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, MaxLength, Min, MinLength } from 'class-validator';
import { PageQueryDto } from './common.dto';
import { IsResourceName, NAME_RULE, toQueryInt } from './validators';

/** Admin roles, each including the one before (docs/admin-api.md, "Admin access"). */
export const ADMIN_ROLE_NAMES = ['viewer', 'operator', 'admin'] as const;
export type AdminRoleName = (typeof ADMIN_ROLE_NAMES)[number];

/** `POST /v1/admin-tokens`. `role` and `expires_in` are checked by the store, whose 400 names the field. */
export class CreateAdminTokenDto {
  @ApiProperty({ description: `${NAME_RULE}; not "root" (the bootstrap token)`, example: 'ci-dashboard' })
  @IsResourceName()
  name: string;

  @ApiProperty({ enum: ADMIN_ROLE_NAMES, example: 'viewer' })
  @IsString()
  role: string;

  @ApiPropertyOptional({ description: 'lifetime in seconds, 60 to 31536000 (one year); never expires when absent', example: 86400 })
  @IsOptional()
  @IsInt()
  expires_in?: number;
}

/** A named admin token as listed: never the token or its hash. */
export class AdminTokenDto {
  @ApiProperty()
  name: string;
  @ApiProperty({ enum: ADMIN_ROLE_NAMES })
  role: AdminRoleName;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'null for root' })
  created_at: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'null: never expires' })
  expires_at: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'to the minute (written at most once a minute per token)' })
  last_used_at: string | null;
}

/** Only the answer of create carries the token: shown this once. */
export class AdminTokenWithSecretDto extends AdminTokenDto {
  @ApiProperty({ description: '32 random bytes, base64url (43 characters); stored only as its SHA-256' })
  token: string;
}

export class AdminTokenPageDto {
  @ApiProperty({ type: [AdminTokenDto] })
  items: AdminTokenDto[];
  @ApiProperty()
  total: number;
}

export class AdminTokenDeletedDto {
  @ApiProperty()
  deleted: string;
}

/** `GET /v1/whoami`: the token the request was made with. */
export class WhoamiDto {
  @ApiProperty({ example: 'root' })
  name: string;
  @ApiProperty({ enum: ADMIN_ROLE_NAMES })
  role: AdminRoleName;
}

/** `GET /v1/audit` filters (plus limit/offset). */
export class AuditQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'token name', example: 'root' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  actor?: string;

  @ApiPropertyOptional({ description: 'what was written: a consumer or route name, a rule id, a kid, ...', example: 'consumer1' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  target?: string;

  @ApiPropertyOptional({ description: 'exact, or a prefix ending in * (key.*)', example: 'consumer.delete' })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z_.]{1,64}\*?$/, { message: 'action must look like consumer.create or key.*' })
  action?: string;

  @ApiPropertyOptional({ description: 'only rows whose revision is greater' })
  @IsOptional()
  @Transform(toQueryInt)
  @Min(0)
  @IsInt()
  since_revision?: number;
}

export class AuditEntryDto {
  @ApiProperty()
  id: number;
  @ApiProperty({ format: 'date-time' })
  at: string;
  @ApiProperty({ description: 'token name (root = the bootstrap token)' })
  actor: string;
  @ApiProperty({ enum: ADMIN_ROLE_NAMES })
  role: string;
  @ApiProperty({ example: 'consumer.create' })
  action: string;
  @ApiProperty({ nullable: true, type: String })
  target: string | null;
  @ApiProperty({ description: 'the revision the write produced (admin token writes: the revision they ran at)' })
  revision: number;
  @ApiProperty({ nullable: true, type: String })
  source_ip: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'the X-Request-Id of the request' })
  request_id: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'changed field names and counts; never a secret, token or key', example: { fields: ['client_id', 'name'] } })
  summary: Record<string, unknown>;
}

export class AuditPageDto {
  @ApiProperty({ type: [AuditEntryDto] })
  items: AuditEntryDto[];
  @ApiProperty()
  total: number;
}
