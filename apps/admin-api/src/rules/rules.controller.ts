import { Body, Controller, Delete, Get, Inject, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { DeleteResultDto, PageQueryDto, RuleDto, RuleInputDto, RulePageDto } from '@oauth2/contracts';
import type { ConfigStore } from '@oauth2/store';
import { toDeleteResult } from '../common/delete-result.mapper';
import { RuleIdPipe } from '../common/params';
import { pageOf } from '../common/paging';
import { STORE } from '../common/tokens';
import { ruleInput, toRule, toRulePage } from './rule.mapper';
import { ApiDoc, ApiExampleBody } from '../common/api-docs';
import { Role } from '../common/roles';

@ApiTags('rules')
@ApiBearerAuth()
@Controller('v1/rules')
export class RulesController {
  constructor(@Inject(STORE) private readonly store: ConfigStore) {}

  @Post()
  @Role('operator', 'rule.create')
  @ApiExampleBody(RuleInputDto, { routes: ['route-a'], allow: ['consumer1'] }, 'only consumer1 may use route-a')
  @ApiDoc('Add an allow-list rule on routes or domains; every route and consumer must exist', [400])
  @ApiCreatedResponse({ type: RuleDto })
  async create(@Body() body: RuleInputDto): Promise<RuleDto> {
    return toRule(await this.store.createRule(ruleInput(body)));
  }

  @Get()
  @Role('viewer')
  @ApiDoc('List rules in evaluation order', [400])
  @ApiOkResponse({ type: RulePageDto })
  async list(@Query() q: PageQueryDto): Promise<RulePageDto> {
    return toRulePage(await this.store.listRules(...pageOf(q)));
  }

  @Get(':id')
  @Role('viewer')
  @ApiDoc('Show one rule', [400, 404])
  @ApiOkResponse({ type: RuleDto })
  async get(@Param('id', RuleIdPipe) id: number): Promise<RuleDto> {
    return toRule(await this.store.getRule(id));
  }

  @Put(':id')
  @Role('operator', 'rule.update')
  @ApiExampleBody(RuleInputDto, { domains: ['*.example.com'], allow: ['consumer1'], position: 0 }, 'the whole rule, here matching by domain and evaluated first')
  @ApiDoc('Replace a rule in place', [400, 404])
  @ApiOkResponse({ type: RuleDto })
  async replace(@Param('id', RuleIdPipe) id: number, @Body() body: RuleInputDto): Promise<RuleDto> {
    return toRule(await this.store.replaceRule(id, ruleInput(body)));
  }

  @Delete(':id')
  @Role('operator', 'rule.delete')
  @ApiDoc('Delete a rule', [400, 404])
  @ApiOkResponse({ type: DeleteResultDto })
  async remove(@Param('id', RuleIdPipe) id: number): Promise<DeleteResultDto> {
    return toDeleteResult(await this.store.deleteRule(id));
  }
}
