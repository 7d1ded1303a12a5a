import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayNotEmpty, IsArray, IsInt, IsOptional, Max, Min, ValidateIf } from 'class-validator';
import { ExactlyOneOf, IsHostPattern, IsResourceName } from './validators';

// class-validator runs a property's decorators bottom-up; with stopAtFirstError the lowest failing one is reported.

/** POST /v1/rules and PUT /v1/rules/{id}: exactly one of `routes` / `domains`, and `allow`. */
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

  @ApiProperty({ type: [String], description: 'consumer names; each must exist' })
  @IsResourceName({ each: true })
  @ArrayMaxSize(10000)
  @ArrayNotEmpty()
  @IsArray()
  allow: string[];

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
}

export class RulePageDto {
  @ApiProperty({ type: [RuleDto] })
  items: RuleDto[];
  @ApiProperty()
  total: number;
}
