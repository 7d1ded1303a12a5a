import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateBy, ValidateIf } from 'class-validator';

// class-validator runs a property's decorators bottom-up; with stopAtFirstError the lowest failing one is reported.

/** 9999-12-31T23:59:59Z. */
const MAX_EXP = 253_402_300_799;

/**
 * POST /v1/revocations (docs/revocation.md): `jti` (every client's token with it), `jti` + `client_id`
 * (that client's token only) or `client_id` alone (a cut-off); `exp` only with `jti`.
 */
export class RevocationInputDto {
  @ApiPropertyOptional({ description: "revoke one token by its jti claim; with client_id only that client's token, without it every client's" })
  // Validated when present or when client_id is absent too, so "neither" is reported.
  @ValidateIf((o: RevocationInputDto) => o.jti !== undefined || o.client_id === undefined)
  @Matches(/^[^\x00-\x1f\x7f]*$/, { message: 'jti must not contain control characters' })
  @MaxLength(1024)
  @MinLength(1)
  @IsString()
  jti?: string;

  @ApiPropertyOptional({ description: "the token's exp (unix seconds), how long the jti stays revoked; default now + token_ttl" })
  @IsOptional()
  @Max(MAX_EXP)
  @Min(0)
  @IsInt()
  @ValidateBy({ name: 'expWithJti', validator: { validate: (_v, a) => (a?.object as RevocationInputDto).jti !== undefined, defaultMessage: () => 'exp is only allowed with jti' } })
  exp?: number;

  @ApiPropertyOptional({ description: 'alone: revoke every token of this client issued before now; with jti: the client the jti is revoked for' })
  @IsOptional()
  @Matches(/^[\x21-\x7e]+$/, { message: 'client_id must be printable ASCII without spaces' })
  @MaxLength(256)
  @MinLength(1)
  @IsString()
  client_id?: string;
}

export class RevocationDto {
  @ApiProperty()
  id: number;
  @ApiPropertyOptional()
  jti?: string;
  @ApiPropertyOptional({ description: 'unix seconds; the revocation is dropped after it (plus clock_skew_seconds)' })
  exp?: number;
  @ApiPropertyOptional()
  client_id?: string;
  @ApiPropertyOptional({ description: "unix seconds; the client's tokens with an older (or no) iat are refused" })
  revoked_before?: number;
  @ApiProperty()
  created_at: string;
}

export class RevocationPageDto {
  @ApiProperty({ type: [RevocationDto] })
  items: RevocationDto[];
  @ApiProperty()
  total: number;
}
