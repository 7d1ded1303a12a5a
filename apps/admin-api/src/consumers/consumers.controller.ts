import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ConsumerDto, ConsumerPageDto, ConsumerWithSecretDto, CreateConsumerDto, DeleteResultDto, ForceQueryDto, ConsumerListQueryDto, RotateSecretDto, UpdateConsumerDto } from '@oauth2/contracts';
import type { ConfigStore } from '@oauth2/store';
import { toDeleteResult } from '../common/delete-result.mapper';
import { NameParamPipe } from '../common/params';
import { pageOf } from '../common/paging';
import { STORE } from '../common/tokens';
import { toConsumer, toConsumerPage, toConsumerWithSecret } from './consumer.mapper';
import { ApiDoc, ApiExampleBody } from '../common/api-docs';
import { Role } from '../common/roles';

@ApiTags('consumers')
@ApiBearerAuth()
@Controller('v1/consumers')
export class ConsumersController {
  constructor(@Inject(STORE) private readonly store: ConfigStore) {}

  @Post()
  @Role('operator', 'consumer.create')
  @ApiDoc('Register a consumer (OAuth2 client); the answer shows its client_secret, this once', [400, 409], { 409: 'the name or the client_id is already used' })
  @ApiExampleBody(
    CreateConsumerDto,
    { name: 'consumer1', client_id: '463e7bcc-9e01-40a2-8516-494794a50c28', client_secret: 'pgLsx9UGkF7kgpHWVhKLr86mtcYRqhaVtj5vi9_xY0U' },
    'a consumer with its own client_id and secret (leave them out to have them generated)',
  )
  @ApiCreatedResponse({ type: ConsumerWithSecretDto, description: 'the only answer (with rotate-secret) that shows the secret' })
  async create(@Body() body: CreateConsumerDto): Promise<ConsumerWithSecretDto> {
    return toConsumerWithSecret(
      await this.store.createConsumer({
        name: body.name,
        client_id: body.client_id,
        client_secret: body.client_secret,
        scopes: body.scopes,
        groups: body.groups,
        auth_method: body.auth_method,
        tls_subject: body.tls_subject,
        tls_thumbprint: body.tls_thumbprint,
      }),
    );
  }

  @Get()
  @Role('viewer')
  @ApiDoc('List consumers (never their secrets); ?q= keeps those whose name or client_id contains it, ?group= the members of a group', [400])
  @ApiOkResponse({ type: ConsumerPageDto })
  async list(@Query() q: ConsumerListQueryDto): Promise<ConsumerPageDto> {
    return toConsumerPage(await this.store.listConsumers(...pageOf(q), q.q, q.group));
  }

  @Get(':name')
  @Role('viewer')
  @ApiDoc('Show one consumer (without its secret)', [400, 404])
  @ApiOkResponse({ type: ConsumerDto })
  async get(@Param('name', NameParamPipe) name: string): Promise<ConsumerDto> {
    return toConsumer(await this.store.getConsumer(name));
  }

  @Patch(':name')
  @Role('operator', 'consumer.update')
  @ApiDoc("Replace a consumer's scopes, groups and/or client authentication (scopes: null = unrestricted again); never the secret", [400, 404])
  @ApiExampleBody(UpdateConsumerDto, { scopes: ['orders:read', 'orders:write'], groups: ['billing'] }, 'the scopes it may hold and its groups')
  @ApiOkResponse({ type: ConsumerDto })
  async update(@Param('name', NameParamPipe) name: string, @Body() body: UpdateConsumerDto): Promise<ConsumerDto> {
    return toConsumer(
      await this.store.updateConsumer(name, { scopes: body.scopes, groups: body.groups, auth_method: body.auth_method, tls_subject: body.tls_subject, tls_thumbprint: body.tls_thumbprint }),
    );
  }

  @Delete(':name')
  @Role('operator', 'consumer.delete')
  @ApiDoc('Delete a consumer; refused while a rule allows it, unless force=true', [400, 404, 409], { 409: 'a rule still allows it (force=true removes it from them)' })
  @ApiOkResponse({ type: DeleteResultDto })
  async remove(@Param('name', NameParamPipe) name: string, @Query() q: ForceQueryDto): Promise<DeleteResultDto> {
    return toDeleteResult(await this.store.deleteConsumer(name, q.force ?? false));
  }

  @Post(':name/rotate-secret')
  @Role('operator', 'consumer.rotate_secret')
  @ApiDoc('Replace the client_secret; tokens obtained with the old one stop verifying, at once or when grace_seconds have passed', [400, 404])
  @HttpCode(200)
  @ApiExampleBody(RotateSecretDto, { client_secret: 'Qm9vbGVhbi1yb3RhdGVkLXNlY3JldC0wMTIzNDU2Nzg5', grace_seconds: 3600 }, 'a secret of your own ({} generates one); the old one works one more hour')
  @ApiOkResponse({ type: ConsumerWithSecretDto })
  async rotate(@Param('name', NameParamPipe) name: string, @Body() body: RotateSecretDto): Promise<ConsumerWithSecretDto> {
    return toConsumerWithSecret(await this.store.rotateSecret(name, body.client_secret, body.grace_seconds));
  }
}
