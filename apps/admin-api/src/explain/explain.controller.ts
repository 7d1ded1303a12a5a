import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ExplainRequestDto, ExplainResultDto, GrantsDto, WhoDto } from '@oauth2/contracts';
import { NameParamPipe } from '../common/params';
import { toExplainInput, toExplainResult, toGrants, toWho } from './explain.mapper';
import { ExplainService } from './explain.service';

@ApiTags('explain')
@ApiBearerAuth()
@Controller('v1')
export class ExplainController {
  constructor(private readonly service: ExplainService) {}

  @Post('explain')
  @HttpCode(200)
  @ApiOperation({ summary: 'What the gateway would answer to a request, and why (route, rule, global_auth row, each verification step)' })
  @ApiOkResponse({ type: ExplainResultDto })
  async explain(@Body() body: ExplainRequestDto): Promise<ExplainResultDto> {
    return toExplainResult(await this.service.explain(toExplainInput(body)));
  }

  @Get('consumers/:name/grants')
  @ApiOperation({ summary: 'Every route and domain rule: can this consumer get through, and if not why' })
  @ApiOkResponse({ type: GrantsDto })
  @ApiNotFoundResponse({ description: 'no such consumer' })
  async grants(@Param('name', NameParamPipe) name: string): Promise<GrantsDto> {
    return toGrants(await this.service.grants(name));
  }

  @Get('routes/:name/who')
  @ApiOperation({ summary: 'Which consumers pass on this route (allow-list, any consumer, or anyone)' })
  @ApiOkResponse({ type: WhoDto })
  @ApiNotFoundResponse({ description: 'no such route' })
  async who(@Param('name', NameParamPipe) name: string): Promise<WhoDto> {
    return toWho(await this.service.who(name));
  }
}
