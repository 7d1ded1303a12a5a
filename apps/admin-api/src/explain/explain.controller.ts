import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ExplainRequestDto, ExplainResultDto, GrantsDto, WhoDto } from '@oauth2/contracts';
import { NameParamPipe } from '../common/params';
import { toExplainInput, toExplainResult, toGrants, toWho } from './explain.mapper';
import { ExplainService } from './explain.service';
import { ApiDoc, ApiExampleBody } from '../common/api-docs';
import { Role } from '../common/roles';

@ApiTags('explain')
@ApiBearerAuth()
@Controller('v1')
export class ExplainController {
  constructor(private readonly service: ExplainService) {}

  @Post('explain')
  @Role('viewer')
  @ApiExampleBody(ExplainRequestDto, { host: 'api.example.com', path: '/api/orders', consumer: 'consumer1' }, 'as if consumer1 sent a valid token (or give token instead of consumer)')
  @HttpCode(200)
  @ApiDoc('What the gateway would answer to a request, and why (route, rule, global_auth row, each verification step)', [400])
  @ApiOkResponse({ type: ExplainResultDto })
  async explain(@Body() body: ExplainRequestDto): Promise<ExplainResultDto> {
    return toExplainResult(await this.service.explain(toExplainInput(body)));
  }

  @Get('consumers/:name/grants')
  @Role('viewer')
  @ApiDoc('Every route and domain rule: can this consumer get through, and if not why', [400, 404], { 404: 'no such consumer' })
  @ApiOkResponse({ type: GrantsDto })
  async grants(@Param('name', NameParamPipe) name: string): Promise<GrantsDto> {
    return toGrants(await this.service.grants(name));
  }

  @Get('routes/:name/who')
  @Role('viewer')
  @ApiDoc('Which consumers pass on this route (allow-list, any consumer, or anyone)', [400, 404], { 404: 'no such route' })
  @ApiOkResponse({ type: WhoDto })
  async who(@Param('name', NameParamPipe) name: string): Promise<WhoDto> {
    return toWho(await this.service.who(name));
  }
}
