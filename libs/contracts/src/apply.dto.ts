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

export class ConsumerChangeDto {
  @ApiProperty() name: string;
  @ApiProperty({ type: [String], description: 'changed fields by name (client_id, client_secret); never a value' }) fields: string[];
}

export class RuleChangeDto {
  @ApiProperty({ description: 'its place in evaluation order (1 = first)' }) position: number;
  @ApiProperty({ type: [String], nullable: true }) routes: string[] | null;
  @ApiProperty({ type: [String], nullable: true }) domains: string[] | null;
  @ApiProperty({ type: [String] }) allow: string[];
  @ApiPropertyOptional({ type: [String], description: 'its groups' }) allow_groups?: string[];
  @ApiPropertyOptional({ type: [String], description: 'its required scopes' }) scopes?: string[];
  @ApiPropertyOptional({ type: [String], description: 'changed: which fields (position, allow, allow_groups, scopes)' }) fields?: string[];
}

export class SettingChangeDto {
  @ApiProperty() key: string;
  @ApiProperty({ description: 'value before' }) from: unknown;
  @ApiProperty({ description: 'value after' }) to: unknown;
}

export class ConsumerChangesDto {
  @ApiProperty({ type: [String] }) added: string[];
  @ApiProperty({ type: [String] }) removed: string[];
  @ApiProperty({ type: [ConsumerChangeDto] }) changed: ConsumerChangeDto[];
}

export class RuleChangesDto {
  @ApiProperty({ type: [RuleChangeDto] }) added: RuleChangeDto[];
  @ApiProperty({ type: [RuleChangeDto] }) removed: RuleChangeDto[];
  @ApiProperty({ type: [RuleChangeDto] }) changed: RuleChangeDto[];
}

/** What an apply changes, dry run or real: rules are paired by what they match (ids are not kept). */
export class ApplyChangesDto {
  @ApiProperty({ type: ConsumerChangesDto }) consumers: ConsumerChangesDto;
  @ApiProperty({ type: RuleChangesDto }) rules: RuleChangesDto;
  @ApiProperty({ type: [SettingChangeDto] }) settings: SettingChangeDto[];
}

export class ApplyResultDto {
  @ApiProperty()
  revision: number;
  @ApiProperty({ type: [String] })
  warnings: string[];
  @ApiProperty({ example: { consumers: 2, rules: 1 } })
  applied: { consumers: number; rules: number };
  @ApiProperty({ type: ApplyChangesDto, description: 'what the apply changes (dry run: would change); never a secret value' })
  changes: ApplyChangesDto;
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
