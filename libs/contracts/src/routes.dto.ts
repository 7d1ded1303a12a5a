import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsOptional } from 'class-validator';
import { IsHostPattern, IsPathPrefix, IsResourceName, IsUpstream, NAME_RULE } from './validators';

/** The fields of a route besides its name. */
export class RouteFieldsDto {
  @ApiPropertyOptional({ type: [String], description: 'exact hosts or *.suffix; empty = any host', example: ['api.example.com', '*.example.com'] })
  @IsOptional()
  @IsHostPattern({ each: true })
  @ArrayMaxSize(1000)
  @IsArray()
  hosts?: string[];

  @ApiPropertyOptional({ default: '/' })
  @IsOptional()
  @IsPathPrefix()
  path_prefix?: string;

  @ApiProperty({ example: 'http://127.0.0.1:9000' })
  @IsUpstream()
  upstream: string;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  strip_prefix?: boolean;
}

export class CreateRouteDto extends RouteFieldsDto {
  @ApiProperty({ description: `${NAME_RULE} (Higress style: namespace/ingress-name)`, example: 'default/route-a' })
  @IsResourceName()
  name: string;
}

/** PUT /v1/routes/{name}: the whole route; a `name` in the body is allowed only if it equals the URL's. */
export class ReplaceRouteDto extends RouteFieldsDto {
  @ApiPropertyOptional({ description: 'if given, must equal the name in the URL' })
  @IsOptional()
  @IsResourceName()
  name?: string;
}

export class RouteDto {
  @ApiProperty()
  name: string;
  @ApiProperty({ type: [String] })
  hosts: string[];
  @ApiProperty()
  path_prefix: string;
  @ApiProperty()
  upstream: string;
  @ApiProperty()
  strip_prefix: boolean;
  @ApiProperty({ format: 'date-time' })
  created_at: string;
}

export class RoutePageDto {
  @ApiProperty({ type: [RouteDto] })
  items: RouteDto[];
  @ApiProperty()
  total: number;
}
