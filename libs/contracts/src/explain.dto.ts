import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, Length, Matches, ValidateBy } from 'class-validator';

/** `consumer` and `token` are two ways to say who is calling: at most one of them. */
function NotWith(other: string): PropertyDecorator {
  return ValidateBy({
    name: 'notWith',
    validator: {
      validate: (_v, args) => (args!.object as Record<string, unknown>)[other] === undefined,
      defaultMessage: (args) => `${args!.property} and ${other} are mutually exclusive`,
    },
  });
}

/** POST /v1/explain: a request to explain, as the gateway would see it. */
export class ExplainRequestDto {
  @ApiProperty({ description: 'Host header (port and case ignored, as by the gateway)', example: 'api.example.com' })
  @Length(0, 1024)
  @IsString()
  host: string;

  @ApiProperty({ description: 'request target: a path (query allowed) or an absolute http(s) URL', example: '/v1/orders' })
  @Length(1, 8192)
  @IsString()
  path: string;

  @ApiPropertyOptional({ default: 'GET', description: 'matters for token requests only' })
  @IsOptional()
  @Matches(/^[A-Za-z]{1,20}$/, { message: 'method must be an HTTP method name (letters only)' })
  method?: string;

  @ApiPropertyOptional({ description: 'access token, sent as `Bearer <token>` in the auth header; never logged or echoed' })
  @IsOptional()
  @NotWith('consumer')
  @Length(1, 16384)
  @IsString()
  token?: string;

  @ApiPropertyOptional({ description: 'instead of a token: assume a valid token of this consumer (signature checks skipped)' })
  @IsOptional()
  @Length(1, 253)
  @IsString()
  consumer?: string;

  // SPEC §13: the TLS facts of the request.
  @ApiPropertyOptional({ default: true, description: 'the request arrives over TLS (directly, or from a trusted proxy saying https); false shows what require_https refuses' })
  @IsOptional()
  @IsBoolean()
  secure?: boolean;

  @ApiPropertyOptional({ description: 'the client certificate the request presents (PEM), for certificate-bound tokens (RFC 8705 cnf.x5t#S256); absent = none' })
  @IsOptional()
  @Length(1, 16384)
  @IsString()
  client_cert?: string;
}

export class ExplainCandidateDto {
  @ApiProperty() name: string;
  @ApiProperty() matched: boolean;
  @ApiProperty() reason: string;
}

export class ExplainRouteDto {
  @ApiProperty({ type: String, nullable: true }) matched: string | null;
  @ApiProperty({ type: [ExplainCandidateDto], description: 'the chosen route first, then why each other route was not' })
  candidates: ExplainCandidateDto[];
}

export class ExplainRuleDto {
  @ApiProperty({ type: Number, nullable: true, description: 'rule id' }) matched: number | null;
  @ApiProperty({ type: Number, nullable: true }) position: number | null;
  @ApiProperty({ enum: ['routes', 'domains'], nullable: true }) kind: 'routes' | 'domains' | null;
  @ApiProperty({ type: [String], nullable: true }) allow: string[] | null;
  @ApiProperty({ type: [String], nullable: true }) allow_groups: string[] | null;
  @ApiProperty({ type: [String], nullable: true, description: 'required scopes' }) scopes: string[] | null;
  @ApiProperty() reason: string;
}

export class ExplainStepDto {
  @ApiProperty() step: string;
  @ApiProperty() ok: boolean;
  @ApiProperty() detail: string;
}

export class ExplainOutcomeDto {
  @ApiProperty({ description: "the gateway's status; 200 = forwarded to the upstream" }) status: number;
  @ApiProperty({ description: 'typed failure code, or "forwarded"' }) reason: string;
  @ApiProperty({ description: "the gateway's body msg" }) msg: string;
  @ApiPropertyOptional({ description: 'the real failure code where the client is answered as another (unknown_client is answered as bad_signature)' }) cause?: string;
}

export class ExplainRequestEchoDto {
  @ApiProperty({ description: 'normalized host' }) host: string;
  @ApiProperty({ description: 'path without the query' }) path: string;
  @ApiProperty() method: string;
}

export class ExplainResultDto {
  @ApiProperty({ description: 'store revision explained' }) revision: number;
  @ApiProperty({ type: ExplainRequestEchoDto }) request: ExplainRequestEchoDto;
  @ApiProperty({ type: ExplainRouteDto }) route: ExplainRouteDto;
  @ApiProperty({ type: ExplainRuleDto }) rule: ExplainRuleDto;
  @ApiProperty({ description: 'the global_auth row in force (which requests need a token)' }) global_auth_row: string;
  @ApiProperty({ enum: ['pass', 'authenticate', 'authenticate_allow', 'token_request'], nullable: true }) decision: string | null;
  @ApiProperty() auth_required: boolean;
  @ApiProperty({ type: [ExplainStepDto] }) verification: ExplainStepDto[];
  @ApiProperty({ type: ExplainOutcomeDto }) outcome: ExplainOutcomeDto;
  @ApiPropertyOptional({ description: 'why the request was refused before routing' }) note?: string;
}

export class HostGrantDto {
  @ApiProperty({ description: "a sample host of the route: an exact host, a '*.suffix' pattern (a host under it), or '' (any host)" }) host: string;
  @ApiProperty() reachable: boolean;
  @ApiProperty({ enum: ['allowed_by_rule', 'denied_by_rule', 'any_valid_token', 'pass_through'] }) access: string;
  @ApiProperty({ type: Number, nullable: true }) rule: number | null;
}

export class RouteGrantDto {
  @ApiProperty() route: string;
  @ApiProperty() reachable: boolean;
  @ApiProperty({ enum: ['allowed_by_rule', 'denied_by_rule', 'any_valid_token', 'pass_through'] }) access: string;
  @ApiProperty({ type: Number, nullable: true }) rule: number | null;
  @ApiProperty() reason: string;
  @ApiProperty({ type: [String] }) notes: string[];
  @ApiProperty({ type: [HostGrantDto], description: 'the decision on each sample host of the route (first = the headline above)' }) hosts: HostGrantDto[];
}

export class DomainRuleGrantDto {
  @ApiProperty() rule: number;
  @ApiProperty() position: number;
  @ApiProperty({ type: [String] }) domains: string[];
  @ApiProperty() reachable: boolean;
  @ApiProperty() reason: string;
}

/** GET /v1/consumers/{name}/grants */
export class GrantsDto {
  @ApiProperty() consumer: string;
  @ApiProperty() revision: number;
  @ApiProperty() global_auth_row: string;
  @ApiProperty() global_credentials: boolean;
  @ApiProperty({ type: [RouteGrantDto] }) routes: RouteGrantDto[];
  @ApiProperty({ type: [DomainRuleGrantDto] }) domain_rules: DomainRuleGrantDto[];
}

/** GET /v1/routes/{name}/who */
export class WhoDto {
  @ApiProperty() route: string;
  @ApiProperty() revision: number;
  @ApiProperty() global_auth_row: string;
  @ApiProperty({ type: Number, nullable: true }) rule: number | null;
  @ApiProperty({ enum: ['allow_list', 'any_consumer', 'anyone'] }) access: string;
  @ApiProperty({ type: [String], nullable: true, description: 'null: anyone, no token needed' }) consumers: string[] | null;
  @ApiProperty() reason: string;
  @ApiProperty({ type: [String] }) notes: string[];
}
