import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, Max, Min } from 'class-validator';
import { toQueryBool, toQueryInt } from './validators';

export const DEFAULT_LIMIT = 1000;
export const MAX_LIMIT = 10000;

/** `?limit` (default 1000, max 10000) and `?offset` of every list endpoint. */
export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT })
  @IsOptional()
  @Transform(toQueryInt)
  @Max(MAX_LIMIT)
  @Min(1)
  @IsInt()
  limit?: number;

  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IsOptional()
  @Transform(toQueryInt)
  @Min(0)
  @IsInt()
  offset?: number;
}

/** `?force=true` on DELETE of a consumer or route: also removes it from the rules naming it. */
export class ForceQueryDto {
  @ApiPropertyOptional({ type: Boolean, default: false })
  @IsOptional()
  @Transform(toQueryBool)
  @IsBoolean()
  force?: boolean;
}

export class DeleteResultDto {
  @ApiProperty({ description: 'name or id of the deleted resource' })
  deleted: string;
  @ApiProperty({ type: [Number], description: 'rules the resource was removed from' })
  rules_updated: number[];
  @ApiProperty({ type: [Number], description: 'rules deleted because every route they named is gone (they can match nothing)' })
  rules_deleted: number[];
  @ApiProperty({ type: [Number], description: 'rules whose allow-list became empty: kept, they now allow nobody (a delete never widens access)' })
  rules_emptied: number[];
}

export class RevisionDto {
  @ApiProperty()
  revision: number;
}

export class HealthDto {
  @ApiProperty({ example: 'ok' })
  status: 'ok';
}

/** Every error of the admin API: `{"code": status, "msg": "one line", "field"?: "name", "errors": [...]?}`. */
export class ErrorBodyDto {
  @ApiProperty()
  code: number;
  @ApiProperty()
  msg: string;
  @ApiPropertyOptional({ description: 'the offending field or path, when one is to blame', example: 'client_id' })
  field?: string;
  @ApiPropertyOptional({ type: [String] })
  errors?: string[];
}

/** `{"items": [...], "total": n}` of every list endpoint. */
export interface PageDto<T> {
  items: T[];
  total: number;
}
