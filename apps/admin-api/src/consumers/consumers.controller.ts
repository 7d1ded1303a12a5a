import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import {
  ConsumerDto,
  ConsumerPageDto,
  ConsumerWithSecretDto,
  CreateConsumerDto,
  DeleteResultDto,
  ForceQueryDto,
  PageQueryDto,
  RotateSecretDto,
} from '@oauth2/contracts';
import type { ConfigStore } from '@oauth2/store';
import { toDeleteResult } from '../common/delete-result.mapper';
import { NameParamPipe } from '../common/params';
import { pageOf } from '../common/paging';
import { STORE } from '../common/tokens';
import { toConsumer, toConsumerPage, toConsumerWithSecret } from './consumer.mapper';

@ApiTags('consumers')
@ApiBearerAuth()
@Controller('v1/consumers')
export class ConsumersController {
  constructor(@Inject(STORE) private readonly store: ConfigStore) {}

  @Post()
  @ApiCreatedResponse({ type: ConsumerWithSecretDto, description: 'the only answer (with rotate-secret) that shows the secret' })
  async create(@Body() body: CreateConsumerDto): Promise<ConsumerWithSecretDto> {
    return toConsumerWithSecret(await this.store.createConsumer({ name: body.name, client_id: body.client_id, client_secret: body.client_secret }));
  }

  @Get()
  @ApiOkResponse({ type: ConsumerPageDto })
  async list(@Query() q: PageQueryDto): Promise<ConsumerPageDto> {
    return toConsumerPage(await this.store.listConsumers(...pageOf(q)));
  }

  @Get(':name')
  @ApiOkResponse({ type: ConsumerDto })
  async get(@Param('name', NameParamPipe) name: string): Promise<ConsumerDto> {
    return toConsumer(await this.store.getConsumer(name));
  }

  @Delete(':name')
  @ApiOkResponse({ type: DeleteResultDto })
  async remove(@Param('name', NameParamPipe) name: string, @Query() q: ForceQueryDto): Promise<DeleteResultDto> {
    return toDeleteResult(await this.store.deleteConsumer(name, q.force ?? false));
  }

  @Post(':name/rotate-secret')
  @HttpCode(200)
  @ApiOkResponse({ type: ConsumerWithSecretDto })
  async rotate(@Param('name', NameParamPipe) name: string, @Body() body: RotateSecretDto): Promise<ConsumerWithSecretDto> {
    return toConsumerWithSecret(await this.store.rotateSecret(name, body.client_secret));
  }
}
