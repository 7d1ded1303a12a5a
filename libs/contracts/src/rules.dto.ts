import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayNotEmpty, IsArray, IsInt, IsOptional, Max, Min, ValidateIf } from 'class-validator';
import { ExactlyOneOf, IsHostPattern, IsResourceName, IsScopeToken, SCOPE_RULE } from './validators';

// class-validator runs a property's decorators bottom-up; with stopAtFirstError the lowest failing one is reported.

/** POST /v1/rules and PUT /v1/rules/{id}: exactly one of `routes` / `domains`, and at least one of `allow`, `allow_groups`, `scopes` (SPEC §8.3). */
export class RuleInputDto {
  @ApiPropertyOptional({ type: [String], description: 'route names (exactly one of routes / domains)' })
  // Validated when present or when `domains` is absent too, so "neither" is reported.
  @ValidateIf((o: RuleInputDto) => o.routes !== undefined || o.domains === undefined)
  @IsResourceName({ each: true })
  @ArrayMaxSize(1000)
  @ArrayNotEmpty()
  @IsArray()
  @ExactlyOneOf(['routes', 'domains'])
  routes?: string[];

  @ApiPropertyOptional({ type: [String], description: 'exact hosts or *.suffix (exactly one of routes / domains)' })
  @IsOptional()
  @IsHostPattern({ each: true })
  @ArrayMaxSize(1000)
  @ArrayNotEmpty()
  @IsArray()
  domains?: string[];

  @ApiPropertyOptional({ type: [String], description: 'consumer names; each must exist (at least one of allow, allow_groups, scopes)' })
  @IsOptional()
  @IsResourceName({ each: true })
  @ArrayMaxSize(10000)
  @IsArray()
  allow?: string[];

  // SPEC §8.3
  @ApiPropertyOptional({ type: [String], description: 'group names: a consumer in one of them passes (a group need not have members yet)' })
  @IsOptional()
  @IsResourceName({ each: true })
  @ArrayMaxSize(1000)
  @IsArray()
  allow_groups?: string[];

  @ApiPropertyOptional({ type: [String], description: `required scopes (${SCOPE_RULE}): every one must be among the token's effective scopes` })
  @IsOptional()
  @IsScopeToken({ each: true })
  @ArrayMaxSize(256)
  @IsArray()
  scopes?: string[];

  @ApiPropertyOptional({ description: 'evaluation order (first match wins); appended last when absent' })
  @IsOptional()
  @Max(1_000_000_000)
  @Min(0)
  @IsInt()
  position?: number;
}

export class RuleDto {
  @ApiProperty()
  id: number;
  @ApiProperty()
  position: number;
  @ApiPropertyOptional({ type: [String] })
  routes?: string[];
  @ApiPropertyOptional({ type: [String] })
  domains?: string[];
  @ApiProperty({ type: [String] })
  allow: string[];
  @ApiProperty({ type: [String] })
  allow_groups: string[];
  @ApiProperty({ type: [String], description: 'required scopes' })
  scopes: string[];
}

export class RulePageDto {
  @ApiProperty({ type: [RuleDto] })
  items: RuleDto[];
  @ApiProperty()
  total: number;
}
