import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional } from 'class-validator';
import { toQueryBool } from './validators';

/** Content types `/v1/apply` reads as raw text (YAML is a superset of JSON). */
export const APPLY_CONTENT_TYPES = ['application/yaml', 'text/yaml', 'application/x-yaml', 'text/plain', 'application/json'];

export class ApplyQueryDto {
  @ApiPropertyOptional({ type: Boolean, default: false, description: 'validate only, change nothing' })
  @IsOptional()
  @Transform(toQueryBool)
  @IsBoolean()
  dry_run?: boolean;
}

export class ApplyResultDto {
  @ApiProperty()
  revision: number;
  @ApiProperty({ type: [String] })
  warnings: string[];
  @ApiProperty({ example: { consumers: 2, rules: 1 } })
  applied: { consumers: number; rules: number };
}

export class ExportQueryDto {
  @ApiPropertyOptional({ type: Boolean, default: false, description: 'mask client secrets' })
  @IsOptional()
  @Transform(toQueryBool)
  @IsBoolean()
  redact?: boolean;

  @ApiPropertyOptional({ enum: ['json', 'yaml'], description: 'default json, or yaml when Accept: application/yaml' })
  @IsOptional()
  @IsIn(['json', 'yaml'])
  format?: 'json' | 'yaml';
}
