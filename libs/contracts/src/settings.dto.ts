import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ValidateIf } from 'class-validator';
import { IsSetting } from './validators';

const present = (key: string) => (o: Record<string, unknown>) => o[key] !== undefined;

/**
 * PATCH /v1/settings: any subset. Each key is checked by core's `checkSetting`, so `null` is refused
 * everywhere except `global_auth`, where it means "unset".
 */
export class PatchSettingsDto {
  @ApiPropertyOptional() @ValidateIf(present('issuer')) @IsSetting() issuer?: string;
  @ApiPropertyOptional() @ValidateIf(present('auth_path')) @IsSetting() auth_path?: string;
  @ApiPropertyOptional() @ValidateIf(present('global_credentials')) @IsSetting() global_credentials?: boolean;
  @ApiPropertyOptional() @ValidateIf(present('auth_header_name')) @IsSetting() auth_header_name?: string;
  @ApiPropertyOptional({ minimum: 1 }) @ValidateIf(present('token_ttl')) @IsSetting() token_ttl?: number;
  @ApiPropertyOptional({ minimum: 0 }) @ValidateIf(present('clock_skew_seconds')) @IsSetting() clock_skew_seconds?: number;
  @ApiPropertyOptional() @ValidateIf(present('keep_token')) @IsSetting() keep_token?: boolean;
  @ApiPropertyOptional({ type: Boolean, nullable: true, description: 'null unsets it (then: authenticate only while no rule exists, else pass through requests no rule matches)' })
  @ValidateIf(present('global_auth'))
  @IsSetting()
  global_auth?: boolean | null;
  @ApiPropertyOptional({ enum: ['HS256', 'RS256', 'ES256', 'EdDSA'], description: 'not a Higress key (docs/signing-keys.md): HS256 signs with the client secret; the others with a gateway key published as a JWKS' })
  @ValidateIf(present('signing_alg'))
  @IsSetting()
  signing_alg?: 'HS256' | 'RS256' | 'ES256' | 'EdDSA';
}

export class SettingsDto {
  @ApiProperty({ example: 'Higress-Gateway' }) issuer: string;
  @ApiProperty({ example: '/oauth2/token' }) auth_path: string;
  @ApiProperty() global_credentials: boolean;
  @ApiProperty({ example: 'Authorization' }) auth_header_name: string;
  @ApiProperty({ example: 7200 }) token_ttl: number;
  @ApiProperty({ example: 60 }) clock_skew_seconds: number;
  @ApiProperty() keep_token: boolean;
  @ApiProperty({ type: Boolean, nullable: true }) global_auth: boolean | null;
  @ApiProperty({ enum: ['HS256', 'RS256', 'ES256', 'EdDSA'], example: 'HS256' }) signing_alg: 'HS256' | 'RS256' | 'ES256' | 'EdDSA';
}
