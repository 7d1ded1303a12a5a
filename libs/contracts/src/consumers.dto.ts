import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateIf } from 'class-validator';
import { PageQueryDto } from './common.dto';
import { AUTH_METHODS, type AuthMethod } from '@oauth2/core';
import { IsResourceName, IsScopeToken, IsThumbprint, IsTlsSubject, NAME_RULE, SCOPE_RULE } from './validators';

// SPEC §13 (RFC 8705 §2): how a consumer authenticates at the token endpoint.
const AUTH_METHOD_DOC =
  'client_secret (default): client_id and client_secret; tls_client_auth: its TLS client certificate, issued under GATEWAY_TLS_CLIENT_CA and carrying tls_subject; self_signed_tls_client_auth: its TLS client certificate whose x5t#S256 is tls_thumbprint. Tokens issued by certificate carry cnf.x5t#S256.';
const TLS_SUBJECT_DOC =
  'tls_client_auth only: a subject DN (CN=m2m,O=Example; attributes in any order) or san:dns:<name> / san:uri:<uri> / san:email:<address> / san:ip:<address>, which the certificate must carry';
const TLS_THUMBPRINT_DOC = 'self_signed_tls_client_auth only: base64url SHA-256 of the DER certificate (RFC 8705 x5t#S256, 43 characters)';

/** The client-authentication fields of create and PATCH (the store checks which go together). */
class ConsumerAuthFields {
  @ApiPropertyOptional({ enum: AUTH_METHODS, description: AUTH_METHOD_DOC, example: 'tls_client_auth' })
  @IsOptional()
  @IsIn(AUTH_METHODS)
  auth_method?: AuthMethod;

  @ApiPropertyOptional({ type: String, nullable: true, description: TLS_SUBJECT_DOC, example: 'CN=m2m' })
  @ValidateIf((o: ConsumerAuthFields) => o.tls_subject !== undefined && o.tls_subject !== null)
  @IsTlsSubject()
  tls_subject?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: TLS_THUMBPRINT_DOC, example: 'L1lyWsP7Obu3qL8ZAycmFoTCN0khRLt1xSl6ywGLGks' })
  @ValidateIf((o: ConsumerAuthFields) => o.tls_thumbprint !== undefined && o.tls_thumbprint !== null)
  @IsThumbprint()
  tls_thumbprint?: string | null;
}

/** Printable ASCII without spaces: client ids and secrets travel in query strings and Basic auth. */
const CREDENTIAL_RE = /^[\x21-\x7e]+$/;

export class CreateConsumerDto extends ConsumerAuthFields {
  @ApiProperty({ description: NAME_RULE, example: 'consumer1' })
  @IsResourceName()
  name: string;

  @ApiPropertyOptional({ description: 'unique; a UUIDv4 is generated when absent', example: '463e7bcc-9e01-40a2-8516-494794a50c28' })
  @IsOptional()
  @Matches(CREDENTIAL_RE, { message: 'client_id must be printable ASCII without spaces' })
  @MaxLength(256)
  @MinLength(1)
  @IsString()
  client_id?: string;

  @ApiPropertyOptional({ description: 'at least 32 characters (HS256 key); 32 random bytes base64url when absent', example: 'pgLsx9UGkF7kgpHWVhKLr86mtcYRqhaVtj5vi9_xY0U' })
  @IsOptional()
  @Matches(CREDENTIAL_RE, { message: 'client_secret must be printable ASCII without spaces' })
  @MaxLength(1024)
  @MinLength(32)
  @IsString()
  client_secret?: string;

  // SPEC §8.1
  @ApiPropertyOptional({ type: [String], nullable: true, description: `scopes this consumer may hold (${SCOPE_RULE}, at most 256); null or absent = unrestricted`, example: ['orders:read'] })
  @IsOptional()
  @IsScopeToken({ each: true })
  @ArrayMaxSize(256)
  @IsArray()
  scopes?: string[] | null;

  @ApiPropertyOptional({ type: [String], description: `group names (${NAME_RULE}, at most 64)`, example: ['billing'] })
  @IsOptional()
  @IsResourceName({ each: true })
  @ArrayMaxSize(64)
  @IsArray()
  groups?: string[];
}

/**
 * PATCH /v1/consumers/{name}: each given field replaces the stored one; `scopes: null` = unrestricted again.
 * A changed auth_method drops the previous method's tls_subject / tls_thumbprint unless given again.
 */
export class UpdateConsumerDto extends ConsumerAuthFields {
  @ApiPropertyOptional({ type: [String], nullable: true, description: `scopes this consumer may hold (${SCOPE_RULE}, at most 256); null = unrestricted`, example: ['orders:read', 'orders:write'] })
  @ValidateIf((o: UpdateConsumerDto) => o.scopes !== undefined && o.scopes !== null)
  @IsScopeToken({ each: true })
  @ArrayMaxSize(256)
  @IsArray()
  scopes?: string[] | null;

  @ApiPropertyOptional({ type: [String], description: `group names (${NAME_RULE}, at most 64); [] = none`, example: ['billing'] })
  @IsOptional()
  @IsResourceName({ each: true })
  @ArrayMaxSize(64)
  @IsArray()
  groups?: string[];
}

/** The longest grace_seconds of rotate-secret: 30 days. */
export const MAX_GRACE_SECONDS = 2_592_000;

export class RotateSecretDto {
  @ApiPropertyOptional({ description: 'at least 32 characters; 32 random bytes base64url when absent', example: 'Qm9vbGVhbi1yb3RhdGVkLXNlY3JldC0wMTIzNDU2Nzg5' })
  @IsOptional()
  @Matches(CREDENTIAL_RE, { message: 'client_secret must be printable ASCII without spaces' })
  @MaxLength(1024)
  @MinLength(32)
  @IsString()
  client_secret?: string;

  // Rotation with a grace period (SPEC §8.4).
  @ApiPropertyOptional({
    description: 'seconds the previous secret keeps working (token endpoint and its HS256 tokens), 0-2592000 (30 days); 0 (default): it stops at once',
    minimum: 0,
    maximum: MAX_GRACE_SECONDS,
    example: 3600,
  })
  @IsOptional()
  @Max(MAX_GRACE_SECONDS)
  @Min(0)
  @IsInt()
  grace_seconds?: number;
}

/** A consumer as listed and read: never its secret. */
export class ConsumerDto {
  @ApiProperty()
  name: string;
  @ApiProperty()
  client_id: string;
  @ApiProperty({ format: 'date-time' })
  created_at: string;
  // SPEC §8.1
  @ApiProperty({ type: [String], nullable: true, description: 'null = unrestricted (a requested scope is copied into the token unchecked and never counts)' })
  scopes: string[] | null;
  @ApiProperty({ type: [String] })
  groups: string[];
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'when the previous secret of a rotation with grace stops working; null when none or passed' })
  previous_secret_expires_at: string | null;
  // SPEC §13
  @ApiProperty({ enum: AUTH_METHODS, description: AUTH_METHOD_DOC })
  auth_method: AuthMethod;
  @ApiProperty({ type: String, nullable: true, description: TLS_SUBJECT_DOC })
  tls_subject: string | null;
  @ApiProperty({ type: String, nullable: true, description: TLS_THUMBPRINT_DOC })
  tls_thumbprint: string | null;
}

/** Only the answers of create and rotate-secret carry the secret. */
export class ConsumerWithSecretDto extends ConsumerDto {
  @ApiProperty()
  client_secret: string;
}

export class ConsumerPageDto {
  @ApiProperty({ type: [ConsumerDto] })
  items: ConsumerDto[];
  @ApiProperty()
  total: number;
}

/** `GET /v1/consumers`: a page, optionally only the consumers whose name or client_id contains `q` (any case). */
export class ConsumerListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'substring of the name or client_id, any case (1-256 printable characters)', example: 'billing' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  @Matches(/^[\x20-\x7e]+$/, { message: 'q must be printable ASCII' })
  q?: string;

  @ApiPropertyOptional({ description: 'only the members of this group (an unknown group: an empty list)', example: 'billing' })
  @IsOptional()
  @IsResourceName()
  group?: string;
}
