import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';

/** Gateway signing keys (docs/signing-keys.md). Private keys never leave the store. */
export class RotateKeyDto {
  @ApiPropertyOptional({ enum: ['RS256', 'ES256', 'EdDSA'], description: 'default: the current signing_alg; another alg also switches signing_alg to it' })
  @IsOptional()
  @IsIn(['RS256', 'ES256', 'EdDSA'], { message: 'alg must be one of RS256, ES256, EdDSA' })
  alg?: 'RS256' | 'ES256' | 'EdDSA';
}

export class KeyDto {
  @ApiProperty({ description: 'RFC 7638 JWK thumbprint' }) kid: string;
  @ApiProperty({ enum: ['RS256', 'ES256', 'EdDSA'] }) alg: 'RS256' | 'ES256' | 'EdDSA';
  @ApiProperty({ enum: ['active', 'inactive', 'retired'], description: 'active: signs; inactive: still published and verified; retired: gone' })
  status: 'active' | 'inactive' | 'retired';
  @ApiProperty({ description: 'the public key as published in /.well-known/jwks.json' }) public_jwk: Record<string, unknown>;
  @ApiProperty() created_at: string;
  @ApiProperty({ type: String, nullable: true, description: 'when it stopped being the active key' }) rotated_at: string | null;
  @ApiProperty({ type: String, nullable: true }) retired_at: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'inactive keys: from when POST .../retire is accepted' }) retirable_at: string | null;
}

export class KeyListDto {
  @ApiProperty({ type: [KeyDto] }) items: KeyDto[];
  @ApiProperty() total: number;
}
