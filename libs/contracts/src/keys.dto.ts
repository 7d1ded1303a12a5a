import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { ASYMMETRIC_ALGS, type AsymmetricAlg } from '@oauth2/core';

/** Gateway signing keys (docs/signing-keys.md). Private keys never leave the store. */
export class RotateKeyDto {
  @ApiPropertyOptional({ enum: [...ASYMMETRIC_ALGS], description: 'default: the current signing_alg; another alg also switches signing_alg to it' })
  @IsOptional()
  @IsIn([...ASYMMETRIC_ALGS], { message: `alg must be one of ${ASYMMETRIC_ALGS.join(', ')}` })
  alg?: AsymmetricAlg;
}

export class KeyDto {
  @ApiProperty({ description: 'RFC 7638 JWK thumbprint' }) kid: string;
  @ApiProperty({ enum: [...ASYMMETRIC_ALGS] }) alg: AsymmetricAlg;
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
